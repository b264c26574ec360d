import type { SessionRecord, SessionStore } from '../store/store.js';

/**
 * How much of a session's key (the SHA-256 of its id) is shown to administrators: enough to tell
 * sessions apart, and never the id a client holds, which the key cannot be turned back into.
 */
export const SESSION_HANDLE_LENGTH = 12;
/** The shortest prefix that names a session: a shorter one would too easily name another than meant. */
export const MIN_HANDLE_PREFIX = 6;

const PREFIX = new RegExp(`^[0-9a-f]{${MIN_HANDLE_PREFIX},64}$`);

/** The handle a session is shown and named by. */
export function sessionHandle(session: Pick<SessionRecord, 'key'>): string {
  return session.key.slice(0, SESSION_HANDLE_LENGTH);
}

/** Whether `prefix` can name a session: 6 to 64 lower-case hex characters. */
export function isHandlePrefix(prefix: string): boolean {
  return PREFIX.test(prefix);
}

export type SessionMatch = { kind: 'one'; session: SessionRecord } | { kind: 'none' } | { kind: 'several'; count: number };

/** The live session whose key starts with `prefix` (checked by isHandlePrefix), if exactly one does. */
export async function sessionByHandle(sessions: SessionStore, prefix: string, now: number): Promise<SessionMatch> {
  const matching = (await sessions.list(now)).filter((session) => session.key.startsWith(prefix));
  if (matching.length === 1) return { kind: 'one', session: matching[0]! };
  return matching.length === 0 ? { kind: 'none' } : { kind: 'several', count: matching.length };
}
