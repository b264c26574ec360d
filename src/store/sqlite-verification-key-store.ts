import type { SqliteReadCache } from './sqlite-change-watch.js';
import type Database from 'better-sqlite3';
import { guarded } from './sqlite-guard.js';
import type { VerificationKey, VerificationKeyStore } from './store.js';

/** Schema 6 records when a key was made (a nullable column, added to tables of earlier schemas). */
export function addKeyCreationColumn(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(verification_keys)').all();
  if (!columns.some((column) => column.name === 'created_at')) db.exec('ALTER TABLE verification_keys ADD COLUMN created_at INTEGER');
}

/** A withdrawn key keeps its row (no material, `withdrawn` = 1) so that it is never published again. */
export const VERIFICATION_KEY_SCHEMA = `
CREATE TABLE IF NOT EXISTS verification_keys (
  use TEXT NOT NULL,
  id TEXT NOT NULL,
  material TEXT NOT NULL,
  trusted_until INTEGER NOT NULL,
  withdrawn INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (use, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS verification_key_version (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  version INTEGER NOT NULL
);
INSERT OR IGNORE INTO verification_key_version (singleton, version) VALUES (1, 0);
`;

/** A key as its row holds it (no creation time: null). */
type KeyRow = Omit<VerificationKey, 'createdAt'> & { createdAt: number | null };

/** Published keys in one table; every change bumps the version row in the same IMMEDIATE transaction. */
export class SqliteVerificationKeyStore implements VerificationKeyStore {
  readonly #publish: (key: KeyRow) => 'published' | 'withdrawn';
  readonly #withdraw: (use: VerificationKey['use'], id: string, now: number) => boolean;
  readonly #list: (now: number) => { version: number; keys: VerificationKey[] };
  readonly #version: Database.Statement<[], { version: number }>;
  readonly #purge: Database.Statement;

  /** The version read, while the database is unchanged. */
  readonly #versionCache: SqliteReadCache<number>;

  constructor(db: Database.Database, versionCache: SqliteReadCache<number>) {
    this.#versionCache = versionCache;
    const find = db.prepare<[string, string], { trustedUntil: number; withdrawn: number }>(
      'SELECT trusted_until AS trustedUntil, withdrawn FROM verification_keys WHERE use = ? AND id = ?',
    );
    const upsert = db.prepare(`
      INSERT INTO verification_keys (use, id, material, trusted_until, withdrawn, created_at) VALUES (@use, @id, @material, @trustedUntil, 0, @createdAt)
      ON CONFLICT (use, id) DO UPDATE SET material = excluded.material, trusted_until = excluded.trusted_until, created_at = excluded.created_at`);
    const markWithdrawn = db.prepare(`
      INSERT INTO verification_keys (use, id, material, trusted_until, withdrawn) VALUES (?, ?, '', 0, 1)
      ON CONFLICT (use, id) DO UPDATE SET material = '', trusted_until = 0, withdrawn = 1`);
    const bump = db.prepare('UPDATE verification_key_version SET version = version + 1');
    this.#version = db.prepare('SELECT version FROM verification_key_version');
    const live = db.prepare<[number], KeyRow>(
      'SELECT use, id, material, trusted_until AS trustedUntil, created_at AS createdAt FROM verification_keys WHERE withdrawn = 0 AND trusted_until > ?',
    );
    this.#purge = db.prepare('DELETE FROM verification_keys WHERE withdrawn = 0 AND trusted_until <= ?');

    const publish = db.transaction((key: KeyRow) => {
      const existing = find.get(key.use, key.id);
      if (existing?.withdrawn) return 'withdrawn' as const;
      if (!existing || existing.trustedUntil < key.trustedUntil) {
        upsert.run(key);
        bump.run();
      }
      return 'published' as const;
    });
    const withdraw = db.transaction((use: VerificationKey['use'], id: string, now: number) => {
      const existing = find.get(use, id);
      if (existing?.withdrawn) return false;
      markWithdrawn.run(use, id);
      bump.run();
      return existing !== undefined && existing.trustedUntil > now;
    });
    const list = db.transaction((now: number) => ({
      version: this.#version.get()!.version,
      keys: live.all(now).map(({ createdAt, ...key }) => ({ ...key, ...(createdAt !== null ? { createdAt } : {}) })),
    }));
    this.#publish = (key) => publish.immediate(key);
    this.#withdraw = (use, id, now) => withdraw.immediate(use, id, now);
    this.#list = (now) => list.deferred(now);
  }

  publish(key: VerificationKey): Promise<'published' | 'withdrawn'> {
    return guarded(() => this.#publish({ use: key.use, id: key.id, material: key.material, trustedUntil: key.trustedUntil, createdAt: key.createdAt ?? null }));
  }

  withdraw(use: VerificationKey['use'], id: string, now: number): Promise<boolean> {
    return guarded(() => this.#withdraw(use, id, now));
  }

  version(): Promise<number> {
    return guarded(() => this.#versionCache.through('version', () => this.#version.get()!.version));
  }

  list(now: number): Promise<{ version: number; keys: VerificationKey[] }> {
    return guarded(() => this.#list(now));
  }

  /** Drops keys no longer trusted; withdrawn ones stay, so that they are never published again. */
  purge(now: number): void {
    this.#purge.run(now);
  }
}
