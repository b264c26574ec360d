import type { LocalizableMessage } from '../core/messages.js';
import type { DynamicId } from '../core/operations.js';

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
  readonly authorization: AuthorizationStore;
  readonly privilegeChecks: PrivilegeCheckStore;
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
  /** The scheme the session was created from; absent on sessions created before it was recorded. */
  scheme?: string;
  /** The client address of the request that created the session; absent likewise. */
  clientAddress?: string;
  /** Present for a user of an external identity source, who has no UserRecord: who it is and its groups. */
  directory?: DirectorySessionAccount;
}

/** A directory user as its session keeps it; the groups are read again from the directory now and then. */
export interface DirectorySessionAccount {
  /** The name as the directory spells it. */
  name: string;
  /** Lower-case domain of the identity source. */
  domain: string;
  /** Keys (lower-case `name@domain`) of the user's groups. */
  groups: string[];
  /** When the groups were read from the directory. */
  groupsReadAt: number;
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
  /** The authorization version (AuthorizationStore.version) read in the same step. */
  authzVersion: number;
}

export interface SessionStore {
  /** Inserts unless a cap is reached, counting only live sessions; check and insert are one step. */
  insert(record: SessionRecord, caps: SessionCaps, now: number): Promise<InsertSessionResult>;
  /**
   * A live session with the account it belongs to (undefined when the account is gone, and for a
   * directory session, whose account is its `directory`) and the
   * authorization version, in one read: this is the only store access of an authenticated request.
   */
  getWithUser(key: string, now: number): Promise<SessionWithUser | undefined>;
  /** Replaces the directory account (groups re-read) of a live directory session; does nothing for any other session. */
  updateDirectoryAccount(key: string, account: DirectorySessionAccount, now: number): Promise<void>;
  /** Records an access at `lastAccessedAt`; does nothing for a session that is gone or expired by then. */
  touch(key: string, lastAccessedAt: number, expiresAt: number): Promise<void>;
  /** True when a live session was removed. */
  delete(key: string, now: number): Promise<boolean>;
  /** The live sessions, all or those of `userKey`, oldest first: for administration, not for requests. */
  list(now: number, userKey?: string): Promise<SessionRecord[]>;
  /** How many sessions are live at `now`: one count, read at each metrics scrape. */
  countLive(now: number): Promise<number>;
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
  /** When the key was made; absent on keys published before it was recorded. */
  createdAt?: number;
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
  /** PHC string of the password hash; empty for a solution user, who has no password. */
  passwordHash: string;
  createdAt: number;
  /**
   * A solution user's certificate (base64 DER): the principal is identified by it, not by a password
   * (identity.md §2). No two users hold the same certificate.
   */
  certificate?: string;
}

export interface UserStore {
  /** False when a user with that key, or a solution user with that certificate, exists already. */
  create(user: UserRecord): Promise<boolean>;
  get(key: string): Promise<UserRecord | undefined>;
  /** The solution user holding this certificate (base64 DER, as stored). */
  findByCertificate(certificate: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  /** False when there is no such user. */
  update(key: string, change: Partial<Pick<UserRecord, 'passwordHash'>>): Promise<boolean>;
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

/** A custom role: a named set of privileges. System roles are constants, never stored. */
export interface RoleRecord {
  name: string;
  privileges: string[];
}

/** A role given to a user or a group; `principal` is the lower-case `name@domain`. */
export interface PermissionRecord {
  principal: string;
  group: boolean;
  role: string;
}

/** Roles and permissions as of one version. */
export interface AuthorizationSnapshot {
  version: number;
  roles: RoleRecord[];
  permissions: PermissionRecord[];
}

export type RemoveRoleResult = 'removed' | 'missing' | 'in_use';
/** `last_holder`: refused, because the change would leave no permission giving the role to keep. */
export type SetPermissionResult = 'set' | 'no_role' | 'last_holder';
export type RemovePermissionResult = 'removed' | 'missing' | 'last_holder';

/**
 * Custom roles and permissions. Every change moves one version on in the same step, so a server
 * caching a snapshot sees any change by comparing versions (read with the session).
 */
export interface AuthorizationStore {
  /**
   * Grows with every change and never goes back: a change sets it to max(version + 1, the time in
   * ms), so that after a loss of the store's data (a Redis without persistence, a restored file)
   * the next change still moves past every version a server may have cached. 0 before any change.
   */
  version(): Promise<number>;
  /** Roles, permissions and the version they are at, read in one step. */
  snapshot(): Promise<AuthorizationSnapshot>;
  /** False when a role of that name exists already. */
  createRole(role: RoleRecord): Promise<boolean>;
  /** False when there is no such role. */
  updateRole(role: RoleRecord): Promise<boolean>;
  /** Refused (`in_use`) while a permission gives the role: check and removal are one step. */
  removeRole(name: string): Promise<RemoveRoleResult>;
  /**
   * Gives `permission.role` to the principal, replacing its earlier permission; `no_role` unless the
   * role is a system role or a stored one (checked in the same step). With `keep`, refused
   * (`last_holder`) when the replaced permission is the only one giving role `keep` (also checked
   * in the same step, so that concurrent changes cannot together take the last one).
   */
  setPermission(permission: PermissionRecord, keep?: string): Promise<SetPermissionResult>;
  /** `missing` when the principal had no permission; `keep` as for setPermission. */
  removePermission(principal: string, group: boolean, keep?: string): Promise<RemovePermissionResult>;
  /** Adds privileges to the catalog of those the servers declare (plugins' included); no version change. */
  publishPrivileges(ids: readonly string[]): Promise<void>;
  publishedPrivileges(): Promise<string[]>;
}

/** One privilege check the engine made (authorization.md §4). */
export interface PrivilegeCheck {
  /** Absent for an unauthenticated caller. */
  principal?: { name: string; domain: string };
  /** The store key (hash) of the session the request used, if any. */
  session?: string;
  /** The request's operation id. */
  opId: string;
  privilege: string;
  object: DynamicId;
}

export interface RecordedCheck extends PrivilegeCheck {
  /** Position in the record: 1, 2, 3, … with no gaps. */
  seq: number;
}

/** The bounded, shared record of privilege checks. */
export interface PrivilegeCheckStore {
  /** Appends checks in order, numbering them after the last; then only the newest `capacity` are kept. */
  append(checks: readonly PrivilegeCheck[], capacity: number): Promise<void>;
  /** The number of the last check ever appended; 0 before the first. */
  latest(): Promise<number>;
  /** Up to `limit` kept checks numbered after `seq`, oldest first, and the number of the oldest check kept (latest + 1 when none). */
  after(seq: number, limit: number): Promise<{ oldest: number; checks: RecordedCheck[] }>;
}
