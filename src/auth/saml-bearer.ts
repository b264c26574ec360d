import { unauthenticated } from '../core/errors.js';
import { SCHEMES } from '../core/schemes.js';
import type { LocalIdentitySource } from '../identity/identity-source.js';
import { AssertionRejected, verifyAssertion, type AssertionPolicy } from '../saml/verify-assertion.js';
import type { Clock } from '../core/clock.js';
import type { Authenticator } from './authenticator.js';
import { principalOf } from './principal-of.js';

export interface SamlBearerPolicy extends AssertionPolicy {
  /** vCenter's "Bearer token usage allowance": off refuses every bearer token. */
  allowBearer: boolean;
  /** `sts="…"` in the challenge, where clients get tokens. */
  stsUrl?: string;
}

/**
 * `com.vmware.vapi.std.security.saml_bearer_token`: a SAML 2.0 bearer assertion signed by a trusted
 * issuer, delegable, valid now, whose subject is an account of the identity source. Every refusal is
 * the same UNAUTHENTICATED; the precise reason goes to the log.
 */
export function samlBearerAuthenticator(
  policy: SamlBearerPolicy,
  identity: LocalIdentitySource,
  clock: Clock,
  realm: string,
): Authenticator<typeof SCHEMES.samlBearer> {
  return {
    scheme: SCHEMES.samlBearer,
    challenge: `SIGN realm="vapi-auth",service="${realm}"${policy.stsUrl ? `,sts="${policy.stsUrl}"` : ''}`,
    async authenticate({ samlToken }) {
      if (!policy.allowBearer) throw unauthenticated('SAML bearer tokens are not allowed');
      let assertion;
      try {
        assertion = verifyAssertion(samlToken, policy, clock.now());
      } catch (error) {
        if (error instanceof AssertionRejected) throw unauthenticated(`SAML token refused: ${error.message}`);
        throw error;
      }
      if (assertion.confirmation !== 'bearer') throw unauthenticated('a holder-of-key token presented as a bearer token');
      if (!assertion.delegable) throw unauthenticated('the SAML token is not delegable');
      const user = identity.parse(assertion.subject) && (await identity.find(assertion.subject));
      if (!user) throw unauthenticated('the SAML subject is not an account of this identity source');
      return principalOf(user, SCHEMES.samlBearer, { notAfter: assertion.notOnOrAfter });
    },
  };
}
