import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { WorkQueue } from '../core/work-queue.js';

/**
 * argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane). Runs on libuv's thread pool, so
 * the event loop keeps serving while a password is checked.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface HashingPolicy {
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes waiting for a slot; more are refused with SERVICE_UNAVAILABLE. */
  maxWaiting: number;
}

/**
 * Half the cores hash at most, so that a burst of logins leaves the event loop a core to serve
 * authenticated requests; 64 checks may wait (about a second of hashing), not more.
 */
export function defaultHashingPolicy(): HashingPolicy {
  return { concurrency: Math.max(1, Math.floor(availableParallelism() / 2)), maxWaiting: 64 };
}

/** Hashes and verifies passwords through one bounded queue (QueueFullError when it is full). */
export class PasswordHasher {
  readonly #queue: WorkQueue;

  constructor(policy: HashingPolicy = defaultHashingPolicy()) {
    this.#queue = new WorkQueue(policy.concurrency, policy.maxWaiting);
  }

  /** Passwords waiting to be hashed or checked. */
  get depth(): number {
    return this.#queue.depth;
  }

  hash(password: string): Promise<string> {
    return this.#queue.run(() => argon2.hash(password, OPTIONS));
  }

  /** False (never an exception, but QueueFullError) for a wrong password or a hash that is not argon2's. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.#queue.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
  }
}
