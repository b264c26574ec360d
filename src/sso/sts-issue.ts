import type { Element } from '@xmldom/xmldom';
import { childElements } from '../saml/parse-xml.js';
import { classOfReason } from '../observability/reason-class.js';
import { DSIG } from '../saml/verify-assertion.js';
import { issueAssertion } from './issue-assertion.js';
import { SoapFault, WSSE, WST } from './soap.js';
import { childText } from './soap-envelope.js';
import { failedAuthentication, grantedEnd, signedBy, tokenResponse, type Sts, type StsRequest } from './sts-service.js';

const BEARER_KEY = `${WST}/Bearer`;
const PUBLIC_KEY = `${WST}/PublicKey`;

/**
 * The WS-Trust 1.3 `Issue` binding of the STS: a UsernameToken in the WS-Security header is checked
 * by the server's one credential check (lockout included), and a SAML 2.0 assertion signed with the
 * STS key is returned — bearer, or holder-of-key bound to the certificate whose key signed the
 * request — for the requested lifetime, capped by policy, delegable and renewable if asked.
 */
export async function issue(request: StsRequest, sts: Sts): Promise<string> {
  const security = request.header && childElements(request.header, WSSE, 'Security')[0];
  // A signed request is read from what was signed. A holder-of-key token needs one: the signature
  // proves possession of the key the token is bound to (WS-Trust's PublicKey key type).
  const signed = security && childElements(security, DSIG, 'Signature').length > 0 ? signedBy(request, sts) : undefined;
  const operation: Element = signed?.operation ?? request.operation;
  const keyType = childText(operation, WST, 'KeyType') ?? BEARER_KEY;
  if (keyType !== BEARER_KEY && keyType !== PUBLIC_KEY) throw new SoapFault('wst:InvalidRequest', `Key type ${keyType} is not supported.`);
  if (keyType === PUBLIC_KEY && !signed) {
    throw new SoapFault('wst:InvalidRequest', 'A holder-of-key request must be signed with the key of the certificate in its BinarySecurityToken.');
  }
  const usernameToken = security && childElements(security, WSSE, 'UsernameToken')[0];
  const username = childText(usernameToken, WSSE, 'Username');
  const password = childText(usernameToken, WSSE, 'Password');
  if (!username || password === undefined) throw failedAuthentication('no UsernameToken');
  const checked = await sts.credentials.check(username, password);
  const login = { user: username, scheme: 'sts_username_token' };
  if (!checked.ok) {
    sts.audit.record({ event: 'login.failure', ...login, reason: classOfReason(checked.reason) });
    throw failedAuthentication(checked.reason);
  }
  sts.audit.record({ event: 'login.success', ...login });

  const now = sts.clock.now();
  const expires = grantedEnd(operation, sts.policy, now);
  const delegable = childText(operation, WST, 'Delegatable') === 'true';
  const renewable = childElements(operation, WST, 'Renewing')[0]?.getAttribute('Allow') === 'true' && sts.policy.maxRenewals > 0;
  // Published for as long as any node accepts the token: its end plus the clock tolerance.
  const assertion = issueAssertion(await sts.signingKey.forTokenUntil(expires + sts.assertions.clockToleranceMs, now), sts.policy, {
    subject: checked.user,
    notBefore: now,
    notOnOrAfter: expires,
    delegable,
    renewals: renewable ? sts.policy.maxRenewals : 0,
    ...(keyType === PUBLIC_KEY ? { holderCertificate: signed!.certificateDer } : {}),
  });
  const response = tokenResponse({ assertion, created: now, expires, renewable, delegable, keyType });
  sts.audit.record({ event: 'sts.issued', user: checked.user.name, domain: checked.user.domain, scheme: login.scheme });
  return `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${WST}">${response}</wst:RequestSecurityTokenResponseCollection>`;
}
