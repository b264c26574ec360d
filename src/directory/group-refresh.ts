import type { Clock } from '../core/clock.js';
import { DirectoryUnavailableError } from '../core/errors.js';
import type { DirectoryAccount } from '../identity/account.js';
import type { IdentitySources } from '../identity/identity-sources.js';

export interface GroupRefreshLog {
  warn(details: object, text: string): void;
}

/**
 * Keeps the groups of live directory sessions and tokens current: groups older than the interval
 * are read again. A directory that does not answer leaves the groups as they were (the session
 * keeps working; the next request tries again); a user the directory no longer has is gone.
 */
export class GroupRefresh {
  readonly intervalMs: number;
  readonly #sources: IdentitySources;
  readonly #clock: Clock;
  readonly #log: GroupRefreshLog;
  /** Concurrent requests of one user share one directory read. */
  readonly #reading = new Map<string, Promise<DirectoryAccount | undefined>>();

  constructor(sources: IdentitySources, intervalMs: number, clock: Clock, log: GroupRefreshLog) {
    this.#sources = sources;
    this.intervalMs = intervalMs;
    this.#clock = clock;
    this.#log = log;
  }

  /** `account` when its groups are fresh or cannot be read now; the account as read again; undefined when gone. */
  async current(account: DirectoryAccount): Promise<DirectoryAccount | undefined> {
    if (this.#clock.now() - account.groupsReadAt < this.intervalMs) return account;
    let reading = this.#reading.get(account.key);
    if (!reading) {
      reading = this.#read(account).finally(() => this.#reading.delete(account.key));
      this.#reading.set(account.key, reading);
    }
    return reading;
  }

  async #read(account: DirectoryAccount): Promise<DirectoryAccount | undefined> {
    const directory = this.#sources.directory(account.domain);
    if (!directory) return undefined;
    try {
      return await directory.lookup(account.name);
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      this.#log.warn({ account: account.key, reason: error.message }, 'groups not refreshed: the directory did not answer');
      return account;
    }
  }
}
