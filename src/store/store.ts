import type { LocalizableMessage } from '../core/messages.js';
import type { DynamicId } from '../core/operations.js';
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
  readonly tasks: TaskStore;
  readonly kv: KeyValueStore;
  readonly verificationKeys: VerificationKeyStore;
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

export interface SessionWithUser {
  session: SessionRecord;
  user: UserRecord | undefined;
}

export interface SessionStore {
  /** Inserts unless a cap is reached, counting only live sessions; check and insert are one step. */
  insert(record: SessionRecord, caps: SessionCaps, now: number): Promise<InsertSessionResult>;
  /**
   * A live session with the account it belongs to (undefined when the account is gone), in one
   * read: this is the only store access of an authenticated request.
   */
  getWithUser(key: string, now: number): Promise<SessionWithUser | undefined>;
  /** Records an access at `lastAccessedAt`; does nothing for a session that is gone or expired by then. */
  touch(key: string, lastAccessedAt: number, expiresAt: number): Promise<void>;
  /** True when a live session was removed. */
  delete(key: string, now: number): Promise<boolean>;
}

/**
 * Small expiring records: failure counters, account locks, token revocations. Every method is one
 * atomic step on every store, so several nodes can count and lock together.
 */
export interface KeyValueStore {
  /**
   * Adds one to the counter `key` and returns the new count. A counter starts at the first
   * increment and is forgotten `windowMs` later (a fixed window).
   */
  increment(key: string, windowMs: number, now: number): Promise<number>;
  put(key: string, value: string, expiresAt: number, now: number): Promise<void>;
  get(key: string, now: number): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /**
   * Adds `member` to the bounded set `key` unless that would exceed `caps`, counting live members
   * only (check and add are one step); a member already in the set is kept and admitted again.
   * When refused, `freesAt` is when the earliest live member expires.
   */
  claim(key: string, member: ClaimMember, caps: ClaimCaps, now: number): Promise<ClaimResult>;
  /** Removes a member from the bounded set `key`. */
  release(key: string, id: string): Promise<void>;
}

/** A member of a bounded set: its id, the group it counts toward (e.g. a client address), its expiry. */
export interface ClaimMember {
  id: string;
  group: string;
  expiresAt: number;
}

/** Most live members, and most distinct groups among them; 0 = no limit. */
export interface ClaimCaps {
  members: number;
  groups: number;
}

export type ClaimResult = { ok: true } | { ok: false; freesAt: number };

/**
 * A public key a node signs tokens with, published for every node to verify them: a JWT key (`jwt`,
 * a public JWK as JSON) or an STS certificate (`sts`, PEM). Never a private key.
 */
export interface VerificationKey {
  use: 'jwt' | 'sts';
  /** The JWK's `kid`; the certificate's SHA-256 fingerprint (`AB:CD:…`). */
  id: string;
  material: string;
  /** Trusted until then: no token it signed lives longer. */
  trustedUntil: number;
}

/**
 * The cluster's published verification keys. A withdrawn key is gone for good: it is never listed
 * again and cannot be published again. `version` changes with every change of the set, so a node
 * can keep the set and re-read it only when the version has moved.
 */
export interface VerificationKeyStore {
  /** Publishes a key, or moves its `trustedUntil` later (never earlier); 'withdrawn' when it was withdrawn. */
  publish(key: VerificationKey): Promise<'published' | 'withdrawn'>;
  /**
   * Withdraws a key for good, published or not (a node that is down may publish it later); true
   * when it was trusted at `now`.
   */
  withdraw(use: VerificationKey['use'], id: string, now: number): Promise<boolean>;
  version(): Promise<number>;
  /** The keys trusted at `now`, with the version they are of (read in one step). */
  list(now: number): Promise<{ version: number; keys: VerificationKey[] }>;
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

export const TASK_STATUSES = ['PENDING', 'RUNNING', 'BLOCKED', 'SUCCEEDED', 'FAILED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A std error as stored: the `/api` structure. */
export interface StoredError {
  error_type: string;
  messages: LocalizableMessage[];
  data?: Record<string, unknown>;
}

export interface TaskProgress {
  total: number;
  completed: number;
  message: LocalizableMessage;
}

export interface TaskRecord {
  /** `<uuid>:<service id>`. */
  id: string;
  service: string;
  operation: string;
  description: LocalizableMessage;
  target?: DynamicId;
  status: TaskStatus;
  cancelable: boolean;
  cancelRequested: boolean;
  /** Store key of the account that started it; its display name is `user`. */
  userKey: string;
  user: string;
  createdAt: number;
  startTime?: number;
  endTime?: number;
  progress?: TaskProgress;
  /** The operation's output in the `/api` plain JSON form. */
  result?: unknown;
  error?: StoredError;
  /** The server instance running it, and when it last said so; a silent owner means a dead one. */
  owner: string;
  heartbeatAt: number;
  /** Set when the task finishes: it is forgotten after this. */
  expiresAt?: number;
}

/** Which tasks `list` returns: a task must match every given field; an empty or absent field matches all. */
export interface TaskFilter {
  ids?: readonly string[];
  services?: readonly string[];
  operations?: readonly string[];
  statuses?: readonly TaskStatus[];
  userKeys?: readonly string[];
  targets?: readonly DynamicId[];
}

export type TaskChange = Partial<
  Pick<TaskRecord, 'status' | 'cancelable' | 'startTime' | 'endTime' | 'progress' | 'result' | 'error' | 'heartbeatAt' | 'expiresAt'>
>;

export type CancelRequestResult = 'requested' | 'missing' | 'finished' | 'not_cancelable' | 'already_requested';

export interface TaskStore {
  create(task: TaskRecord): Promise<void>;
  get(id: string, now: number): Promise<TaskRecord | undefined>;
  /**
   * Applies `change` only while the task's status is one of `whileStatus`: the guard that makes
   * finishing and cancelling race safely. True when applied.
   */
  update(id: string, change: TaskChange, whileStatus: readonly TaskStatus[]): Promise<boolean>;
  /** Records a cancel request in one step, checking status, cancelable and an earlier request. */
  requestCancel(id: string, now: number): Promise<CancelRequestResult>;
  /** Up to `limit` live tasks matching `filter`, oldest first. */
  list(filter: TaskFilter, now: number, limit: number): Promise<TaskRecord[]>;
  /** Unfinished tasks whose owner has been silent since before `staleBefore`. */
  listOrphans(staleBefore: number, limit: number): Promise<TaskRecord[]>;
}
