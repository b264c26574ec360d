import { Redis } from 'ioredis';
import type { Store } from '../store.js';
import { guarded } from './redis-guard.js';
import { RedisKeys } from './redis-keys.js';
import { RedisKeyValueStore } from './redis-kv-store.js';
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
  readonly verificationKeys: RedisVerificationKeyStore;
  readonly #redis: Redis;
  readonly #keys = new RedisKeys();

  private constructor(redis: Redis) {
    this.#redis = redis;
    this.sessions = new RedisSessionStore(redis, this.#keys);
    this.users = new RedisUserStore(redis, this.#keys);
    this.tasks = new RedisTaskStore(redis, this.#keys);
    this.kv = new RedisKeyValueStore(redis, this.#keys);
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
    return new RedisStore(redis);
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
