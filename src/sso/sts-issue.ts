import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import type { Account } from '../identity/account.js';
import { isSolutionUser } from '../identity/identity-source.js';
import { classOfReason } from '../observability/reason-class.js';
import { childElements } from '../saml/parse-xml.js';
import { DSIG, type Delegate, type VerifiedAssertion } from '../saml/verify-assertion.js';
import { issueAssertion } from './issue-assertion.js';
import { SoapFault, WSSE, WST, WST14 } from './soap.js';
import { childText } from './soap-envelope.js';
import { failedAuthentication, grantedEnd, serialize, signedBy, tokenResponse, trustedToken, type Sts, type StsRequest } from './sts-service.js';
import type { SignedRequest } from './ws-security.js';

const BEARER_KEY = `${WST}/Bearer`;
const PUBLIC_KEY = `${WST}/PublicKey`;
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** Who asks for a token, as the request proves it. */
interface Requester {
  account: Account;
  /** How it proved it: the audit log's scheme. */
  scheme: 'sts_username_token' | 'sts_certificate' | 'sts_token';
  /** The token a token-by-token request presented: the new one is no more delegable than it. */
  presented?: VerifiedAssertion;
}

/** What the new token says about its subject. */
interface Subject {
  account: Account;
  delegates: Delegate[];
}


/** The one child of the Security header in `namespace`/`localName`, if any. */
function securityChild(security: Element | undefined, namespace: string, localName: string): Element | undefined {
  const found = security ? childElements(security, namespace, localName) : [];
  if (found.length > 1) throw new SoapFault('wst:InvalidRequest', `The Security header holds more than one ${localName}.`);
  return found[0];
}

/** A password: the server's one credential check, lockout included. */
async function byPassword(usernameToken: Element, sts: Sts): Promise<Requester> {
  const username = childText(usernameToken, WSSE, 'Username');
  const password = childText(usernameToken, WSSE, 'Password');
  if (!username || password === undefined) throw failedAuthentication('an incomplete UsernameToken');
  const checked = await sts.credentials.check(username, password);
  const login = { user: username, scheme: 'sts_username_token' };
  if (!checked.ok) {
    sts.audit.record({ event: 'login.failure', ...login, reason: classOfReason(checked.reason) });
    throw failedAuthentication(checked.reason);
  }
  sts.audit.record({ event: 'login.success', ...login });
  return { account: checked.user, scheme: 'sts_username_token' };
}

/**
 * A certificate (identity.md §2): the request is signed with the key of the BinarySecurityToken's
 * certificate, which is a registered solution user's, valid now, and the solution user is not locked.
 */
async function byCertificate(signed: SignedRequest, sts: Sts): Promise<Requester> {
  const solutionUser = await sts.identity.local.findByCertificate(signed.certificateDer);
  const refuse = (reason: string) => {
    sts.audit.record({ event: 'login.failure', ...(solutionUser ? { user: solutionUser.name, domain: solutionUser.domain } : {}), scheme: 'sts_certificate', reason: 'bad_credentials' });
    return failedAuthentication(reason);
  };
  if (!solutionUser) throw refuse('the certificate is no solution user\'s');
  const certificate = new X509Certificate(Buffer.from(signed.certificateDer, 'base64'));
  const now = sts.clock.now();
  if (now < Date.parse(certificate.validFrom)) throw refuse('the solution user\'s certificate is not valid yet');
  if (now >= Date.parse(certificate.validTo)) throw refuse('the solution user\'s certificate has expired');
  if (await sts.credentials.isLocked(solutionUser.key)) throw refuse('account locked');
  sts.audit.record({ event: 'login.success', user: solutionUser.name, domain: solutionUser.domain, scheme: 'sts_certificate' });
  return { account: solutionUser, scheme: 'sts_certificate' };
}

/**
 * A holder-of-key token in the Security header (token by token): a token of a trusted issuer, valid
 * now, whose account still stands, and a request signature by the key the token is bound to.
 */
async function byToken(token: Element, request: StsRequest, sts: Sts): Promise<{ requester: Requester; signed: SignedRequest }> {
  const verdict = await trustedToken(serialize(token), sts);
  if (!('assertion' in verdict)) throw failedAuthentication(`the token of the request refused: ${verdict.reason}`);
  const presented = verdict.assertion;
  if (!presented.holderCertificate) throw failedAuthentication('a bearer token cannot sign a request');
  const signed = await signedBy(request, sts, { assertionId: presented.id, holderCertificate: presented.holderCertificate });
  const account = await sts.credentials.standing(presented.subject);
  if (!account) throw failedAuthentication('the account of the token no longer exists or is locked');
  return { requester: { account, scheme: 'sts_token', presented }, signed };
}

/**
 * ActAs (identity.md §3): a solution user asks for a token for the user whose token it presents. The
 * token must be of a trusted issuer, valid, delegable, for an account that still stands; the new
 * token names that user and records the solution user as the latest delegate.
 */
async function actingFor(actAs: Element, requester: Requester, sts: Sts): Promise<Subject> {
  // Only a solution user may act for another.
  if (!isSolutionUser(requester.account)) throw failedAuthentication('only a solution user may act for another');
  const tokens = childElements(actAs, SAML, 'Assertion');
  if (tokens.length !== 1) throw new SoapFault('wst:InvalidRequest', 'ActAs must hold one SAML 2.0 assertion.');
  const verdict = await trustedToken(serialize(tokens[0]!), sts);
  if (!('assertion' in verdict)) throw failedAuthentication(`the ActAs token refused: ${verdict.reason}`);
  const token = verdict.assertion;
  if (!token.delegable) throw failedAuthentication('the ActAs token is not delegable');
  const account = await sts.credentials.standing(token.subject);
  if (!account) throw failedAuthentication('the account of the ActAs token no longer exists or is locked');
  const actor = `${requester.account.name}@${requester.account.domain}`;
  return { account, delegates: [...token.delegates, { name: actor, instant: sts.clock.now() }] };
}

/**
 * The WS-Trust 1.3 `Issue` binding of the STS. The requester proves who it is by one of: a
 * UsernameToken (a user's password); a signature by a solution user's certificate (the
 * BinarySecurityToken); or a holder-of-key token in the header and a signature by its key (token by
 * token). A SAML 2.0 assertion signed with the STS key is returned — bearer, or holder-of-key bound
 * to the certificate whose key signed the request — for the requested lifetime, capped by policy,
 * delegable and renewable if asked. A solution user may ask for a token for a user (ActAs).
 */
export async function issue(request: StsRequest, sts: Sts): Promise<string> {
  const security = request.header && childElements(request.header, WSSE, 'Security')[0];
  const usernameToken = securityChild(security, WSSE, 'UsernameToken');
  const headerToken = usernameToken ? undefined : securityChild(security, SAML, 'Assertion');
  let requester: Requester;
  let signed: SignedRequest | undefined;
  if (headerToken) {
    ({ requester, signed } = await byToken(headerToken, request, sts));
  } else {
    // A signed request is read from what was signed. A holder-of-key token needs one: the signature
    // proves possession of the key the token is bound to (WS-Trust's PublicKey key type).
    signed = securityChild(security, DSIG, 'Signature') ? await signedBy(request, sts) : undefined;
    if (usernameToken) requester = await byPassword(usernameToken, sts);
    else if (signed) requester = await byCertificate(signed, sts);
    else throw failedAuthentication('no credentials: neither a UsernameToken, a certificate nor a token');
  }
  const operation: Element = signed?.operation ?? request.operation;
  const keyType = childText(operation, WST, 'KeyType') ?? BEARER_KEY;
  if (keyType !== BEARER_KEY && keyType !== PUBLIC_KEY) throw new SoapFault('wst:InvalidRequest', `Key type ${keyType} is not supported.`);
  if (keyType === PUBLIC_KEY && !signed) {
    throw new SoapFault('wst:InvalidRequest', 'A holder-of-key request must be signed with the key of the certificate in its BinarySecurityToken.');
  }
  const actAs = childElements(operation, WST14, 'ActAs');
  if (actAs.length > 1) throw new SoapFault('wst:InvalidRequest', 'A request acts for one user only.');
  const subject: Subject = actAs[0]
    ? await actingFor(actAs[0], requester, sts)
    : { account: requester.account, delegates: requester.presented?.delegates ?? [] };

  const now = sts.clock.now();
  const expires = grantedEnd(operation, sts.policy, now);
  const delegable = childText(operation, WST, 'Delegatable') === 'true' && (requester.presented?.delegable ?? true);
  const renewable = childElements(operation, WST, 'Renewing')[0]?.getAttribute('Allow') === 'true' && sts.policy.maxRenewals > 0;
  // Published for as long as any node accepts the token: its end plus the clock tolerance.
  const assertion = issueAssertion(await sts.signingKey.forTokenUntil(expires + sts.assertions.clockToleranceMs, now), sts.policy, {
    subject: subject.account,
    notBefore: now,
    notOnOrAfter: expires,
    delegable,
    renewals: renewable ? sts.policy.maxRenewals : 0,
    solution: isSolutionUser(subject.account),
    delegates: subject.delegates,
    ...(keyType === PUBLIC_KEY ? { holderCertificate: signed!.certificateDer } : {}),
  });
  const response = tokenResponse({ assertion, created: now, expires, renewable, delegable, keyType });
  const actor = subject.delegates.at(-1)?.name;
  sts.audit.record({ event: 'sts.issued', user: subject.account.name, domain: subject.account.domain, scheme: requester.scheme, ...(actor ? { actor } : {}) });
  return `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${WST}">${response}</wst:RequestSecurityTokenResponseCollection>`;
}
