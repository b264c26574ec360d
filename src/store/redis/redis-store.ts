import { runScript } from './lua-script.js';
import { Redis } from 'ioredis';
import type { Store } from '../store.js';
import { guarded } from './redis-guard.js';
import { RedisKeys } from './redis-keys.js';
import { bumpVersion, RedisAuthorizationStore } from './redis-authorization-store.js';
import { RedisKeyValueStore } from './redis-kv-store.js';
import { RedisPrivilegeCheckStore } from './redis-privilege-check-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import { RedisTaskStore } from './redis-task-store.js';
import { RedisUserStore } from './redis-user-store.js';
import { RedisVerificationKeyStore } from './redis-verification-key-store.js';

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://…` for TLS. */
  url: string;
  /** How long to wait for the first connection before giving up. */
  connectTimeoutMs?: number;
  /** A command that gets no answer in this time fails (the request gets 503) instead of hanging. */
  commandTimeoutMs?: number;
}

/** Gives a user's old role as its permission (unless it has one) and drops the field. KEYS: permissions, version, user. ARGV: permission key, role. */
const MOVE_ROLE = `
if ARGV[2] ~= '' and redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  ${bumpVersion('KEYS[2]')}
end
redis.call('HDEL', KEYS[3], 'roles')
`;

/**
 * State shared by every node through one Redis. While Redis is unreachable every command fails at
 * once (no offline queue), so requests answer 503 instead of waiting; the client reconnects every
 * 100 ms, so service resumes within a fraction of a second after Redis returns.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly sessions: RedisSessionStore;
  readonly users: RedisUserStore;
  readonly tasks: RedisTaskStore;
  readonly kv: RedisKeyValueStore;
  readonly authorization: RedisAuthorizationStore;
  readonly privilegeChecks: RedisPrivilegeCheckStore;
  readonly verificationKeys: RedisVerificationKeyStore;
  readonly #redis: Redis;
  readonly #keys = new RedisKeys();

  private constructor(redis: Redis) {
    this.#redis = redis;
    this.sessions = new RedisSessionStore(redis, this.#keys);
    this.users = new RedisUserStore(redis, this.#keys);
    this.tasks = new RedisTaskStore(redis, this.#keys);
    this.kv = new RedisKeyValueStore(redis, this.#keys);
    this.authorization = new RedisAuthorizationStore(redis, this.#keys);
    this.privilegeChecks = new RedisPrivilegeCheckStore(redis, this.#keys);
    this.verificationKeys = new RedisVerificationKeyStore(redis, this.#keys);
  }

  /** Connects, or fails with an error naming the server (never the password). */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      retryStrategy: () => 100,
    });
    // Errors surface on the commands that fail; without a listener ioredis would print each one.
    redis.on('error', () => undefined);
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      const where = new URL(options.url);
      throw new Error(`cannot reach Redis at ${where.protocol}//${where.host}${where.pathname}: ${(error as Error).message}`);
    }
    const store = new RedisStore(redis);
    await guarded(() => store.#moveRolesToPermissions());
    return store;
  }

  /**
   * Users written before permissions existed carry a `roles` field: each keeps the role it had
   * (Administrator where it had several) as a user permission. Idempotent, so nodes may race.
   */
  async #moveRolesToPermissions(): Promise<void> {
    const k = this.#keys;
    for (const key of await this.#redis.smembers(k.users())) {
      const roles = await this.#redis.hget(k.user(key), 'roles');
      if (roles === null) continue;
      const list = JSON.parse(roles) as string[];
      const role = list.includes('Administrator') ? 'Administrator' : list[0];
      await runScript(this.#redis, MOVE_ROLE, 3, k.permissions(), k.authzVersion(), k.user(key), `u:${key}`, role ?? '');
    }
  }

  async purgeExpired(now: number): Promise<void> {
    await guarded(() => this.#redis.zremrangebyscore(this.#keys.allSessions(), '-inf', now));
    await this.tasks.purge(now);
    await this.verificationKeys.purge(now);
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}
