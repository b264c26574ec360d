import { runScript } from './lua-script.js';
import type { Redis } from 'ioredis';
import type { PrivilegeCheck, PrivilegeCheckStore, RecordedCheck } from '../store.js';
import { guarded } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Appends checks and drops the oldest beyond the capacity, in one step. KEYS: records, bounds.
 * ARGV: capacity, then the record of each check.
 */
const APPEND = `
local latest = tonumber(redis.call('HGET', KEYS[2], 'latest') or '0')
local oldest = tonumber(redis.call('HGET', KEYS[2], 'oldest') or '1')
for i = 2, #ARGV do
  latest = latest + 1
  redis.call('HSET', KEYS[1], latest, ARGV[i])
end
local capacity = tonumber(ARGV[1])
while latest - oldest + 1 > capacity do
  redis.call('HDEL', KEYS[1], oldest)
  oldest = oldest + 1
end
redis.call('HSET', KEYS[2], 'latest', latest, 'oldest', oldest)
return latest
`;

/** KEYS: records, bounds. ARGV: after, limit. Answers oldest, then the records in order. */
const AFTER = `
local latest = tonumber(redis.call('HGET', KEYS[2], 'latest') or '0')
local oldest = tonumber(redis.call('HGET', KEYS[2], 'oldest') or '1')
local from = math.max(tonumber(ARGV[1]) + 1, oldest)
local to = math.min(latest, from + tonumber(ARGV[2]) - 1)
local out = { tostring(oldest) }
for seq = from, to do
  local record = redis.call('HGET', KEYS[1], seq)
  if record then out[#out + 1] = tostring(seq); out[#out + 1] = record end
end
return out
`;

/** The privilege-check record as a hash keyed by consecutive numbers, with the bounds beside it. */
export class RedisPrivilegeCheckStore implements PrivilegeCheckStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  append(checks: readonly PrivilegeCheck[], capacity: number): Promise<void> {
    if (checks.length === 0) return Promise.resolve();
    const k = this.#keys;
    return guarded(async () => {
      await runScript(this.#redis, APPEND, 2, k.privilegeChecks(), k.privilegeCheckBounds(), capacity, ...checks.map((check) => JSON.stringify(check)));
    });
  }

  latest(): Promise<number> {
    return guarded(async () => Number((await this.#redis.hget(this.#keys.privilegeCheckBounds(), 'latest')) ?? 0));
  }

  after(seq: number, limit: number): Promise<{ oldest: number; checks: RecordedCheck[] }> {
    const k = this.#keys;
    return guarded(async () => {
      const [oldest, ...flat] = (await runScript(this.#redis, AFTER, 2, k.privilegeChecks(), k.privilegeCheckBounds(), seq, limit)) as string[];
      const checks: RecordedCheck[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        checks.push({ ...(JSON.parse(flat[i + 1]!) as PrivilegeCheck), seq: Number(flat[i]) });
      }
      return { oldest: Number(oldest), checks };
    });
  }
}
