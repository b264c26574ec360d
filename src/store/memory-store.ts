import { ACTIVE_STATUSES, isLive, matchesTaskFilter } from './task-filter.js';
import { admits } from './claim-rule.js';
import { MemoryAuthorizationStore } from './memory-authorization-store.js';
import { MemoryPrivilegeCheckStore } from './memory-privilege-check-store.js';
import type {
  CancelRequestResult,
  ClaimCaps,
  ClaimMember,
  ClaimResult,
  DirectorySessionAccount,
  InsertSessionResult,
  KeyValueStore,
  SessionCaps,
  SessionRecord,
  SessionStore,
  SessionWithUser,
  Store,
  TaskChange,
  TaskFilter,
  TaskRecord,
  TaskStatus,
  TaskStore,
  UserRecord,
  UserStore,
  VerificationKey,
  VerificationKeyStore,
} from './store.js';

/** Process-local state: for tests, benchmarks and throw-away servers. Lost on exit. */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly users = new MemoryUserStore();
  readonly authorization = new MemoryAuthorizationStore();
  readonly privilegeChecks = new MemoryPrivilegeCheckStore();
  readonly sessions = new MemorySessionStore(this.users, this.authorization);
  readonly tasks = new MemoryTaskStore();
  readonly kv = new MemoryKeyValueStore();
  readonly verificationKeys = new MemoryVerificationKeyStore();

  async purgeExpired(now: number): Promise<void> {
    this.sessions.purge(now);
    this.tasks.purge(now);
    this.kv.purge(now);
    this.verificationKeys.purge(now);
  }

  async close(): Promise<void> {}
}

class MemorySessionStore implements SessionStore {
  readonly #byKey = new Map<string, SessionRecord>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #users: MemoryUserStore;
  readonly #authorization: MemoryAuthorizationStore;

  constructor(users: MemoryUserStore, authorization: MemoryAuthorizationStore) {
    this.#users = users;
    this.#authorization = authorization;
  }

  async insert(record: SessionRecord, caps: SessionCaps, now: number): Promise<InsertSessionResult> {
    // Expired records linger until purged; counting them would refuse a login that should pass,
    // so purge before deciding, but only when a cap could be reached (no scan on the common path).
    if (caps.total > 0 && this.#byKey.size >= caps.total) this.purge(now);
    if (caps.total > 0 && this.#byKey.size >= caps.total) return 'total_cap';
    const mine = this.#byUser.get(record.userKey);
    if (caps.perUser > 0 && mine && mine.size >= caps.perUser) {
      for (const key of mine) this.#dropIfExpired(key, now);
      if (mine.size >= caps.perUser) return 'user_cap';
    }
    this.#byKey.set(record.key, copySession(record));
    let set = this.#byUser.get(record.userKey);
    if (!set) this.#byUser.set(record.userKey, (set = new Set()));
    set.add(record.key);
    return 'created';
  }

  async getWithUser(key: string, now: number): Promise<SessionWithUser | undefined> {
    const record = this.#byKey.get(key);
    if (!record || record.expiresAt <= now) return undefined;
    return { session: copySession(record), user: await this.#users.get(record.userKey), authzVersion: await this.#authorization.version() };
  }

  async updateDirectoryAccount(key: string, account: DirectorySessionAccount, now: number): Promise<void> {
    const record = this.#byKey.get(key);
    if (record?.directory && record.expiresAt > now) record.directory = { ...account, groups: [...account.groups] };
  }

  async touch(key: string, lastAccessedAt: number, expiresAt: number): Promise<void> {
    const record = this.#byKey.get(key);
    if (record && record.expiresAt > lastAccessedAt) {
      record.lastAccessedAt = lastAccessedAt;
      record.expiresAt = expiresAt;
    }
  }

  async delete(key: string, now: number): Promise<boolean> {
    const record = this.#byKey.get(key);
    if (!record) return false;
    this.#remove(record);
    return record.expiresAt > now;
  }

  purge(now: number): void {
    for (const key of this.#byKey.keys()) this.#dropIfExpired(key, now);
  }

  #dropIfExpired(key: string, now: number): void {
    const record = this.#byKey.get(key);
    if (record && record.expiresAt <= now) this.#remove(record);
  }

  #remove(record: SessionRecord): void {
    this.#byKey.delete(record.key);
    const set = this.#byUser.get(record.userKey);
    set?.delete(record.key);
    if (set?.size === 0) this.#byUser.delete(record.userKey);
  }
}

/** A copy a caller may change freely, the directory account's groups included. */
function copySession(record: SessionRecord): SessionRecord {
  return record.directory ? { ...record, directory: { ...record.directory, groups: [...record.directory.groups] } } : { ...record };
}

/** A copy a caller may change freely (read on every request, so cheaper than structuredClone). */
function copyUser(user: UserRecord): UserRecord {
  return { ...user };
}

class MemoryUserStore implements UserStore {
  readonly #users = new Map<string, UserRecord>();

  async create(user: UserRecord): Promise<boolean> {
    if (this.#users.has(user.key)) return false;
    this.#users.set(user.key, copyUser(user));
    return true;
  }

  async get(key: string): Promise<UserRecord | undefined> {
    const user = this.#users.get(key);
    return user && copyUser(user);
  }

  async list(): Promise<UserRecord[]> {
    return [...this.#users.values()].map(copyUser);
  }

  async update(key: string, change: Partial<Pick<UserRecord, 'passwordHash'>>): Promise<boolean> {
    const user = this.#users.get(key);
    if (!user) return false;
    if (change.passwordHash !== undefined) user.passwordHash = change.passwordHash;
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.#users.delete(key);
  }
}

/** Tasks in a map; `list` walks it, which is fine for the few thousand tasks a retention window holds. */
class MemoryTaskStore implements TaskStore {
  readonly #tasks = new Map<string, TaskRecord>();

  async create(task: TaskRecord): Promise<void> {
    this.#tasks.set(task.id, structuredClone(task));
  }

  async get(id: string, now: number): Promise<TaskRecord | undefined> {
    const task = this.#tasks.get(id);
    return task && isLive(task, now) ? structuredClone(task) : undefined;
  }

  async update(id: string, change: TaskChange, whileStatus: readonly TaskStatus[]): Promise<boolean> {
    const task = this.#tasks.get(id);
    if (!task || !whileStatus.includes(task.status)) return false;
    Object.assign(task, structuredClone(change));
    return true;
  }

  async requestCancel(id: string, now: number): Promise<CancelRequestResult> {
    const task = this.#tasks.get(id);
    if (!task || !isLive(task, now)) return 'missing';
    if (!ACTIVE_STATUSES.includes(task.status)) return 'finished';
    if (!task.cancelable) return 'not_cancelable';
    if (task.cancelRequested) return 'already_requested';
    task.cancelRequested = true;
    return 'requested';
  }

  async list(filter: TaskFilter, now: number, limit: number): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    for (const task of this.#tasks.values()) {
      if (out.length >= limit) break;
      if (isLive(task, now) && matchesTaskFilter(task, filter)) out.push(structuredClone(task));
    }
    return out;
  }

  async listOrphans(staleBefore: number, limit: number): Promise<TaskRecord[]> {
    return [...this.#tasks.values()]
      .filter((task) => ACTIVE_STATUSES.includes(task.status) && task.heartbeatAt < staleBefore)
      .slice(0, limit)
      .map((task) => structuredClone(task));
  }

  purge(now: number): void {
    for (const [id, task] of this.#tasks) if (!isLive(task, now)) this.#tasks.delete(id);
  }
}

class MemoryKeyValueStore implements KeyValueStore {
  readonly #entries = new Map<string, { value: string; expiresAt: number }>();
  readonly #claims = new Map<string, Map<string, ClaimMember>>();

  async increment(key: string, windowMs: number, now: number): Promise<number> {
    const entry = this.#entries.get(key);
    if (!entry || entry.expiresAt <= now) {
      this.#entries.set(key, { value: '1', expiresAt: now + windowMs });
      return 1;
    }
    entry.value = String(Number(entry.value) + 1);
    return Number(entry.value);
  }

  async put(key: string, value: string, expiresAt: number): Promise<void> {
    this.#entries.set(key, { value, expiresAt });
  }

  async get(key: string, now: number): Promise<string | undefined> {
    const entry = this.#entries.get(key);
    return entry && entry.expiresAt > now ? entry.value : undefined;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async claim(key: string, member: ClaimMember, caps: ClaimCaps, now: number): Promise<ClaimResult> {
    let members = this.#claims.get(key);
    if (!members) this.#claims.set(key, (members = new Map()));
    for (const [id, existing] of members) if (existing.expiresAt <= now) members.delete(id);
    const result = admits([...members.values()], member, caps);
    if (result.ok) members.set(member.id, { ...member });
    return result;
  }

  async release(key: string, id: string): Promise<void> {
    this.#claims.get(key)?.delete(id);
  }

  purge(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    for (const [key, members] of this.#claims) {
      for (const [id, member] of members) if (member.expiresAt <= now) members.delete(id);
      if (members.size === 0) this.#claims.delete(key);
    }
  }
}

class MemoryVerificationKeyStore implements VerificationKeyStore {
  readonly #keys = new Map<string, VerificationKey>();
  readonly #withdrawn = new Set<string>();
  #version = 0;

  async publish(key: VerificationKey): Promise<'published' | 'withdrawn'> {
    const id = `${key.use}:${key.id}`;
    if (this.#withdrawn.has(id)) return 'withdrawn';
    const existing = this.#keys.get(id);
    if (!existing || existing.trustedUntil < key.trustedUntil) {
      this.#keys.set(id, { ...key });
      this.#version++;
    }
    return 'published';
  }

  async withdraw(use: VerificationKey['use'], keyId: string, now: number): Promise<boolean> {
    const id = `${use}:${keyId}`;
    const existing = this.#keys.get(id);
    this.#keys.delete(id);
    if (!this.#withdrawn.has(id)) {
      this.#withdrawn.add(id);
      this.#version++;
    }
    return existing !== undefined && existing.trustedUntil > now;
  }

  async version(): Promise<number> {
    return this.#version;
  }

  async list(now: number): Promise<{ version: number; keys: VerificationKey[] }> {
    return { version: this.#version, keys: [...this.#keys.values()].filter((key) => key.trustedUntil > now).map((key) => ({ ...key })) };
  }

  purge(now: number): void {
    for (const [id, key] of this.#keys) if (key.trustedUntil <= now) this.#keys.delete(id);
  }
}
