import type { Redis } from 'ioredis';
import type { KeyValueStore } from '../store.js';
import { guarded } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Increments a fixed-window counter whose window starts with the first increment. The window end is
 * kept with the count, so the server's clock decides, as for every other record.
 * KEYS: counter. ARGV: now, window ms.
 */
const INCREMENT = `
local ends = tonumber(redis.call('HGET', KEYS[1], 'ends') or '0')
local now = tonumber(ARGV[1])
if ends <= now then
  redis.call('HSET', KEYS[1], 'count', 1, 'ends', now + tonumber(ARGV[2]))
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return redis.call('HINCRBY', KEYS[1], 'count', 1)
`;

/** Expiring records as plain keys with relative TTLs. */
export class RedisKeyValueStore implements KeyValueStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  increment(key: string, windowMs: number, now: number): Promise<number> {
    return guarded(async () => Number(await this.#redis.eval(INCREMENT, 1, this.#keys.counter(key), now, Math.max(1, windowMs))));
  }

  put(key: string, value: string, expiresAt: number, now: number): Promise<void> {
    return guarded(async () => {
      await this.#redis.set(this.#keys.value(key), `${expiresAt}|${value}`, 'PX', Math.max(1, expiresAt - now));
    });
  }

  get(key: string, now: number): Promise<string | undefined> {
    return guarded(async () => {
      const stored = await this.#redis.get(this.#keys.value(key));
      if (stored === null) return undefined;
      const bar = stored.indexOf('|');
      return Number(stored.slice(0, bar)) > now ? stored.slice(bar + 1) : undefined;
    });
  }

  delete(key: string): Promise<void> {
    return guarded(async () => {
      await this.#redis.del(this.#keys.value(key), this.#keys.counter(key));
    });
  }
}
