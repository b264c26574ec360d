import { privilegeCheckKey } from './privilege-check-key.js';
import type { PrivilegeCheck, PrivilegeCheckStore, RecordedCheck } from './store.js';

/** The privilege-check record in process memory: a window of consecutive numbers. */
export class MemoryPrivilegeCheckStore implements PrivilegeCheckStore {
  /** Kept checks, oldest first; their numbers run without gaps. */
  readonly #checks: (RecordedCheck & { key: string })[] = [];
  readonly #kept = new Set<string>();
  #latest = 0;

  async append(checks: readonly PrivilegeCheck[], capacity: number): Promise<void> {
    for (const check of checks) {
      const key = privilegeCheckKey(check);
      if (this.#kept.has(key)) continue;
      this.#kept.add(key);
      this.#checks.push({ ...check, seq: ++this.#latest, key });
    }
    const excess = this.#checks.length - capacity;
    if (excess > 0) for (const dropped of this.#checks.splice(0, excess)) this.#kept.delete(dropped.key);
  }

  async latest(): Promise<number> {
    return this.#latest;
  }

  async after(seq: number, limit: number): Promise<{ oldest: number; checks: RecordedCheck[] }> {
    const oldest = this.#checks[0]?.seq ?? this.#latest + 1;
    const start = Math.max(0, seq + 1 - oldest);
    const checks = this.#checks.slice(start, start + limit).map(({ key: _key, ...check }) => check);
    return { oldest, checks };
  }
}
