import { unauthenticated } from '../core/errors.js';
import { SCHEMES } from '../core/schemes.js';
import type { SessionService } from '../sessions/session-service.js';
import type { Authenticator } from './authenticator.js';
import { principalOf } from './principal-of.js';

/**
 * `com.vmware.vapi.std.security.session_id`: a token from `com.vmware.cis.session.create`.
 * The account and the authorization version are read on every request (with the session, in one
 * store read), so a removed user's sessions stop at once and a role change applies to the next request.
 */
export function sessionIdAuthenticator(sessions: SessionService): Authenticator<typeof SCHEMES.sessionId> {
  return {
    scheme: SCHEMES.sessionId,
    async authenticate({ sessionId }) {
      const found = await sessions.validate(sessionId);
      if (!found) throw unauthenticated('unknown, expired or deleted session');
      const { session, user, authzVersion } = found;
      if (!user) throw unauthenticated('the session user no longer exists');
      return principalOf(user, SCHEMES.sessionId, {
        session: { key: session.key, createdAt: session.createdAt, lastAccessedAt: session.lastAccessedAt },
        authzVersion,
      });
    },
  };
}
