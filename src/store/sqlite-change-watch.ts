import { BoundedMap } from '../core/bounded-map.js';
import type Database from 'better-sqlite3';

/**
 * Whether the database changed since this connection's caches were filled: a generation that moves
 * on when another connection (another worker, node process or CLI command) has committed (`PRAGMA
 * data_version`) or this connection has changed a row (`total_changes()`).
 *
 * `total_changes()` costs next to nothing and is read on every check. `data_version` opens a read
 * transaction (the locks of a small read), so it is read once per run of JavaScript: the answer
 * holds until the microtasks queued meanwhile have run, and no request can arrive in between (a
 * request's bytes are read in an I/O callback, after which that callback's microtasks run out
 * before the next). So every commit made before a request arrived is seen when it is served.
 */
export class SqliteChangeWatch {
  readonly #dataVersion: Database.Statement<[], number>;
  readonly #totalChanges: Database.Statement<[], number>;
  #version = -1;
  #changes = -1;
  #generation = 0;
  #versionRead = false;
  readonly #forgetVersionRead = () => {
    this.#versionRead = false;
  };

  constructor(db: Database.Database) {
    this.#dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.#totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
  }

  /** The current generation: the same number as long as nothing changed. */
  generation(): number {
    if (!this.#versionRead) {
      this.#versionRead = true;
      queueMicrotask(this.#forgetVersionRead);
      const version = this.#dataVersion.get()!;
      if (version !== this.#version) {
        this.#version = version;
        this.#generation++;
      }
    }
    const changes = this.#totalChanges.get()!;
    if (changes !== this.#changes) {
      this.#changes = changes;
      this.#generation++;
    }
    return this.#generation;
  }

  /**
   * Runs a write of this connection that leaves every cached read true (a new session; a session's
   * new times, which its cache then applies) without moving the generation on: the write's changes
   * are taken up as seen when nothing else changed before it.
   */
  write<T>(write: () => T): T {
    const inStep = this.#totalChanges.get() === this.#changes;
    const result = write();
    if (inStep) this.#changes = this.#totalChanges.get()!;
    return result;
  }
}

/** Enough for every session, user and record a busy server reads; the oldest entry goes first beyond it. */
const DEFAULT_CAPACITY = 10_000;

/**
 * Values read from the database, kept while its generation stays the same. `get` checks the
 * generation first, so a value read after a miss is never older than the generation it is kept under.
 * Values are handed out as they were kept: callers must not change them (they are frozen where they
 * are objects).
 */
export class SqliteReadCache<V> {
  readonly #watch: SqliteChangeWatch;
  readonly #entries: BoundedMap<string, V>;
  #generation = -1;

  constructor(watch: SqliteChangeWatch, capacity = DEFAULT_CAPACITY) {
    this.#watch = watch;
    this.#entries = new BoundedMap(capacity);
  }

  get(key: string): V | undefined {
    const generation = this.#watch.generation();
    if (generation !== this.#generation) {
      this.#entries.clear();
      this.#generation = generation;
      return undefined;
    }
    return this.#entries.get(key);
  }

  set(key: string, value: V): void {
    this.#entries.set(key, value);
  }

  /** Reads through the cache: `read` runs on a miss and its value is kept. */
  through(key: string, read: () => V): V {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = read();
    this.set(key, value);
    return value;
  }
}
