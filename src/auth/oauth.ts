import { unauthenticated, unauthorized } from '../core/errors.js';
import { SCHEMES } from '../core/schemes.js';
import type { TokenService } from '../jwt/token-service.js';
import type { Authenticator } from './authenticator.js';

/**
 * `com.vmware.vapi.std.security.oauth`: this server's JWT bearer tokens. Every refusal is the
 * same UNAUTHENTICATED (the reason goes to the log), except a user who is no longer an
 * Administrator: they proved who they are, so they get UNAUTHORIZED.
 */
export function oauthAuthenticator(tokens: TokenService, realm: string): Authenticator<typeof SCHEMES.oauth> {
  return {
    scheme: SCHEMES.oauth,
    challenge: `Bearer realm="${realm}"`,
    async authenticate({ accessToken }) {
      const result = await tokens.check(accessToken);
      if (result.ok) return result.principal;
      if (result.code === 'not_authorized') throw unauthorized(result.reason);
      throw unauthenticated(result.reason);
    },
  };
}
