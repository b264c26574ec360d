import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStatementCache } from './sqlite-statement-cache.js';

describe('SqliteStatementCache', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (x INTEGER)');
    db.exec('INSERT INTO t VALUES (1), (2), (3)');
  });
  afterEach(() => db.close());

  it('prepares a text once and answers the same statement for it, another for another text', () => {
    const cache = new SqliteStatementCache<[number], { x: number }>(db);
    const above = cache.get('SELECT x FROM t WHERE x > ? ORDER BY x');
    expect(cache.get('SELECT x FROM t WHERE x > ? ORDER BY x')).toBe(above);
    expect(above.all(1)).toEqual([{ x: 2 }, { x: 3 }]);
    expect(cache.get('SELECT x FROM t WHERE x < ? ORDER BY x').all(3)).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('keeps at most its capacity, the oldest text leaving first', () => {
    const cache = new SqliteStatementCache<[], { x: number }>(db, 2);
    const [first, second] = [cache.get('SELECT 1 AS x'), cache.get('SELECT 2 AS x')];
    cache.get('SELECT 3 AS x');
    expect(cache.get('SELECT 2 AS x')).toBe(second);
    const again = cache.get('SELECT 1 AS x');
    expect(again).not.toBe(first);
    expect(again.get()).toEqual({ x: 1 });
  });

  it('answers a statement that can be iterated again after a loop left it early', () => {
    const cache = new SqliteStatementCache<[], { x: number }>(db);
    for (const row of cache.get('SELECT x FROM t ORDER BY x').iterate()) if (row.x === 1) break;
    expect([...cache.get('SELECT x FROM t ORDER BY x').iterate()]).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
  });
});
