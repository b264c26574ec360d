import { unauthenticated } from '../core/errors.js';
import { SCHEMES } from '../core/schemes.js';
import type { GroupRefresh } from '../directory/group-refresh.js';
import type { Account } from '../identity/account.js';
import type { SessionService } from '../sessions/session-service.js';
import type { SessionRecord } from '../store/store.js';
import type { Authenticator } from './authenticator.js';
import { principalOf } from './principal-of.js';

/** The account of a session: its user record, or for a directory user the account it keeps, groups refreshed when due. */
async function accountOf(session: SessionRecord, user: Account | undefined, sessions: SessionService, groups: GroupRefresh): Promise<Account | undefined> {
  if (!session.directory) return user;
  const kept = { key: session.userKey, ...session.directory };
  const current = await groups.current(kept);
  if (current && current.groupsReadAt !== kept.groupsReadAt) {
    await sessions.updateDirectoryAccount(session.key, { name: current.name, domain: current.domain, groups: [...current.groups], groupsReadAt: current.groupsReadAt });
  }
  return current;
}

/**
 * `com.vmware.vapi.std.security.session_id`: a token from `com.vmware.cis.session.create`.
 * The account and the authorization version are read on every request (with the session, in one
 * store read), so a removed user's sessions stop at once and a role change applies to the next request.
 * A directory user's session keeps its account and groups; they are read from the directory again
 * every `groups.intervalMs`, and the session stops when the directory no longer has the user.
 */
export function sessionIdAuthenticator(sessions: SessionService, groups: GroupRefresh): Authenticator<typeof SCHEMES.sessionId> {
  return {
    scheme: SCHEMES.sessionId,
    async authenticate({ sessionId }) {
      const found = await sessions.validate(sessionId);
      if (!found) throw unauthenticated('unknown, expired or deleted session');
      const { session, authzVersion } = found;
      const account = await accountOf(session, found.user, sessions, groups);
      if (!account) throw unauthenticated('the session user no longer exists');
      return principalOf(account, SCHEMES.sessionId, {
        session: { key: session.key, createdAt: session.createdAt, lastAccessedAt: session.lastAccessedAt },
        authzVersion,
      });
    },
  };
}
