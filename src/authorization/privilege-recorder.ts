import { privilegeCheckKey } from './privilege-check-key.js';
import type { PrivilegeCheck, PrivilegeCheckStore } from '../store/store.js';

export interface PrivilegeRecorderPolicy {
  /** How many checks the shared record keeps; older ones are dropped. 0 records none. */
  capacity: number;
  /** How long a check may wait in this process before it is written with the others. */
  flushIntervalMs: number;
}

export const DEFAULT_PRIVILEGE_RECORDER_POLICY: PrivilegeRecorderPolicy = { capacity: 10_000, flushIntervalMs: 100 };

/** A batch this large is written at once rather than at the interval. */
const FLUSH_AT = 500;

interface Log {
  warn(object: object, message: string): void;
}

/**
 * Records the privilege checks of this process into the shared store. The request path only pushes
 * to a buffer; checks are written in batches (one store step each), at most `flushIntervalMs` late.
 */
export class PrivilegeRecorder {
  readonly #store: PrivilegeCheckStore;
  readonly #policy: PrivilegeRecorderPolicy;
  readonly #log: Log;
  #buffer: PrivilegeCheck[] = [];
  #buffered = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(store: PrivilegeCheckStore, policy: PrivilegeRecorderPolicy, log: Log) {
    this.#store = store;
    this.#policy = policy;
    this.#log = log;
  }

  record(check: PrivilegeCheck): void {
    if (this.#policy.capacity === 0) return;
    const key = privilegeCheckKey(check);
    if (this.#buffered.has(key)) return;
    this.#buffered.add(key);
    this.#buffer.push(check);
    if (this.#buffer.length >= FLUSH_AT) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#policy.flushIntervalMs).unref();
  }

  /** Writes what is buffered; resolves once every check recorded before the call is in the store. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#buffered = new Set();
    // Batches are written one after another, so that numbers follow the order checks were made.
    this.#writing = this.#writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.#store.append(batch, this.#policy.capacity);
      } catch (error) {
        this.#log.warn({ err: error, checks: batch.length }, 'privilege checks could not be recorded');
      }
    });
    return this.#writing;
  }
}
