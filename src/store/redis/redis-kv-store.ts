import { runScript } from './lua-script.js';
import type { Redis } from 'ioredis';
import type { ClaimCaps, ClaimMember, ClaimResult, KeyValueStore } from '../store.js';
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

/**
 * Adds a member to a bounded set unless a cap is reached (the rule of claim-rule.ts): expired
 * members are dropped first, then the live ones counted. Answers -1 when added, else when the
 * earliest live member expires. Both keys live as long as their longest-lived member.
 * KEYS: sorted set (id scored by expiry), hash (id → group). ARGV: now, id, group, expiresAt, cap on
 * members, cap on groups.
 */
const CLAIM = `
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  redis.call('HDEL', KEYS[2], unpack(expired))
end
local admitted = redis.call('ZSCORE', KEYS[1], ARGV[2]) ~= false
if not admitted then
  local full = tonumber(ARGV[5]) > 0 and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5])
  local newGroupOverCap = false
  if tonumber(ARGV[6]) > 0 then
    local seen, distinct, known = {}, 0, false
    for _, group in ipairs(redis.call('HVALS', KEYS[2])) do
      if not seen[group] then seen[group] = true; distinct = distinct + 1 end
      if group == ARGV[3] then known = true end
    end
    newGroupOverCap = (not known) and distinct >= tonumber(ARGV[6])
  end
  admitted = not full and not newGroupOverCap
end
if not admitted then return redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
local ttl = math.max(1, tonumber(ARGV[4]) - now)
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return -1
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
    return guarded(async () => Number(await runScript(this.#redis, INCREMENT, 1, this.#keys.counter(key), now, Math.max(1, windowMs))));
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

  claim(key: string, member: ClaimMember, caps: ClaimCaps, now: number): Promise<ClaimResult> {
    return guarded(async () => {
      const k = this.#keys;
      const reply = await runScript(this.#redis, CLAIM, 2, k.claims(key), k.claimGroups(key), now, member.id, member.group, member.expiresAt, caps.members, caps.groups);
      return Number(reply) === -1 ? { ok: true } : { ok: false, freesAt: Number(reply) };
    });
  }

  release(key: string, id: string): Promise<void> {
    return guarded(async () => {
      await this.#redis.multi().zrem(this.#keys.claims(key), id).hdel(this.#keys.claimGroups(key), id).exec();
    });
  }

  delete(key: string): Promise<void> {
    return guarded(async () => {
      await this.#redis.del(this.#keys.value(key), this.#keys.counter(key));
    });
  }
}
