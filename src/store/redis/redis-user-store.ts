import type { Redis } from 'ioredis';
import type { UserRecord, UserStore } from '../store.js';
import { guarded } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';

/** Creates the user hash unless it exists, and indexes it. KEYS: hash, index. ARGV: key, then fields. */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`;

/** Changes fields of an existing user. KEYS: hash. ARGV: fields. */
const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return 1
`;

export function userFromHash(key: string, hash: Record<string, string>): UserRecord | undefined {
  if (hash.name === undefined) return undefined;
  return {
    key,
    name: hash.name,
    domain: hash.domain!,
    passwordHash: hash.passwordHash!,
    createdAt: Number(hash.createdAt),
  };
}

/** Accounts as hashes, with a set of their keys for listing. */
export class RedisUserStore implements UserStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  create(user: UserRecord): Promise<boolean> {
    const fields = ['name', user.name, 'domain', user.domain, 'passwordHash', user.passwordHash, 'createdAt', String(user.createdAt)];
    return guarded(async () => (await this.#redis.eval(CREATE, 2, this.#keys.user(user.key), this.#keys.users(), user.key, ...fields)) === 1);
  }

  get(key: string): Promise<UserRecord | undefined> {
    return guarded(async () => userFromHash(key, await this.#redis.hgetall(this.#keys.user(key))));
  }

  list(): Promise<UserRecord[]> {
    return guarded(async () => {
      const keys = (await this.#redis.smembers(this.#keys.users())).sort();
      const pipeline = this.#redis.pipeline();
      for (const key of keys) pipeline.hgetall(this.#keys.user(key));
      const hashes = (await pipeline.exec()) ?? [];
      return keys.flatMap((key, i) => {
        const user = userFromHash(key, (hashes[i]?.[1] ?? {}) as Record<string, string>);
        return user ? [user] : [];
      });
    });
  }

  update(key: string, change: Partial<Pick<UserRecord, 'passwordHash'>>): Promise<boolean> {
    const fields: string[] = [];
    if (change.passwordHash !== undefined) fields.push('passwordHash', change.passwordHash);
    return guarded(async () => (await this.#redis.eval(UPDATE, 1, this.#keys.user(key), ...fields)) === 1);
  }

  delete(key: string): Promise<boolean> {
    return guarded(async () => {
      const [[, removed] = []] = (await this.#redis.multi().del(this.#keys.user(key)).srem(this.#keys.users(), key).exec()) ?? [];
      return removed === 1;
    });
  }
}
