import { unauthenticated } from '../core/errors.js';
import { SCHEMES } from '../core/schemes.js';
import type { CredentialChecker } from '../identity/credential-check.js';
import type { Authenticator } from './authenticator.js';
import { principalOf } from './principal-of.js';

/** `com.vmware.vapi.std.security.user_pass`: a name and password, through the lockout-aware check. */
export function userPassAuthenticator(credentials: CredentialChecker, realm: string): Authenticator<typeof SCHEMES.userPass> {
  return {
    scheme: SCHEMES.userPass,
    challenge: `Basic realm="${realm}"`,
    async authenticate({ userName, password }) {
      const result = await credentials.check(userName, password);
      if (!result.ok) throw unauthenticated(result.reason);
      return principalOf(result.user, SCHEMES.userPass);
    },
  };
}
