import { runScript } from './lua-script.js';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { UserRecord, UserStore } from '../store.js';
import { guarded } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Creates the user hash unless it exists (or, for a solution user, its certificate is taken), and
 * indexes it. KEYS: hash, index, certificate index. ARGV: key, '1' for a solution user, then fields.
 */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if ARGV[2] == '1' and redis.call('SET', KEYS[3], ARGV[1], 'NX') == false then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`;

/** Deletes a user, its index entry and its certificate's. KEYS: hash, index. ARGV: key, certificate index prefix. */
const DELETE = `
local certificate = redis.call('HGET', KEYS[1], 'certificateThumbprint')
if certificate then redis.call('DEL', ARGV[2] .. certificate) end
redis.call('SREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
`;

const thumbprint = (certificate: string) => createHash('sha256').update(certificate).digest('hex');

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
    ...(hash.certificate !== undefined ? { certificate: hash.certificate } : {}),
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
    const certificate = user.certificate === undefined ? '' : thumbprint(user.certificate);
    if (user.certificate !== undefined) fields.push('certificate', user.certificate, 'certificateThumbprint', certificate);
    const keys = [this.#keys.user(user.key), this.#keys.users(), this.#keys.userByCertificate(certificate)];
    return guarded(async () => (await runScript(this.#redis, CREATE, 3, ...keys, user.key, certificate === '' ? '0' : '1', ...fields)) === 1);
  }

  get(key: string): Promise<UserRecord | undefined> {
    return guarded(async () => userFromHash(key, await this.#redis.hgetall(this.#keys.user(key))));
  }

  findByCertificate(certificate: string): Promise<UserRecord | undefined> {
    return guarded(async () => {
      const key = await this.#redis.get(this.#keys.userByCertificate(thumbprint(certificate)));
      if (key === null) return undefined;
      const user = userFromHash(key, await this.#redis.hgetall(this.#keys.user(key)));
      return user?.certificate === certificate ? user : undefined;
    });
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
    return guarded(async () => (await runScript(this.#redis, UPDATE, 1, this.#keys.user(key), ...fields)) === 1);
  }

  delete(key: string): Promise<boolean> {
    return guarded(async () => (await runScript(this.#redis, DELETE, 2, this.#keys.user(key), this.#keys.users(), key, this.#keys.userByCertificate(''))) === 1);
  }
}
