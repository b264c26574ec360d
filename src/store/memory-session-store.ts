import { SessionTable } from './session-table.js';
import type { AuthorizationStore, DirectorySessionAccount, InsertSessionResult, SessionCaps, SessionRecord, SessionStore, SessionWithUser, UserStore } from './store.js';

/** The memory store's sessions: expiry and caps over a compact SessionTable. */
export class MemorySessionStore implements SessionStore {
  readonly #table = new SessionTable();
  readonly #users: UserStore;
  readonly #authorization: AuthorizationStore;

  constructor(users: UserStore, authorization: AuthorizationStore) {
    this.#users = users;
    this.#authorization = authorization;
  }

  async insert(record: SessionRecord, caps: SessionCaps, now: number): Promise<InsertSessionResult> {
    // Expired records linger until purged; counting them would refuse a login that should pass,
    // so purge before deciding, but only when a cap could be reached (no scan on the common path).
    if (caps.total > 0 && this.#table.size >= caps.total) this.purge(now);
    if (caps.total > 0 && this.#table.size >= caps.total) return 'total_cap';
    if (caps.perUser > 0 && this.#table.countOf(record.userKey) >= caps.perUser) {
      for (const slot of this.#table.slotsOf(record.userKey)) this.#dropIfExpired(slot, now);
      if (this.#table.countOf(record.userKey) >= caps.perUser) return 'user_cap';
    }
    const slot = this.#table.add(record.key, record.userKey, record, record);
    this.#table.setDirectory(slot, record.directory);
    return 'created';
  }

  async getWithUser(key: string, now: number): Promise<SessionWithUser | undefined> {
    const slot = this.#table.find(key);
    if (slot === undefined || this.#table.expiresAt(slot) <= now) return undefined;
    const session = this.#record(slot);
    return { session, user: await this.#users.get(session.userKey), authzVersion: await this.#authorization.version() };
  }

  async updateDirectoryAccount(key: string, account: DirectorySessionAccount, now: number): Promise<void> {
    const slot = this.#table.find(key);
    if (slot !== undefined && this.#table.directory(slot) && this.#table.expiresAt(slot) > now) this.#table.setDirectory(slot, account);
  }

  async touch(key: string, lastAccessedAt: number, expiresAt: number): Promise<void> {
    const slot = this.#table.find(key);
    if (slot !== undefined && this.#table.expiresAt(slot) > lastAccessedAt) this.#table.touch(slot, lastAccessedAt, expiresAt);
  }

  async delete(key: string, now: number): Promise<boolean> {
    const slot = this.#table.find(key);
    if (slot === undefined) return false;
    const live = this.#table.expiresAt(slot) > now;
    this.#table.remove(slot);
    return live;
  }

  async list(now: number, userKey?: string): Promise<SessionRecord[]> {
    const slots = userKey === undefined ? [...this.#table.slots()] : this.#table.slotsOf(userKey);
    return slots
      .filter((slot) => this.#table.expiresAt(slot) > now)
      .map((slot) => this.#record(slot))
      .sort((a, b) => a.createdAt - b.createdAt || a.key.localeCompare(b.key));
  }

  async countLive(now: number): Promise<number> {
    let live = 0;
    for (const slot of this.#table.slots()) if (this.#table.expiresAt(slot) > now) live++;
    return live;
  }

  #record(slot: number): SessionRecord {
    const directory = this.#table.directory(slot);
    return {
      key: this.#table.key(slot),
      userKey: this.#table.userKey(slot),
      ...this.#table.times(slot),
      ...this.#table.labels(slot),
      ...(directory ? { directory } : {}),
    };
  }

  purge(now: number): void {
    for (const slot of this.#table.slots()) this.#dropIfExpired(slot, now);
  }

  #dropIfExpired(slot: number, now: number): void {
    if (this.#table.expiresAt(slot) <= now) this.#table.remove(slot);
  }
}
