import type { Element } from '@xmldom/xmldom';
import type { Clock } from '../core/clock.js';
import type { CredentialChecker } from '../identity/credential-check.js';
import { XMLSerializer } from '@xmldom/xmldom';
import { childElements, escapeXml } from '../saml/parse-xml.js';
import { issueAssertion } from './issue-assertion.js';
import { childText, SoapFault } from './soap.js';
import type { StsKeys } from './sts-keys.js';

const WST = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const BEARER_KEY = `${WST}/Bearer`;
const PUBLIC_KEY = `${WST}/PublicKey`;
/** Lifetime values as the WS-Trust clients write them: milliseconds and Z. */
const iso = (ms: number) => new Date(ms).toISOString();

export interface StsPolicy {
  /** Longest token lifetime granted, whatever is requested. */
  maxLifetimeMs: number;
  /** Lifetime when the request names none. */
  defaultLifetimeMs: number;
  /** `Issuer` of the assertions. */
  issuer: string;
  /** Audience written into the assertions, if any. */
  audience?: string;
}

function failedAuthentication(reason: string): SoapFault {
  // One answer for every credential failure, as for every other login of the server.
  return new SoapFault('wst:FailedAuthentication', 'Authentication failed.', 500, reason);
}

/** Answers whether a token is valid now (WS-Trust `Validate`): the server's own SAML checks, nothing more. */
export function validate(operation: Element, isValid: (token: string) => boolean): string {
  const target = childElements(operation, WST, 'ValidateTarget')[0];
  let token: string | undefined;
  for (let child = target?.firstChild; child; child = child.nextSibling) if (child.nodeType === 1) token = new XMLSerializer().serializeToString(child);
  if (!token) throw new SoapFault('wst:InvalidRequest', 'Validate needs the token in a ValidateTarget.');
  const status = isValid(token) ? 'valid' : 'invalid';
  return [
    `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}">`,
    `<wst:TokenType>${WST}/RSTR/Status</wst:TokenType>`,
    `<wst:Status><wst:Code>${WST}/status/${status}</wst:Code></wst:Status>`,
    '</wst:RequestSecurityTokenResponse>',
  ].join('');
}

/** The WS-Trust request of a SOAP body, and its request type. */
export function requestType(operation: Element): 'Issue' | 'Validate' {
  if (operation.namespaceURI !== WST || operation.localName !== 'RequestSecurityToken') {
    throw new SoapFault('S:Client', 'Expected a WS-Trust RequestSecurityToken.');
  }
  const type = childText(operation, WST, 'RequestType');
  if (type === `${WST}/Issue`) return 'Issue';
  if (type === `${WST}/Validate`) return 'Validate';
  throw new SoapFault('wst:InvalidRequest', `Request type ${type ?? '(none)'} is not supported.`);
}

/**
 * The WS-Trust 1.3 `Issue` binding of the STS: a UsernameToken in the WS-Security header is checked
 * by the server's one credential check (lockout included), and a SAML 2.0 assertion signed with the
 * STS key is returned — bearer, or holder-of-key bound to the request's certificate — for the
 * requested lifetime, capped by policy, delegable if asked.
 */
export async function issue(operation: Element, header: Element | undefined, keys: StsKeys, credentials: CredentialChecker, policy: StsPolicy, clock: Clock): Promise<string> {
  const keyType = childText(operation, WST, 'KeyType') ?? BEARER_KEY;
  if (keyType !== BEARER_KEY && keyType !== PUBLIC_KEY) throw new SoapFault('wst:InvalidRequest', `Key type ${keyType} is not supported.`);
  const security = header && (header.getElementsByTagNameNS(WSSE, 'Security')[0] as Element | undefined);
  // A holder-of-key token is bound to the certificate in the request; possession of its key is
  // proven on every use of the token, by the signature the holder must add.
  const holderCertificate =
    keyType === PUBLIC_KEY ? (childText(security, WSSE, 'BinarySecurityToken') ?? '').replace(/\s+/g, '') : undefined;
  if (holderCertificate !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(holderCertificate)) {
    throw new SoapFault('wst:InvalidRequest', 'A holder-of-key request needs the certificate in a BinarySecurityToken.');
  }
  const usernameToken = security && (security.getElementsByTagNameNS(WSSE, 'UsernameToken')[0] as Element | undefined);
  const username = childText(usernameToken, WSSE, 'Username');
  const password = childText(usernameToken, WSSE, 'Password');
  if (!username || password === undefined) throw failedAuthentication('no UsernameToken');
  const checked = await credentials.check(username, password);
  if (!checked.ok) throw failedAuthentication(checked.reason);

  const now = clock.now();
  const lifetime = operation.getElementsByTagNameNS(WST, 'Lifetime')[0] as Element | undefined;
  const requestedEnd = Date.parse(childText(lifetime, WSU, 'Expires') ?? '');
  const notOnOrAfter = Math.min(Number.isFinite(requestedEnd) ? requestedEnd : now + policy.defaultLifetimeMs, now + policy.maxLifetimeMs);
  if (notOnOrAfter <= now) throw new SoapFault('wst:InvalidTimeRange', 'The requested lifetime has already ended.');
  const delegable = childText(operation, WST, 'Delegatable') === 'true';
  const { user } = checked;
  const assertion = issueAssertion(keys, {
    subject: `${user.name}@${user.domain}`,
    notBefore: now,
    notOnOrAfter,
    delegable,
    issuer: policy.issuer,
    ...(policy.audience ? { audience: policy.audience } : {}),
    ...(holderCertificate ? { holderCertificate } : {}),
  });
  return [
    `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${WST}" xmlns:wsu="${WSU}">`,
    '<wst:RequestSecurityTokenResponse>',
    '<wst:TokenType>urn:oasis:names:tc:SAML:2.0:assertion</wst:TokenType>',
    `<wst:Lifetime><wsu:Created>${iso(now)}</wsu:Created><wsu:Expires>${iso(notOnOrAfter)}</wsu:Expires></wst:Lifetime>`,
    `<wst:RequestedSecurityToken>${assertion}</wst:RequestedSecurityToken>`,
    '<wst:Renewing Allow="false" OK="false"/>',
    `<wst:Delegatable>${delegable}</wst:Delegatable>`,
    `<wst:KeyType>${escapeXml(keyType)}</wst:KeyType>`,
    '</wst:RequestSecurityTokenResponse>',
    '</wst:RequestSecurityTokenResponseCollection>',
  ].join('');
}
