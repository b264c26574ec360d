import type Database from 'better-sqlite3';
import type { KeyValueStore } from './store.js';
import { guarded } from './sqlite-guard.js';

export const KV_SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_by_expiry ON kv (expires_at);
`;


/** Expiring records in one table; the counter is a single UPSERT, atomic across processes. */
export class SqliteKeyValueStore implements KeyValueStore {
  readonly #increment: Database.Statement<{ key: string; now: number; expiresAt: number }, { value: string }>;
  readonly #put: Database.Statement;
  readonly #get: Database.Statement<[string, number], { value: string }>;
  readonly #delete: Database.Statement;

  constructor(db: Database.Database) {
    this.#increment = db.prepare(`
      INSERT INTO kv (key, value, expires_at) VALUES (@key, '1', @expiresAt)
      ON CONFLICT (key) DO UPDATE SET
        value = CASE WHEN expires_at <= @now THEN '1' ELSE CAST(CAST(value AS INTEGER) + 1 AS TEXT) END,
        expires_at = CASE WHEN expires_at <= @now THEN @expiresAt ELSE expires_at END
      RETURNING value`);
    this.#put = db.prepare(
      'INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    );
    this.#get = db.prepare('SELECT value FROM kv WHERE key = ? AND expires_at > ?');
    this.#delete = db.prepare('DELETE FROM kv WHERE key = ?');
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
    return guarded(() => this.#get.get(key, now)?.value);
  }

  delete(key: string): Promise<void> {
    return guarded(() => {
      this.#delete.run(key);
    });
  }
}
