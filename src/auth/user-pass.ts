import { unauthenticated } from '../core/errors.js';
import { SCHEMES } from '../core/schemes.js';
import type { LocalIdentitySource } from '../identity/identity-source.js';
import type { Authenticator } from './authenticator.js';

/** `com.vmware.vapi.std.security.user_pass`: a name and password checked by the identity source. */
export function userPassAuthenticator(identity: LocalIdentitySource, realm: string): Authenticator<typeof SCHEMES.userPass> {
  return {
    scheme: SCHEMES.userPass,
    challenge: `Basic realm="${realm}"`,
    async authenticate({ userName, password }) {
      const user = await identity.verify(userName, password);
      if (!user) throw unauthenticated('wrong user name or password');
      return { userKey: user.key, name: user.name, domain: user.domain, roles: user.roles, scheme: SCHEMES.userPass };
    },
  };
}
