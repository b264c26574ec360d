import { createHash } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { XMLSerializer } from '@xmldom/xmldom';
import type { Clock } from '../core/clock.js';
import type { CredentialChecker } from '../identity/credential-check.js';
import type { IdentitySources } from '../identity/identity-sources.js';
import type { KeyValueStore } from '../store/store.js';
import type { AuditTrail } from '../observability/audit-trail.js';
import { childElements, firstElement } from '../saml/parse-xml.js';
import type { PublishedSigningKey } from '../keys/published-signing-key.js';
import type { AssertionChecks, TrustedIssuers } from '../keys/trusted-issuers.js';
import { AssertionRejected, verifyAssertion, type AssertionPolicy, type VerifiedAssertion } from '../saml/verify-assertion.js';
import { SoapFault, WST, WSU } from './soap.js';
import { childText } from './soap-envelope.js';
import type { StsKey } from './sts-keys.js';
import { SignatureRejected, verifySignedRequest, type SignedRequest, type TokenSigner } from './ws-security.js';

/** Lifetime values as the WS-Trust clients write them: milliseconds and Z. */
const iso = (ms: number) => new Date(ms).toISOString();

export interface StsPolicy {
  /** Longest token lifetime granted, whatever is requested. */
  maxLifetimeMs: number;
  /** Lifetime when the request names none. */
  defaultLifetimeMs: number;
  /** How often a token asked for as renewable may be renewed (vCenter's "maximum token renewal count"). */
  maxRenewals: number;
  /** `Issuer` of the assertions. */
  issuer: string;
  /** Audience written into the assertions, if any. */
  audience?: string;
}

/** What the STS operations work with. */
export interface Sts {
  /** This node's STS key, published for every node to verify its tokens. */
  signingKey: PublishedSigningKey<StsKey>;
  policy: StsPolicy;
  credentials: CredentialChecker;
  /** The accounts, solution users among them (found by their certificate). */
  identity: IdentitySources;
  /** Where signed requests are remembered, so that each is accepted once on every node. */
  kv: KeyValueStore;
  /** How this server checks SAML tokens, and whose. */
  assertions: AssertionChecks;
  issuers: TrustedIssuers;
  clock: Clock;
  audit: AuditTrail;
}

/** A WS-Trust request: the envelope as received, its Header and the RequestSecurityToken. */
export interface StsRequest {
  xml: string;
  header: Element | undefined;
  operation: Element;
}

/** One answer for every credential failure, as for every other login of the server. */
export function failedAuthentication(reason: string): SoapFault {
  return new SoapFault('wst:FailedAuthentication', 'Authentication failed.', 500, reason);
}

/**
 * The request's WS-Security signature, verified (by the certificate of the header, or by the holder
 * of the header's token), and accepted once: a signed request captured and sent again within its
 * Timestamp window is refused on every node. A FailedAuthentication fault (reason logged) when it does not hold.
 */
export async function signedBy(request: StsRequest, sts: Sts, tokenSigner?: TokenSigner): Promise<SignedRequest> {
  let signed: SignedRequest;
  const now = sts.clock.now();
  try {
    signed = verifySignedRequest(request.xml, now, sts.assertions.clockToleranceMs, tokenSigner);
  } catch (error) {
    if (error instanceof SignatureRejected) throw failedAuthentication(`request signature refused: ${error.message}`);
    throw error;
  }
  // Remembered for as long as the Timestamp lets the request in: until it expires, plus the tolerance.
  const once = `sts-signed:${createHash('sha256').update(signed.signatureValue).digest('base64url')}`;
  if ((await sts.kv.increment(once, signed.expires + sts.assertions.clockToleranceMs - now + 1, now)) !== 1) {
    throw failedAuthentication('a signed request replayed');
  }
  return signed;
}

/** The WS-Trust request type of a SOAP body. */
export function requestType(operation: Element): 'Issue' | 'Renew' | 'Validate' {
  if (operation.namespaceURI !== WST || operation.localName !== 'RequestSecurityToken') {
    throw new SoapFault('S:Client', 'Expected a WS-Trust RequestSecurityToken.');
  }
  const type = childText(operation, WST, 'RequestType');
  if (type === `${WST}/Issue`) return 'Issue';
  if (type === `${WST}/Renew`) return 'Renew';
  if (type === `${WST}/Validate`) return 'Validate';
  throw new SoapFault('wst:InvalidRequest', `Request type ${type ?? '(none)'} is not supported.`);
}

/** An element of the request (a token) as XML text of its own. */
export const serialize = (element: Element): string => new XMLSerializer().serializeToString(element);

/** The token inside a `ValidateTarget` or `RenewTarget`, as XML. */
export function targetToken(operation: Element, localName: 'ValidateTarget' | 'RenewTarget'): string {
  const target = childElements(operation, WST, localName)[0];
  const token = target && firstElement(target);
  if (!token) throw new SoapFault('wst:InvalidRequest', `${localName} must hold the token.`);
  return serialize(token);
}

/** The assertion when it passes `policy` now; undefined, with the reason, when it does not. */
export function checkAssertion(token: string, policy: AssertionPolicy, now: number): { assertion: VerifiedAssertion } | { reason: string } {
  try {
    return { assertion: verifyAssertion(token, policy, now) };
  } catch (error) {
    if (error instanceof AssertionRejected) return { reason: error.message };
    throw error;
  }
}

/** The end of the granted lifetime: the requested `Expires` (or the default), capped by policy. */
export function grantedEnd(operation: Element, policy: StsPolicy, now: number): number {
  const lifetime = childElements(operation, WST, 'Lifetime')[0];
  const requestedEnd = Date.parse(childText(lifetime, WSU, 'Expires') ?? '');
  const end = Math.min(Number.isFinite(requestedEnd) ? requestedEnd : now + policy.defaultLifetimeMs, now + policy.maxLifetimeMs);
  if (end <= now) throw new SoapFault('wst:InvalidTimeRange', 'The requested lifetime has already ended.');
  return end;
}

/** A `RequestSecurityTokenResponse` carrying an issued or renewed token. */
export function tokenResponse(token: { assertion: string; created: number; expires: number; renewable: boolean; delegable: boolean; keyType: string }): string {
  return [
    `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}" xmlns:wsu="${WSU}">`,
    '<wst:TokenType>urn:oasis:names:tc:SAML:2.0:assertion</wst:TokenType>',
    `<wst:Lifetime><wsu:Created>${iso(token.created)}</wsu:Created><wsu:Expires>${iso(token.expires)}</wsu:Expires></wst:Lifetime>`,
    `<wst:RequestedSecurityToken>${token.assertion}</wst:RequestedSecurityToken>`,
    `<wst:Renewing Allow="${token.renewable}" OK="false"/>`,
    `<wst:Delegatable>${token.delegable}</wst:Delegatable>`,
    `<wst:KeyType>${token.keyType}</wst:KeyType>`,
    '</wst:RequestSecurityTokenResponse>',
  ].join('');
}

/** The token when it passes the server's SAML checks now (signed by a trusted issuer, valid); the reason when not. */
export async function trustedToken(token: string, sts: Sts): Promise<{ assertion: VerifiedAssertion } | { reason: string }> {
  const now = sts.clock.now();
  return checkAssertion(token, await sts.issuers.policy(sts.assertions, now), now);
}

/** Answers whether a token is valid now (WS-Trust `Validate`): the server's own SAML checks, nothing more. */
export async function validate(request: StsRequest, sts: Sts): Promise<string> {
  const verdict = await trustedToken(targetToken(request.operation, 'ValidateTarget'), sts);
  const status = 'assertion' in verdict ? 'valid' : 'invalid';
  sts.audit.record({ event: 'sts.validated', ...('assertion' in verdict ? { user: verdict.assertion.subject } : {}), reason: status });
  return [
    `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}">`,
    `<wst:TokenType>${WST}/RSTR/Status</wst:TokenType>`,
    `<wst:Status><wst:Code>${WST}/status/${status}</wst:Code></wst:Status>`,
    '</wst:RequestSecurityTokenResponse>',
  ].join('');
}
