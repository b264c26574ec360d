import type { Clock } from '../core/clock.js';
import { VapiError } from '../core/errors.js';
import { message } from '../core/messages.js';
import { randomHexToken, sha256Hex } from '../core/secrets.js';
import type { DirectorySessionAccount, SessionRecord, SessionStore, SessionWithUser } from '../store/store.js';

export interface SessionPolicy {
  /** A session ends after this long without a request. */
  idleTimeoutMs: number;
  /** A session ends this long after it was created, however busy. */
  absoluteTimeoutMs: number;
  /** 0 = no limit. */
  maxSessionsPerUser: number;
  /** 0 = no limit. */
  maxSessions: number;
  /**
   * Last access is written at most this often per session, so a busy session does not write on
   * every request. Idle expiry then falls between idle − touchInterval and idle after last use.
   */
  touchIntervalMs: number;
}

/** Where a session was created from, as `vapi-auth session list` shows it. */
/** What a session records besides its times: how and where it was created, and a directory user's account. */
export type SessionDetails = Pick<SessionRecord, 'scheme' | 'clientAddress' | 'directory'>;

const TOKEN_FORMAT = /^[0-9a-f]{32}$/;

function capReached(id: string, text: string): VapiError {
  return new VapiError('SERVICE_UNAVAILABLE', [message(`com.vmware.vapi.endpoint.${id}`, text)]);
}

/**
 * `com.vmware.cis.session` semantics over a store: 128-bit tokens of which the store keeps
 * only the SHA-256, idle and absolute expiry, and the session caps.
 */
export class SessionService {
  readonly #store: SessionStore;
  readonly #clock: Clock;
  readonly #policy: SessionPolicy;

  constructor(store: SessionStore, clock: Clock, policy: SessionPolicy) {
    this.#store = store;
    this.#clock = clock;
    this.#policy = policy;
  }

  get policy(): Readonly<SessionPolicy> {
    return this.#policy;
  }

  /**
   * Opens a session for `userKey` and returns its token, the only copy there will ever be.
   * `notAfter` shortens the absolute lifetime (a SAML session ends with its token); `details` records
   * the scheme and client address it was created from and, for a directory user (who has no user
   * record), its account.
   */
  async create(userKey: string, notAfter?: number, details: SessionDetails = {}): Promise<string> {
    const now = this.#clock.now();
    const token = randomHexToken(16);
    const absoluteExpiresAt = Math.min(now + this.#policy.absoluteTimeoutMs, notAfter ?? Infinity);
    const record: SessionRecord = {
      key: sha256Hex(token),
      userKey,
      createdAt: now,
      lastAccessedAt: now,
      absoluteExpiresAt,
      expiresAt: Math.min(now + this.#policy.idleTimeoutMs, absoluteExpiresAt),
      ...details,
    };
    const caps = { perUser: this.#policy.maxSessionsPerUser, total: this.#policy.maxSessions };
    const result = await this.#store.insert(record, caps, now);
    if (result === 'user_cap') {
      throw capReached(
        'failedToLoginMaxUserSessionCountReached',
        'The maximum number of sessions for this user has been reached.',
      );
    }
    if (result === 'total_cap') {
      throw capReached('failedToLoginMaxSessionCountReached', 'The maximum number of sessions has been reached.');
    }
    return token;
  }

  /**
   * The live session a token names, with its last access moved to now, and its account (undefined
   * when the account is gone); undefined when the token is unknown, malformed, deleted or expired
   * (callers cannot tell these apart, by design). One store read.
   */
  async validate(token: string): Promise<SessionWithUser | undefined> {
    if (!TOKEN_FORMAT.test(token)) return undefined;
    const now = this.#clock.now();
    const found = await this.#store.getWithUser(sha256Hex(token), now);
    if (!found) return undefined;
    const { session } = found;
    const expiresAt = Math.min(now + this.#policy.idleTimeoutMs, session.absoluteExpiresAt);
    if (now - session.lastAccessedAt >= this.#policy.touchIntervalMs) {
      await this.#store.touch(session.key, now, expiresAt);
    }
    return { ...found, session: { ...session, lastAccessedAt: now, expiresAt } };
  }

  /** Records the groups of a directory session as read again. */
  async updateDirectoryAccount(key: string, account: DirectorySessionAccount): Promise<void> {
    await this.#store.updateDirectoryAccount(key, account, this.#clock.now());
  }

  /** Ends the session with store key `key` on every node at once. */
  async delete(key: string): Promise<boolean> {
    return this.#store.delete(key, this.#clock.now());
  }
}
