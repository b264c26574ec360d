import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { KeyValueStore } from '../store/store.js';
import type { AuditTrail } from '../observability/audit-trail.js';

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

const MAX_ACCOUNT_KEY_LENGTH = 256;

/**
 * The account as lockout records name it. Failures are counted for any submitted text, and a login
 * body may be a megabyte, so longer keys are replaced by their hash (which has no `@`, so it cannot
 * collide with an account key).
 */
function boundedKey(accountKey: string): string {
  if (accountKey.length <= MAX_ACCOUNT_KEY_LENGTH) return accountKey;
  return `sha256:${createHash('sha256').update(accountKey).digest('base64url')}`;
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
  readonly #audit: AuditTrail | undefined;

  constructor(kv: KeyValueStore, clock: Clock, policy: LockoutPolicy, log: LockoutLog, audit?: AuditTrail) {
    this.#kv = kv;
    this.#clock = clock;
    this.#policy = policy;
    this.#log = log;
    this.#audit = audit;
  }

  async isLocked(accountKey: string): Promise<boolean> {
    if (this.#policy.maxFailures === 0) return false;
    return (await this.#kv.get(`lock:${boundedKey(accountKey)}`, this.#clock.now())) !== undefined;
  }

  /**
   * Counts a failure. Every failure from the limit on, until the window ends, asks for a lock, so a
   * lock that ends inside the window leaves one guess, not the rest of the window. Which failure
   * sets a lock is decided by a counter that lives exactly as long as the lock: the first of each
   * lock period wins, so a burst of concurrent failures locks once and none extends a lock.
   */
  async recordFailure(accountKey: string): Promise<void> {
    if (this.#policy.maxFailures === 0) return;
    const now = this.#clock.now();
    const account = boundedKey(accountKey);
    const failures = await this.#kv.increment(`failures:${account}`, this.#policy.windowMs, now);
    if (failures < this.#policy.maxFailures) return;
    if ((await this.#kv.increment(`lock-claim:${account}`, this.#policy.durationMs, now)) !== 1) return;
    await this.#kv.put(`lock:${account}`, String(now), now + this.#policy.durationMs, now);
    this.#log.warn({ account, until: new Date(now + this.#policy.durationMs).toISOString() }, 'account locked');
    this.#audit?.record({ event: 'lockout.started', user: account });
  }

  /**
   * Ends a lock and forgets the failures (an administrator's unlock), whatever the policy: the lock
   * claim goes too, so that the next run of failures can lock the account again at once.
   */
  async unlock(accountKey: string): Promise<void> {
    const account = boundedKey(accountKey);
    for (const key of [`lock:${account}`, `lock-claim:${account}`, `failures:${account}`]) await this.#kv.delete(key);
  }

  /** A successful check ends the run of consecutive failures. */
  async reset(accountKey: string): Promise<void> {
    if (this.#policy.maxFailures === 0) return;
    await this.#kv.delete(`failures:${boundedKey(accountKey)}`);
  }
}
