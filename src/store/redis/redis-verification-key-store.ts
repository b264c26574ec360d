import { runScript } from './lua-script.js';
import type { Redis } from 'ioredis';
import type { VerificationKey, VerificationKeyStore } from '../store.js';
import { guarded } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Publishes a key or moves its trustedUntil later, unless it was withdrawn; a change bumps the
 * version. KEYS: keys hash, trustedUntil zset, withdrawn set, version. ARGV: `use:id`, key JSON,
 * trustedUntil. Answers 0 when withdrawn.
 */
const PUBLISH = `
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 0 end
local current = redis.call('ZSCORE', KEYS[2], ARGV[1])
if current and tonumber(current) >= tonumber(ARGV[3]) then return 1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('INCR', KEYS[4])
return 1
`;

/** Withdraws a key for good. KEYS as for PUBLISH. ARGV: `use:id`, now. Answers 1 when it was trusted at now. */
const WITHDRAW = `
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 0 end
local trustedUntil = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]) or '0')
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('INCR', KEYS[4])
if trustedUntil > tonumber(ARGV[2]) then return 1 end
return 0
`;

/** The version, then the JSON of every key trusted after now. KEYS: keys hash, trustedUntil zset, version. ARGV: now. */
const LIST = `
local out = { redis.call('GET', KEYS[3]) or '0' }
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')
if #ids > 0 then
  for _, value in ipairs(redis.call('HMGET', KEYS[1], unpack(ids))) do out[#out + 1] = value end
end
return out
`;

/** Drops keys no longer trusted. KEYS: keys hash, trustedUntil zset. ARGV: now. */
const PURGE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if #ids > 0 then
  redis.call('HDEL', KEYS[1], unpack(ids))
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
end
return #ids
`;

/** The cluster's verification keys: a hash of their JSON, a sorted set of their validity, the withdrawn ids, a version counter. */
export class RedisVerificationKeyStore implements VerificationKeyStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  #all(): string[] {
    const k = this.#keys;
    return [k.verificationKeys(), k.verificationKeysTrusted(), k.verificationKeysWithdrawn(), k.verificationKeysVersion()];
  }

  publish(key: VerificationKey): Promise<'published' | 'withdrawn'> {
    const stored: VerificationKey = { use: key.use, id: key.id, material: key.material, trustedUntil: key.trustedUntil, ...(key.createdAt !== undefined ? { createdAt: key.createdAt } : {}) };
    return guarded(async () => {
      const reply = await runScript(this.#redis, PUBLISH, 4, ...this.#all(), `${key.use}:${key.id}`, JSON.stringify(stored), key.trustedUntil);
      return Number(reply) === 1 ? 'published' : 'withdrawn';
    });
  }

  withdraw(use: VerificationKey['use'], id: string, now: number): Promise<boolean> {
    return guarded(async () => Number(await runScript(this.#redis, WITHDRAW, 4, ...this.#all(), `${use}:${id}`, now)) === 1);
  }

  version(): Promise<number> {
    return guarded(async () => Number((await this.#redis.get(this.#keys.verificationKeysVersion())) ?? 0));
  }

  list(now: number): Promise<{ version: number; keys: VerificationKey[] }> {
    const k = this.#keys;
    return guarded(async () => {
      const [version, ...keys] = (await runScript(this.#redis, LIST, 3, k.verificationKeys(), k.verificationKeysTrusted(), k.verificationKeysVersion(), now)) as string[];
      return { version: Number(version), keys: keys.map((json) => JSON.parse(json) as VerificationKey) };
    });
  }

  purge(now: number): Promise<unknown> {
    return guarded(() => runScript(this.#redis, PURGE, 2, this.#keys.verificationKeys(), this.#keys.verificationKeysTrusted(), now));
  }
}
