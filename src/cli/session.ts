import type { Flags } from '../config/options.js';
import { systemClock } from '../core/clock.js';
import { parseUserName, userKey } from '../identity/user-name.js';
import type { SessionRecord, SessionStore } from '../store/store.js';
import { printList, UsageError, withAdminStore } from './admin-store.js';
import { usageLine } from './commands.js';

/** How much of a session's key (the SHA-256 of its id) `session list` shows: enough to tell sessions apart. */
const SHOWN_KEY_LENGTH = 12;
/** The shortest prefix `session revoke` takes: a shorter one would too easily name another session than meant. */
const MIN_PREFIX_LENGTH = 6;
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
    id: session.key.slice(0, SHOWN_KEY_LENGTH),
    user: session.userKey,
    created: new Date(session.createdAt).toISOString(),
    lastAccess: new Date(session.lastAccessedAt).toISOString(),
    scheme: session.scheme ?? null,
    clientAddress: session.clientAddress ?? null,
  };
}

/** The one live session whose key starts with `prefix`; UsageError when several do (exit 2), Error when none does. */
async function sessionByPrefix(sessions: SessionStore, prefix: string, now: number): Promise<SessionRecord> {
  const matching = (await sessions.list(now)).filter((session) => session.key.startsWith(prefix));
  if (matching.length > 1) throw new UsageError(`${matching.length} sessions start with ${prefix}: give more of the id`);
  if (matching.length === 0) throw new Error(`no live session starts with ${prefix}`);
  return matching[0]!;
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
    if (prefix !== undefined && !new RegExp(`^[0-9a-f]{${MIN_PREFIX_LENGTH},64}$`).test(prefix)) {
      throw new UsageError(`"${args[0]}" is not a session id prefix: ${MIN_PREFIX_LENGTH} to 64 hex characters, as session list shows them`);
    }
  }
  await withAdminStore(flags, env, 'session commands', async ({ store }) => {
    const now = systemClock.now();
    if (verb === 'list') {
      printList(out, flags, (await store.sessions.list(now, user)).map(view), (s) =>
        [s.id, s.user, s.created, s.lastAccess, s.scheme ?? '-', s.clientAddress ?? '-'].join('\t'),
      );
      return;
    }
    const doomed = prefix !== undefined ? [await sessionByPrefix(store.sessions, prefix, now)] : await store.sessions.list(now, user);
    let revoked = 0;
    for (const session of doomed) if (await store.sessions.delete(session.key, now)) revoked++;
    out.write(prefix !== undefined ? `Revoked session ${doomed[0]!.key.slice(0, SHOWN_KEY_LENGTH)} of ${doomed[0]!.userKey}\n` : `Revoked ${revoked} session${revoked === 1 ? '' : 's'} of ${user}\n`);
  });
}
