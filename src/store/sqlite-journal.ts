import type Database from 'better-sqlite3';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Puts the database in WAL mode, waiting up to `timeoutMs` for other connections. SQLite makes the
 * switch by upgrading a read transaction to a write, and does not call the busy handler for that
 * upgrade: a process opening a fresh data dir while another holds its write lock (workers starting
 * together) would fail at once with SQLITE_BUSY. So the switch is retried here until the timeout.
 */
export function useWriteAheadLog(db: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      // The constructor that calls this is synchronous; the wait blocks only this process's opening.
      Atomics.wait(pause, 0, 0, wait);
    }
  }
}
