import { ACTIVE_STATUSES, isLive, matchesTaskFilter } from './task-filter.js';
import { admits } from './claim-rule.js';
import { MemoryAuthorizationStore } from './memory-authorization-store.js';
import { MemoryPrivilegeCheckStore } from './memory-privilege-check-store.js';
import { MemorySessionStore } from './memory-session-store.js';
import type {
  CancelRequestResult,
  ClaimCaps,
  ClaimMember,
  ClaimResult,
  KeyValueStore,
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

/** A copy a caller may change freely (read on every request, so cheaper than structuredClone). */
function copyUser(user: UserRecord): UserRecord {
  return { ...user };
}

class MemoryUserStore implements UserStore {
  readonly #users = new Map<string, UserRecord>();

  readonly #byCertificate = new Map<string, string>();

  async create(user: UserRecord): Promise<boolean> {
    if (this.#users.has(user.key) || (user.certificate !== undefined && this.#byCertificate.has(user.certificate))) return false;
    this.#users.set(user.key, copyUser(user));
    if (user.certificate !== undefined) this.#byCertificate.set(user.certificate, user.key);
    return true;
  }

  async get(key: string): Promise<UserRecord | undefined> {
    const user = this.#users.get(key);
    return user && copyUser(user);
  }

  async findByCertificate(certificate: string): Promise<UserRecord | undefined> {
    const key = this.#byCertificate.get(certificate);
    return key === undefined ? undefined : this.get(key);
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
    const certificate = this.#users.get(key)?.certificate;
    if (certificate !== undefined) this.#byCertificate.delete(certificate);
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
