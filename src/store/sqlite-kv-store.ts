import type { SqliteReadCache } from './sqlite-change-watch.js';
import type Database from 'better-sqlite3';
import { admits } from './claim-rule.js';
import type { ClaimCaps, ClaimMember, ClaimResult, KeyValueStore } from './store.js';
import { guarded } from './sqlite-guard.js';

interface KvRecord {
  value: string;
  expiresAt: number;
}

export const KV_SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_by_expiry ON kv (expires_at);
CREATE TABLE IF NOT EXISTS claims (
  key TEXT NOT NULL,
  id TEXT NOT NULL,
  grp TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (key, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS claims_by_expiry ON claims (expires_at);
`;


/**
 * Expiring records in one table; the counter is a single UPSERT, atomic across processes. Bounded
 * sets live in their own table; a claim reads and writes them in one IMMEDIATE transaction.
 */
export class SqliteKeyValueStore implements KeyValueStore {
  readonly #claim: (key: string, member: ClaimMember, caps: ClaimCaps, now: number) => ClaimResult;
  readonly #release: Database.Statement;
  readonly #increment: Database.Statement<{ key: string; now: number; expiresAt: number }, { value: string }>;
  readonly #put: Database.Statement;
  readonly #get: Database.Statement<[string], KvRecord>;
  readonly #delete: Database.Statement;
  /** Records read (expired ones too: expiry is a matter of the time of each read), or null for none. */
  readonly #cache: SqliteReadCache<KvRecord | null>;

  constructor(db: Database.Database, cache: SqliteReadCache<KvRecord | null>) {
    this.#cache = cache;
    this.#increment = db.prepare(`
      INSERT INTO kv (key, value, expires_at) VALUES (@key, '1', @expiresAt)
      ON CONFLICT (key) DO UPDATE SET
        value = CASE WHEN expires_at <= @now THEN '1' ELSE CAST(CAST(value AS INTEGER) + 1 AS TEXT) END,
        expires_at = CASE WHEN expires_at <= @now THEN @expiresAt ELSE expires_at END
      RETURNING value`);
    this.#put = db.prepare(
      'INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    );
    this.#get = db.prepare('SELECT value, expires_at AS expiresAt FROM kv WHERE key = ?');
    this.#delete = db.prepare('DELETE FROM kv WHERE key = ?');
    const dropExpired = db.prepare('DELETE FROM claims WHERE key = ? AND expires_at <= ?');
    const live = db.prepare<[string], { id: string; group: string; expiresAt: number }>('SELECT id, grp AS "group", expires_at AS expiresAt FROM claims WHERE key = ?');
    const add = db.prepare('INSERT INTO claims (key, id, grp, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (key, id) DO UPDATE SET grp = excluded.grp, expires_at = excluded.expires_at');
    const step = db.transaction((key: string, member: ClaimMember, caps: ClaimCaps, now: number): ClaimResult => {
      dropExpired.run(key, now);
      const result = admits(live.all(key), member, caps);
      if (result.ok) add.run(key, member.id, member.group, member.expiresAt);
      return result;
    });
    this.#claim = (key, member, caps, now) => step.immediate(key, member, caps, now);
    this.#release = db.prepare('DELETE FROM claims WHERE key = ? AND id = ?');
  }

  claim(key: string, member: ClaimMember, caps: ClaimCaps, now: number): Promise<ClaimResult> {
    return guarded(() => this.#claim(key, member, caps, now));
  }

  release(key: string, id: string): Promise<void> {
    return guarded(() => {
      this.#release.run(key, id);
    });
  }

  increment(key: string, windowMs: number, now: number): Promise<number> {
    return guarded(() => Number(this.#increment.get({ key, now, expiresAt: now + windowMs })!.value));
  }

  put(key: string, value: string, expiresAt: number): Promise<void> {
    return guarded(() => {
      this.#put.run(key, value, expiresAt);
    });
  }

  get(key: string, now: number): Promise<string | undefined> {
    return guarded(() => {
      const record = this.#cache.through(key, () => this.#get.get(key) ?? null);
      return record !== null && record.expiresAt > now ? record.value : undefined;
    });
  }

  delete(key: string): Promise<void> {
    return guarded(() => {
      this.#delete.run(key);
    });
  }
}
