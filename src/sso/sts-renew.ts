import { X509Certificate } from 'node:crypto';
import { isSolutionUser } from '../identity/identity-source.js';
import { issueAssertion } from './issue-assertion.js';
import { SoapFault, WST } from './soap.js';
import { checkAssertion, failedAuthentication, grantedEnd, signedBy, targetToken, tokenResponse, type Sts, type StsRequest } from './sts-service.js';

function unableToRenew(reason: string): SoapFault {
  return new SoapFault('wst:UnableToRenew', 'The token cannot be renewed.', 500, reason);
}

/**
 * The WS-Trust 1.3 `Renew` binding, as vCenter's STS answers it: a holder-of-key token of this STS,
 * still valid and renewable, in a request signed by the key the token is bound to, is re-issued for
 * the requested lifetime (capped by policy) with one renewal fewer, to an account that still exists
 * and is not locked. Bearer tokens are not renewed: nothing proves who presents them.
 */
export async function renew(request: StsRequest, sts: Sts): Promise<string> {
  const now = sts.clock.now();
  const signed = await signedBy(request, sts);
  // Only the cluster's own tokens (any node's STS key, current or retired) are renewed, never another issuer's.
  const own = await sts.issuers.policy(sts.assertions, now, 'cluster');
  const verdict = checkAssertion(targetToken(signed.operation, 'RenewTarget'), own, now);
  if (!('assertion' in verdict)) throw unableToRenew(verdict.reason);
  const token = verdict.assertion;
  if (!token.holderCertificate) throw unableToRenew('a bearer token is never renewed');
  if (!new X509Certificate(token.holderCertificate).raw.equals(Buffer.from(signed.certificateDer, 'base64'))) {
    throw failedAuthentication('the request is not signed by the holder of the token');
  }
  if (token.renewals < 1) throw unableToRenew('the token is not renewable, or has been renewed as often as allowed');
  const user = await sts.credentials.standing(token.subject);
  if (!user) throw failedAuthentication('the account of the token no longer exists or is locked');

  const expires = grantedEnd(signed.operation, sts.policy, now);
  const renewals = token.renewals - 1;
  const assertion = issueAssertion(await sts.signingKey.forTokenUntil(expires + sts.assertions.clockToleranceMs, now), sts.policy, {
    subject: user,
    notBefore: now,
    notOnOrAfter: expires,
    delegable: token.delegable,
    renewals,
    holderCertificate: signed.certificateDer,
    solution: isSolutionUser(user),
    delegates: token.delegates,
  });
  sts.audit.record({ event: 'sts.renewed', user: user.name, domain: user.domain });
  return tokenResponse({ assertion, created: now, expires, renewable: renewals > 0, delegable: token.delegable, keyType: `${WST}/PublicKey` });
}
