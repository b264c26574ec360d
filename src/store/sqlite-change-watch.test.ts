import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteChangeWatch, SqliteReadCache } from './sqlite-change-watch.js';

/** Lets the microtasks queued so far run (the watch reads `data_version` again after them). */
const drained = () => new Promise((resolve) => setImmediate(resolve));

describe('SqliteChangeWatch and SqliteReadCache', () => {
  let dir: string;
  let db: Database.Database;
  /** Another connection to the same file, as another process has. */
  let other: Database.Database;
  let watch: SqliteChangeWatch;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vapi-auth-watch-'));
    db = new Database(join(dir, 'db.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
    other = new Database(join(dir, 'db.sqlite'));
    watch = new SqliteChangeWatch(db);
  });
  afterEach(() => {
    db.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its generation while nothing changes', async () => {
    const first = watch.generation();
    await drained();
    expect(watch.generation()).toBe(first);
    db.prepare('SELECT * FROM t').all();
    expect(watch.generation()).toBe(first);
  });

  it('moves on at once when this connection changes a row', () => {
    const first = watch.generation();
    db.prepare("INSERT INTO t VALUES ('a', '1')").run();
    expect(watch.generation()).not.toBe(first);
  });

  it('moves on when another connection commits, from the next run of JavaScript on', async () => {
    const first = watch.generation();
    other.prepare("INSERT INTO t VALUES ('a', '1')").run();
    // Within one run of JavaScript the version read once holds: nothing can have arrived meanwhile.
    expect(watch.generation()).toBe(first);
    await drained();
    expect(watch.generation()).not.toBe(first);
  });

  it('takes up a write made through write() when nothing changed before it, and only then', async () => {
    const first = watch.generation();
    watch.write(() => db.prepare("INSERT INTO t VALUES ('a', '1')").run());
    expect(watch.generation()).toBe(first);
    db.prepare("INSERT INTO t VALUES ('b', '1')").run();
    watch.write(() => db.prepare("INSERT INTO t VALUES ('c', '1')").run());
    expect(watch.generation()).not.toBe(first);
  });

  it('answers a value read through the cache until the database changes, then reads again', async () => {
    const cache = new SqliteReadCache<string | null>(watch);
    let reads = 0;
    const read = () => {
      reads++;
      return db.prepare<[], { v: string }>("SELECT v FROM t WHERE k = 'a'").get()?.v ?? null;
    };
    expect(cache.through('a', read)).toBeNull();
    await drained();
    expect(cache.through('a', read)).toBeNull();
    expect(reads).toBe(1);
    other.prepare("INSERT INTO t VALUES ('a', 'x')").run();
    await drained();
    expect(cache.through('a', read)).toBe('x');
    expect(reads).toBe(2);
  });

  it('keeps at most its capacity, the oldest entry leaving first', () => {
    const cache = new SqliteReadCache<number>(watch, 2);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });
});
