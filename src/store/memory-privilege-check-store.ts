import type { PrivilegeCheck, PrivilegeCheckStore, RecordedCheck } from './store.js';

/** The privilege-check record in process memory: a window of consecutive numbers. */
export class MemoryPrivilegeCheckStore implements PrivilegeCheckStore {
  /** Kept checks, oldest first; their numbers run without gaps. */
  readonly #checks: RecordedCheck[] = [];
  #latest = 0;

  async append(checks: readonly PrivilegeCheck[], capacity: number): Promise<void> {
    for (const check of checks) this.#checks.push({ ...check, seq: ++this.#latest });
    const excess = this.#checks.length - capacity;
    if (excess > 0) this.#checks.splice(0, excess);
  }

  async latest(): Promise<number> {
    return this.#latest;
  }

  async after(seq: number, limit: number): Promise<{ oldest: number; checks: RecordedCheck[] }> {
    const oldest = this.#checks[0]?.seq ?? this.#latest + 1;
    const start = Math.max(0, seq + 1 - oldest);
    return { oldest, checks: this.#checks.slice(start, start + limit).map((check) => ({ ...check })) };
  }
}
