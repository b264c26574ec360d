import type { Flags } from '../config/options.js';
import { systemClock } from '../core/clock.js';
import { parseUserName, userKey } from '../identity/user-name.js';
import { isHandlePrefix, MIN_HANDLE_PREFIX, sessionByHandle, sessionHandle } from '../sessions/session-handle.js';
import type { SessionRecord, SessionStore } from '../store/store.js';
import { printList, UsageError, withAdminStore } from './admin-store.js';
import { usageLine } from './commands.js';

/** The domain of a user name given without one, as the servers read it. */
const DEFAULT_DOMAIN = 'vsphere.local';

/** The store key of the user `--user` names, in any form a login accepts. */
function userKeyOf(name: string): string {
  const qualified = parseUserName(name, DEFAULT_DOMAIN);
  if (!qualified) throw new UsageError(`"${name}" is not a user name`);
  return userKey(qualified);
}

function view(session: SessionRecord) {
  return {
    id: sessionHandle(session),
    user: session.userKey,
    created: new Date(session.createdAt).toISOString(),
    lastAccess: new Date(session.lastAccessedAt).toISOString(),
    scheme: session.scheme ?? null,
    clientAddress: session.clientAddress ?? null,
  };
}

/** The one live session whose key starts with `prefix`; UsageError when several do (exit 2), Error when none does. */
async function sessionByPrefix(sessions: SessionStore, prefix: string, now: number): Promise<SessionRecord> {
  const match = await sessionByHandle(sessions, prefix, now);
  if (match.kind === 'several') throw new UsageError(`${match.count} sessions start with ${prefix}: give more of the id`);
  if (match.kind === 'none') throw new Error(`no live session starts with ${prefix}`);
  return match.session;
}

/**
 * `vapi-auth session list|revoke`: the live sessions of the store the servers use. The store keeps
 * only the SHA-256 of each session id, so a session is named by a prefix of that hash. A revoked
 * session is gone from the store: every node refuses it on its next request.
 */
export async function sessionCommand(verb: string, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const user = typeof flags.user === 'string' ? userKeyOf(flags.user) : undefined;
  const prefix = args[0]?.toLowerCase();
  if (verb === 'revoke') {
    if ((prefix === undefined) === (user === undefined)) throw new UsageError(`give a session id prefix or --user, not both nor neither; usage: ${usageLine('session', 'revoke')}`);
    if (prefix !== undefined && !isHandlePrefix(prefix)) {
      throw new UsageError(`"${args[0]}" is not a session id prefix: ${MIN_HANDLE_PREFIX} to 64 hex characters, as session list shows them`);
    }
  }
  await withAdminStore(flags, env, 'session commands', async ({ store, audit }) => {
    const now = systemClock.now();
    if (verb === 'list') {
      printList(out, flags, (await store.sessions.list(now, user)).map(view), (s) =>
        [s.id, s.user, s.created, s.lastAccess, s.scheme ?? '-', s.clientAddress ?? '-'].join('\t'),
      );
      return;
    }
    const doomed = prefix !== undefined ? [await sessionByPrefix(store.sessions, prefix, now)] : await store.sessions.list(now, user);
    let revoked = 0;
    for (const session of doomed) {
      if (!(await store.sessions.delete(session.key, now))) continue;
      revoked++;
      audit.record({ event: 'session.revoked', user: session.userKey, target: sessionHandle(session) });
    }
    out.write(prefix !== undefined ? `Revoked session ${sessionHandle(doomed[0]!)} of ${doomed[0]!.userKey}\n` : `Revoked ${revoked} session${revoked === 1 ? '' : 's'} of ${user}\n`);
  });
}
