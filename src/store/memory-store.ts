import type {
  InsertSessionResult,
  SessionCaps,
  SessionRecord,
  SessionStore,
  Store,
  UserRecord,
  UserStore,
} from './store.js';

/** Process-local state: for tests, benchmarks and throw-away servers. Lost on exit. */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly sessions = new MemorySessionStore();
  readonly users = new MemoryUserStore();

  async purgeExpired(now: number): Promise<void> {
    this.sessions.purge(now);
  }

  async close(): Promise<void> {}
}

class MemorySessionStore implements SessionStore {
  readonly #byKey = new Map<string, SessionRecord>();
  readonly #byUser = new Map<string, Set<string>>();

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
    this.#byKey.set(record.key, { ...record });
    let set = this.#byUser.get(record.userKey);
    if (!set) this.#byUser.set(record.userKey, (set = new Set()));
    set.add(record.key);
    return 'created';
  }

  async get(key: string, now: number): Promise<SessionRecord | undefined> {
    const record = this.#byKey.get(key);
    return record && record.expiresAt > now ? { ...record } : undefined;
  }

  async touch(key: string, lastAccessedAt: number, expiresAt: number): Promise<void> {
    const record = this.#byKey.get(key);
    if (record) {
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

class MemoryUserStore implements UserStore {
  readonly #users = new Map<string, UserRecord>();

  async create(user: UserRecord): Promise<boolean> {
    if (this.#users.has(user.key)) return false;
    this.#users.set(user.key, structuredClone(user));
    return true;
  }

  async get(key: string): Promise<UserRecord | undefined> {
    const user = this.#users.get(key);
    return user && structuredClone(user);
  }

  async list(): Promise<UserRecord[]> {
    return [...this.#users.values()].map((user) => structuredClone(user));
  }

  async update(key: string, change: Partial<Pick<UserRecord, 'passwordHash' | 'roles'>>): Promise<boolean> {
    const user = this.#users.get(key);
    if (!user) return false;
    Object.assign(user, structuredClone(change));
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.#users.delete(key);
  }
}
