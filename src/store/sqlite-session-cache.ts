import { SqliteReadCache, type SqliteChangeWatch } from './sqlite-change-watch.js';
import type { SessionWithUser } from './store.js';

/**
 * The sessions this process has read, with their accounts, kept while the database is unchanged
 * (src/store/sqlite-change-watch.ts): a deleted session, a removed user or a changed role is seen on
 * the very next read, and a read costs the check instead of the session joined with its account.
 */
export class SqliteSessionCache {
  readonly #cache: SqliteReadCache<SessionWithUser>;

  constructor(watch: SqliteChangeWatch, capacity?: number) {
    this.#cache = new SqliteReadCache(watch, capacity);
  }

  /** The cached session of `key` while it is live at `now`. */
  get(key: string, now: number): SessionWithUser | undefined {
    const found = this.#cache.get(key);
    return found !== undefined && found.session.expiresAt > now ? found : undefined;
  }

  /** Keeps a session just read; frozen, since every later read hands out the same object. */
  set(key: string, found: SessionWithUser): void {
    this.#cache.set(key, frozen(found));
  }

  /** The new times of a session whose row this connection just updated (SqliteChangeWatch.write). */
  retime(key: string, lastAccessedAt: number, expiresAt: number): void {
    const found = this.#cache.get(key);
    if (found) this.set(key, { ...found, session: { ...found.session, lastAccessedAt, expiresAt } });
  }
}

function frozen(found: SessionWithUser): SessionWithUser {
  const directory = found.session.directory;
  if (directory) Object.freeze(Object.freeze(directory).groups);
  Object.freeze(found.session);
  Object.freeze(found.user);
  return Object.freeze(found);
}
