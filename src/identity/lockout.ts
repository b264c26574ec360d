import type { Clock } from '../core/clock.js';
import type { KeyValueStore } from '../store/store.js';

export interface LockoutPolicy {
  /** Failures within the window that lock the account; 0 turns lockout off. */
  maxFailures: number;
  windowMs: number;
  /** How long a lock lasts. */
  durationMs: number;
}

export interface LockoutLog {
  warn(details: object, text: string): void;
}

/**
 * Account lockout over the store's atomic counters, so every node counts together. Failures are
 * counted for any submitted name, existing or not: a lock says nothing about whether a user exists.
 */
export class Lockout {
  readonly #kv: KeyValueStore;
  readonly #clock: Clock;
  readonly #policy: LockoutPolicy;
  readonly #log: LockoutLog;

  constructor(kv: KeyValueStore, clock: Clock, policy: LockoutPolicy, log: LockoutLog) {
    this.#kv = kv;
    this.#clock = clock;
    this.#policy = policy;
    this.#log = log;
  }

  async isLocked(accountKey: string): Promise<boolean> {
    if (this.#policy.maxFailures === 0) return false;
    return (await this.#kv.get(`lock:${accountKey}`, this.#clock.now())) !== undefined;
  }

  /**
   * Counts a failure. The lock is set when the count reaches the limit exactly, so a burst of
   * concurrent failures locks once, and failures after it within the window do not extend it.
   */
  async recordFailure(accountKey: string): Promise<void> {
    if (this.#policy.maxFailures === 0) return;
    const now = this.#clock.now();
    const count = await this.#kv.increment(`failures:${accountKey}`, this.#policy.windowMs, now);
    if (count === this.#policy.maxFailures) {
      await this.#kv.put(`lock:${accountKey}`, String(now), now + this.#policy.durationMs, now);
      this.#log.warn({ account: accountKey, until: new Date(now + this.#policy.durationMs).toISOString() }, 'account locked');
    }
  }

  /** A successful check ends the run of consecutive failures. */
  async reset(accountKey: string): Promise<void> {
    if (this.#policy.maxFailures === 0) return;
    await this.#kv.delete(`failures:${accountKey}`);
  }
}
