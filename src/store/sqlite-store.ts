import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AUTHORIZATION_SCHEMA, AUTHZ_VERSION_SQL, BUMP_SQL, SqliteAuthorizationStore } from './sqlite-authorization-store.js';
import { KV_SCHEMA, SqliteKeyValueStore } from './sqlite-kv-store.js';
import { PRIVILEGE_CHECK_SCHEMA, SqlitePrivilegeCheckStore } from './sqlite-privilege-check-store.js';
import { SqliteTaskStore, TASK_SCHEMA } from './sqlite-task-store.js';
import { addKeyCreationColumn, SqliteVerificationKeyStore, VERIFICATION_KEY_SCHEMA } from './sqlite-verification-key-store.js';
import type {
  AuthorizationStore,
  DirectorySessionAccount,
  InsertSessionResult,
  PrivilegeCheckStore,
  SessionCaps,
  SessionRecord,
  SessionStore,
  SessionWithUser,
  KeyValueStore,
  Store,
  TaskStore,
  UserRecord,
  UserStore,
} from './store.js';
import { guarded } from './sqlite-guard.js';
import { useWriteAheadLog } from './sqlite-journal.js';
import { SqliteSessionCache } from './sqlite-session-cache.js';
import { SqliteChangeWatch, SqliteReadCache } from './sqlite-change-watch.js';
import { ensureOwnerOnly, restrictToOwner } from '../fs/owner-only.js';

export interface SqliteStoreOptions {
  /** Database file; the directory is created when missing. */
  file: string;
  /** How long a writer waits for another process's lock before the store reports itself unavailable. */
  busyTimeoutMs?: number;
  /** How many records of each kind (sessions, users, key-value records) the process keeps read (src/store/sqlite-change-watch.ts). */
  cacheSize?: number;
}

const SCHEMA_VERSION = 8;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  key TEXT PRIMARY KEY,
  user_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_accessed_at INTEGER NOT NULL,
  absolute_expires_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  directory TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_key, expires_at);
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS users (
  key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  domain TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Schema 8: a solution user's certificate (base64 DER), unique among users. */
function addUserCertificate(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(users)').all();
  if (!columns.some((column) => column.name === 'certificate')) db.exec('ALTER TABLE users ADD COLUMN certificate TEXT');
  db.exec('CREATE UNIQUE INDEX IF NOT EXISTS users_by_certificate ON users (certificate) WHERE certificate IS NOT NULL');
}


/**
 * The embedded default store: one SQLite file in WAL mode, shared safely by several worker
 * processes. `synchronous=FULL` so that an acknowledged session survives a crash or power loss.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly sessions: SessionStore;
  readonly users: UserStore;
  readonly tasks: TaskStore;
  readonly kv: KeyValueStore;
  readonly authorization: AuthorizationStore;
  readonly privilegeChecks: PrivilegeCheckStore;
  readonly verificationKeys: SqliteVerificationKeyStore;
  readonly #db: Database.Database;
  readonly #purgeSessions: Database.Statement;
  readonly #purgeTasks: Database.Statement;
  readonly #purgeKv: Database.Statement;
  readonly #purgeClaims: Database.Statement;

  constructor(options: SqliteStoreOptions) {
    mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
    // SQLite gives the -wal and -shm files the database file's mode: owner-only, all three.
    ensureOwnerOnly(options.file);
    for (const companion of [`${options.file}-wal`, `${options.file}-shm`]) if (existsSync(companion)) restrictToOwner(companion);
    this.#db = new Database(options.file);
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.#db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    useWriteAheadLog(this.#db, busyTimeoutMs);
    this.#db.pragma('synchronous = FULL');
    this.#migrate();
    const watch = new SqliteChangeWatch(this.#db);
    this.sessions = new SqliteSessionStore(this.#db, new SqliteSessionCache(watch, options.cacheSize), watch);
    this.users = new SqliteUserStore(this.#db, new SqliteReadCache(watch, options.cacheSize));
    this.tasks = new SqliteTaskStore(this.#db);
    this.kv = new SqliteKeyValueStore(this.#db, new SqliteReadCache(watch, options.cacheSize));
    this.authorization = new SqliteAuthorizationStore(this.#db, new SqliteReadCache(watch, 1));
    this.privilegeChecks = new SqlitePrivilegeCheckStore(this.#db);
    this.verificationKeys = new SqliteVerificationKeyStore(this.#db, new SqliteReadCache(watch, 1));
    this.#purgeKv = this.#db.prepare('DELETE FROM kv WHERE expires_at <= ?');
    this.#purgeClaims = this.#db.prepare('DELETE FROM claims WHERE expires_at <= ?');
    this.#purgeSessions = this.#db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
    this.#purgeTasks = this.#db.prepare('DELETE FROM tasks WHERE expires_at <= ?');
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`the data dir was written by a newer vapi-auth (schema ${version} > ${SCHEMA_VERSION})`);
    }
    this.#db.transaction(() => {
      this.#db.exec(SCHEMA);
      this.#db.exec(TASK_SCHEMA);
      this.#db.exec(KV_SCHEMA);
      this.#db.exec(AUTHORIZATION_SCHEMA);
      this.#db.exec(PRIVILEGE_CHECK_SCHEMA);
      this.#moveRolesToPermissions();
      this.#addSessionOrigin();
      this.#addSessionDirectory();
      this.#db.exec(VERIFICATION_KEY_SCHEMA);
      addKeyCreationColumn(this.#db);
      addUserCertificate(this.#db);
      this.#db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  }

  /**
   * Schema 3 kept each user's roles on the user row. From 4 on a role is given by a permission: each
   * user keeps the role it had (Administrator where it had several) as a user permission.
   */
  #moveRolesToPermissions(): void {
    const columns = this.#db.prepare<[], { name: string }>('PRAGMA table_info(users)').all();
    if (!columns.some((column) => column.name === 'roles')) return;
    const grant = this.#db.prepare('INSERT OR IGNORE INTO permissions (principal, grp, role) VALUES (?, 0, ?)');
    for (const row of this.#db.prepare<[], { key: string; roles: string }>('SELECT key, roles FROM users').all()) {
      const roles = JSON.parse(row.roles) as string[];
      const role = roles.includes('Administrator') ? 'Administrator' : roles[0];
      if (role !== undefined) grant.run(row.key, role);
    }
    this.#db.exec('ALTER TABLE users DROP COLUMN roles');
    this.#db.prepare(BUMP_SQL).run(Date.now());
  }

  /** Schema 6 records the scheme and client address a session was created from. */
  #addSessionOrigin(): void {
    const columns = new Set(this.#db.prepare<[], { name: string }>('PRAGMA table_info(sessions)').all().map((column) => column.name));
    if (!columns.has('scheme')) this.#db.exec('ALTER TABLE sessions ADD COLUMN scheme TEXT');
    if (!columns.has('client_address')) this.#db.exec('ALTER TABLE sessions ADD COLUMN client_address TEXT');
  }

  /** Schema 6 keeps a directory user's account (JSON) on its session row. */
  #addSessionDirectory(): void {
    const columns = this.#db.prepare<[], { name: string }>('PRAGMA table_info(sessions)').all();
    if (!columns.some((column) => column.name === 'directory')) this.#db.exec('ALTER TABLE sessions ADD COLUMN directory TEXT');
  }

  purgeExpired(now: number): Promise<void> {
    return guarded(() => {
      this.#purgeSessions.run(now);
      this.#purgeTasks.run(now);
      this.#purgeKv.run(now);
      this.#purgeClaims.run(now);
      this.verificationKeys.purge(now);
    });
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

interface SessionRow {
  key: string;
  user_key: string;
  created_at: number;
  last_accessed_at: number;
  absolute_expires_at: number;
  expires_at: number;
  scheme: string | null;
  client_address: string | null;
  directory: string | null;
}

/** A session row joined with its account's columns (null when the account is gone). */
interface SessionUserRow extends SessionRow {
  u_name: string | null;
  u_domain: string;
  u_password_hash: string;
  u_created_at: number;
  u_certificate: string | null;
  authz_version: number;
}

function sessionFromRow(row: SessionRow): SessionRecord {
  return {
    key: row.key,
    userKey: row.user_key,
    createdAt: row.created_at,
    lastAccessedAt: row.last_accessed_at,
    absoluteExpiresAt: row.absolute_expires_at,
    expiresAt: row.expires_at,
    ...(row.scheme !== null ? { scheme: row.scheme } : {}),
    ...(row.client_address !== null ? { clientAddress: row.client_address } : {}),
    ...(row.directory === null ? {} : { directory: JSON.parse(row.directory) as DirectorySessionAccount }),
  };
}

class SqliteSessionStore implements SessionStore {
  readonly #insert: (record: SessionRecord, caps: SessionCaps, now: number) => InsertSessionResult;
  readonly #getWithUser: Database.Statement<[string, number], SessionUserRow>;
  readonly #touch: Database.Statement;
  readonly #updateDirectory: Database.Statement;
  readonly #delete: Database.Statement<[string], { expires_at: number }>;
  readonly #listAll: Database.Statement<[number], SessionRow>;
  readonly #listUser: Database.Statement<[string, number], SessionRow>;
  readonly #countLive: Database.Statement<[number], { n: number }>;
  readonly #cache: SqliteSessionCache;
  readonly #watch: SqliteChangeWatch;

  constructor(db: Database.Database, cache: SqliteSessionCache, watch: SqliteChangeWatch) {
    this.#cache = cache;
    this.#watch = watch;
    const countTotal = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM sessions WHERE expires_at > ?');
    const countUser = db.prepare<[string, number], { n: number }>(
      'SELECT COUNT(*) AS n FROM sessions WHERE user_key = ? AND expires_at > ?',
    );
    const insert = db.prepare(
      `INSERT INTO sessions (key, user_key, created_at, last_accessed_at, absolute_expires_at, expires_at, scheme, client_address, directory)
       VALUES (@key, @userKey, @createdAt, @lastAccessedAt, @absoluteExpiresAt, @expiresAt, @scheme, @clientAddress, @directory)`,
    );
    // IMMEDIATE takes the write lock before counting, so two processes cannot both pass the cap.
    const step = db.transaction((record: SessionRecord, caps: SessionCaps, now: number): InsertSessionResult => {
      if (caps.total > 0 && countTotal.get(now)!.n >= caps.total) return 'total_cap';
      if (caps.perUser > 0 && countUser.get(record.userKey, now)!.n >= caps.perUser) return 'user_cap';
      insert.run({
        ...record,
        scheme: record.scheme ?? null,
        clientAddress: record.clientAddress ?? null,
        directory: record.directory ? JSON.stringify(record.directory) : null,
      });
      return 'created';
    });
    this.#insert = (record, caps, now) => step.immediate(record, caps, now);
    this.#countLive = countTotal;
    this.#getWithUser = db.prepare(
      `SELECT s.*, u.name AS u_name, u.domain AS u_domain, u.password_hash AS u_password_hash, u.created_at AS u_created_at, u.certificate AS u_certificate,
         ${AUTHZ_VERSION_SQL} AS authz_version
       FROM sessions s LEFT JOIN users u ON u.key = s.user_key
       WHERE s.key = ? AND s.expires_at > ?`,
    );
    this.#touch = db.prepare(
      'UPDATE sessions SET last_accessed_at = @last, expires_at = @expiresAt WHERE key = @key AND expires_at > @last',
    );
    this.#updateDirectory = db.prepare('UPDATE sessions SET directory = @directory WHERE key = @key AND directory IS NOT NULL AND expires_at > @now');
    this.#delete = db.prepare('DELETE FROM sessions WHERE key = ? RETURNING expires_at');
    this.#listAll = db.prepare('SELECT * FROM sessions WHERE expires_at > ? ORDER BY created_at, key');
    this.#listUser = db.prepare('SELECT * FROM sessions WHERE user_key = ? AND expires_at > ? ORDER BY created_at, key');
  }

  insert(record: SessionRecord, caps: SessionCaps, now: number): Promise<InsertSessionResult> {
    return guarded(() => this.#watch.write(() => this.#insert(record, caps, now)));
  }

  getWithUser(key: string, now: number): Promise<SessionWithUser | undefined> {
    return guarded(() => {
      const cached = this.#cache.get(key, now);
      if (cached) return cached;
      const row = this.#getWithUser.get(key, now);
      if (!row) return undefined;
      const user =
        row.u_name === null
          ? undefined
          : userFromRow({ key: row.user_key, name: row.u_name, domain: row.u_domain, password_hash: row.u_password_hash, created_at: row.u_created_at, certificate: row.u_certificate });
      const found = { session: sessionFromRow(row), user, authzVersion: row.authz_version };
      this.#cache.set(key, found);
      return found;
    });
  }

  updateDirectoryAccount(key: string, account: DirectorySessionAccount, now: number): Promise<void> {
    return guarded(() => {
      this.#updateDirectory.run({ key, directory: JSON.stringify(account), now });
    });
  }

  touch(key: string, lastAccessedAt: number, expiresAt: number): Promise<void> {
    return guarded(() => {
      const { changes } = this.#watch.write(() => this.#touch.run({ last: lastAccessedAt, expiresAt, key }));
      if (changes > 0) this.#cache.retime(key, lastAccessedAt, expiresAt);
    });
  }

  delete(key: string, now: number): Promise<boolean> {
    return guarded(() => {
      const row = this.#delete.get(key);
      return row !== undefined && row.expires_at > now;
    });
  }

  list(now: number, userKey?: string): Promise<SessionRecord[]> {
    return guarded(() => (userKey === undefined ? this.#listAll.all(now) : this.#listUser.all(userKey, now)).map(sessionFromRow));
  }

  countLive(now: number): Promise<number> {
    return guarded(() => this.#countLive.get(now)!.n);
  }
}

interface UserRow {
  key: string;
  name: string;
  domain: string;
  password_hash: string;
  created_at: number;
  certificate: string | null;
}

function userFromRow(row: UserRow): UserRecord {
  const user: UserRecord = { key: row.key, name: row.name, domain: row.domain, passwordHash: row.password_hash, createdAt: row.created_at };
  if (row.certificate !== null) user.certificate = row.certificate;
  return user;
}

class SqliteUserStore implements UserStore {
  readonly #create: Database.Statement;
  readonly #get: Database.Statement<[string], UserRow>;
  readonly #getByCertificate: Database.Statement<[string], UserRow>;
  readonly #list: Database.Statement<[], UserRow>;
  readonly #delete: Database.Statement;
  readonly #setPassword: Database.Statement;
  /** Users read, or null for none, while the database is unchanged; each read hands out a copy. */
  readonly #cache: SqliteReadCache<UserRecord | null>;

  constructor(db: Database.Database, cache: SqliteReadCache<UserRecord | null>) {
    this.#cache = cache;
    this.#setPassword = db.prepare('UPDATE users SET password_hash = ? WHERE key = ?');
    this.#create = db.prepare(
      `INSERT OR IGNORE INTO users (key, name, domain, password_hash, created_at, certificate)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#get = db.prepare('SELECT * FROM users WHERE key = ?');
    this.#getByCertificate = db.prepare('SELECT * FROM users WHERE certificate = ?');
    this.#list = db.prepare('SELECT * FROM users ORDER BY key');
    this.#delete = db.prepare('DELETE FROM users WHERE key = ?');
  }

  create(user: UserRecord): Promise<boolean> {
    return guarded(
      () =>
        this.#create.run(user.key, user.name, user.domain, user.passwordHash, user.createdAt, user.certificate ?? null).changes === 1,
    );
  }

  findByCertificate(certificate: string): Promise<UserRecord | undefined> {
    return guarded(() => {
      const row = this.#getByCertificate.get(certificate);
      return row && userFromRow(row);
    });
  }

  get(key: string): Promise<UserRecord | undefined> {
    return guarded(() => {
      const user = this.#cache.through(key, () => {
        const row = this.#get.get(key);
        return row ? userFromRow(row) : null;
      });
      return user === null ? undefined : { ...user };
    });
  }

  list(): Promise<UserRecord[]> {
    return guarded(() => this.#list.all().map(userFromRow));
  }

  update(key: string, change: Partial<Pick<UserRecord, 'passwordHash'>>): Promise<boolean> {
    return guarded(() => {
      if (change.passwordHash === undefined) return this.#get.get(key) !== undefined;
      return this.#setPassword.run(change.passwordHash, key).changes === 1;
    });
  }

  delete(key: string): Promise<boolean> {
    return guarded(() => this.#delete.run(key).changes === 1);
  }
}
