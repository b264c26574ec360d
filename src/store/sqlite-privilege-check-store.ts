import type Database from 'better-sqlite3';
import { guarded } from './sqlite-guard.js';
import type { PrivilegeCheck, PrivilegeCheckStore, RecordedCheck } from './store.js';

export const PRIVILEGE_CHECK_SCHEMA = `
CREATE TABLE IF NOT EXISTS privilege_checks (
  seq INTEGER PRIMARY KEY,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS privilege_check_latest (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  seq INTEGER NOT NULL
);
INSERT OR IGNORE INTO privilege_check_latest (id, seq) VALUES (0, 0);
`;

/** Checks numbered by a counter row, so that numbers are never reused after the oldest are dropped. */
export class SqlitePrivilegeCheckStore implements PrivilegeCheckStore {
  readonly #append: (checks: readonly PrivilegeCheck[], capacity: number) => void;
  readonly #latest: Database.Statement<[], { seq: number }>;
  readonly #after: (seq: number, limit: number) => { oldest: number; checks: RecordedCheck[] };

  constructor(db: Database.Database) {
    this.#latest = db.prepare('SELECT seq FROM privilege_check_latest WHERE id = 0');
    const after = db.prepare<[number, number], { seq: number; record: string }>('SELECT seq, record FROM privilege_checks WHERE seq > ? ORDER BY seq LIMIT ?');
    const oldest = db.prepare<[], { seq: number | null }>('SELECT MIN(seq) AS seq FROM privilege_checks');
    const read = db.transaction((seq: number, limit: number) => ({
      oldest: oldest.get()!.seq ?? this.#latest.get()!.seq + 1,
      checks: after.all(seq, limit).map((row) => ({ ...(JSON.parse(row.record) as PrivilegeCheck), seq: row.seq })),
    }));
    this.#after = (seq, limit) => read.deferred(seq, limit);
    const insert = db.prepare('INSERT INTO privilege_checks (seq, record) VALUES (?, ?)');
    const setLatest = db.prepare('UPDATE privilege_check_latest SET seq = ? WHERE id = 0');
    const trim = db.prepare('DELETE FROM privilege_checks WHERE seq <= ?');
    const append = db.transaction((checks: readonly PrivilegeCheck[], capacity: number) => {
      let latest = this.#latest.get()!.seq;
      for (const check of checks) insert.run(++latest, JSON.stringify(check));
      setLatest.run(latest);
      trim.run(latest - capacity);
    });
    this.#append = (checks, capacity) => append.immediate(checks, capacity);
  }

  append(checks: readonly PrivilegeCheck[], capacity: number): Promise<void> {
    return guarded(() => this.#append(checks, capacity));
  }

  latest(): Promise<number> {
    return guarded(() => this.#latest.get()!.seq);
  }

  after(seq: number, limit: number): Promise<{ oldest: number; checks: RecordedCheck[] }> {
    return guarded(() => this.#after(seq, limit));
  }
}
