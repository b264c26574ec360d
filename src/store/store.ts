import type { Role } from '../core/principal.js';

/**
 * Persistent state behind one small interface. Every method is atomic on its own; every
 * implementation passes the same conformance suite (test/store-conformance.ts). Times are
 * milliseconds since the epoch from the injected clock; a record whose `expiresAt` is not after
 * `now` does not exist for any reader.
 */
export interface Store {
  readonly kind: string;
  readonly sessions: SessionStore;
  readonly users: UserStore;
  /** Removes expired records; housekeeping, never on a request path. */
  purgeExpired(now: number): Promise<void>;
  close(): Promise<void>;
}

export interface SessionRecord {
  /** SHA-256 of the token, hex. The token itself is never stored. */
  key: string;
  userKey: string;
  createdAt: number;
  lastAccessedAt: number;
  /** The session never lives past this, however busy. */
  absoluteExpiresAt: number;
  /** When the session ends if not touched again: min(lastAccessedAt + idle, absoluteExpiresAt). */
  expiresAt: number;
}

export interface SessionCaps {
  /** Live sessions one user may hold; 0 = no limit. */
  perUser: number;
  /** Live sessions in total; 0 = no limit. */
  total: number;
}

export type InsertSessionResult = 'created' | 'user_cap' | 'total_cap';

export interface SessionStore {
  /** Inserts unless a cap is reached, counting only live sessions; check and insert are one step. */
  insert(record: SessionRecord, caps: SessionCaps, now: number): Promise<InsertSessionResult>;
  get(key: string, now: number): Promise<SessionRecord | undefined>;
  /** Records an access; does nothing for a session that is gone. */
  touch(key: string, lastAccessedAt: number, expiresAt: number): Promise<void>;
  /** True when a live session was removed. */
  delete(key: string, now: number): Promise<boolean>;
}

export interface UserRecord {
  /** Lower-case `name@domain`. */
  key: string;
  name: string;
  domain: string;
  /** PHC string of the password hash. */
  passwordHash: string;
  roles: Role[];
  createdAt: number;
}

export interface UserStore {
  /** False when a user with that key exists already. */
  create(user: UserRecord): Promise<boolean>;
  get(key: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  /** False when there is no such user. */
  update(key: string, change: Partial<Pick<UserRecord, 'passwordHash' | 'roles'>>): Promise<boolean>;
  /** False when there is no such user. */
  delete(key: string): Promise<boolean>;
}
