import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { sha256Hex } from '../core/secrets.js';
import type { KeyValueStore } from '../store/store.js';

/** The OMIVV client limits (omivv-jwt.md §6); 0 turns a limit off. */
export interface ClientLimitPolicy {
  /** Distinct client addresses holding live tokens at once. */
  maxClients: number;
  /** Live tokens (issued, unexpired, not logged off) at once. */
  maxTokens: number;
  /** Requests to the login paths in any 60 s, from everyone together. */
  requestsPerMinute: number;
  /**
   * Requests to the login paths in any 60 s from one client address. Below the shared rate, so that
   * one client trips its own limit before it can use up everyone's.
   */
  requestsPerClientPerMinute: number;
  /** Requests in any 60 s that carry one token. */
  requestsPerTokenPerMinute: number;
}

/** The documented OMIVV numbers. */
export const DEFAULT_CLIENT_LIMITS: ClientLimitPolicy = {
  maxClients: 3,
  maxTokens: 10,
  requestsPerMinute: 100,
  requestsPerClientPerMinute: 20,
  requestsPerTokenPerMinute: 10,
};

const MINUTE = 60_000;
const TOKENS = 'omivv:tokens';
const REQUESTS = 'omivv:requests';

/**
 * The OMIVV limits over the shared store, so they hold across nodes: sliding 60 s windows of
 * requests (each request a member of a bounded set for a minute), and the live tokens with the
 * client address each was issued to.
 */
export class ClientLimits {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    readonly policy: ClientLimitPolicy,
  ) {}

  /**
   * 0 when one more request from `client` (its address) may go on now, else how long to wait (ms).
   * The client's own window is asked first: a request it refuses does not count toward the shared
   * one. `token` adds its own window.
   */
  async admitRequest(client: string, token?: string): Promise<number> {
    const windows: [string, number][] = [
      [`${REQUESTS}:client:${client}`, this.policy.requestsPerClientPerMinute],
      [REQUESTS, this.policy.requestsPerMinute],
      ...(token === undefined ? [] : [[`${REQUESTS}:${sha256Hex(token)}`, this.policy.requestsPerTokenPerMinute] as [string, number]]),
    ];
    for (const [window, limit] of windows) {
      const wait = await this.#admit(window, limit);
      if (wait > 0) return wait;
    }
    return 0;
  }

  /** Holds a place for a token about to be issued to `client`; false when the tokens or clients are at their limit. */
  async reserve(jti: string, client: string, expiresAt: number): Promise<boolean> {
    if (this.policy.maxTokens === 0 && this.policy.maxClients === 0) return true;
    const caps = { members: this.policy.maxTokens, groups: this.policy.maxClients };
    return (await this.kv.claim(TOKENS, { id: jti, group: client, expiresAt }, caps, this.clock.now())).ok;
  }

  /** Gives a token's place back (logoff, or a login that failed after its place was held). */
  async release(jti: string): Promise<void> {
    if (this.policy.maxTokens === 0 && this.policy.maxClients === 0) return;
    await this.kv.release(TOKENS, jti);
  }

  async #admit(window: string, limit: number): Promise<number> {
    if (limit === 0) return 0;
    const now = this.clock.now();
    const result = await this.kv.claim(window, { id: randomUUID(), group: '', expiresAt: now + MINUTE }, { members: limit, groups: 0 }, now);
    return result.ok ? 0 : Math.max(1, result.freesAt - now);
  }
}
