import type Database from 'better-sqlite3';
import { BoundedMap } from '../core/bounded-map.js';

/**
 * Prepared statements of SQL built per call (a task list's WHERE depends on its filter), kept by
 * their text: preparing one cost about 38 us of each authorized task list, far more than running
 * it. Bounded, since the text varies with the number of values in the filter; the oldest goes first.
 */
export class SqliteStatementCache<P extends unknown[] | object, R> {
  readonly #db: Database.Database;
  readonly #statements: BoundedMap<string, Database.Statement<P, R>>;

  constructor(db: Database.Database, capacity = 64) {
    this.#db = db;
    this.#statements = new BoundedMap(capacity);
  }

  get(sql: string): Database.Statement<P, R> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<P, R>(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
