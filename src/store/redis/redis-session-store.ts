import { runScript } from './lua-script.js';
import type { Redis } from 'ioredis';
import type { DirectorySessionAccount, InsertSessionResult, SessionCaps, SessionRecord, SessionStore, SessionWithUser } from '../store.js';
import type { RedisKeys } from './redis-keys.js';
import { guarded } from './redis-guard.js';
import { userFromHash } from './redis-user-store.js';

/**
 * Inserts a session unless a cap is reached. The caps count live members of two sorted sets
 * (score = when the session expires); expired members are dropped first, so the count is exact.
 * KEYS: session hash, the user's set, the set of all. ARGV: now, perUser, total, ttl, key, then fields.
 */
const INSERT = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if tonumber(ARGV[3]) > 0 and redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then return 'total_cap' end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if tonumber(ARGV[2]) > 0 and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return 'user_cap' end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local expiresAt = now + tonumber(ARGV[4])
redis.call('ZADD', KEYS[2], expiresAt, ARGV[5])
redis.call('ZADD', KEYS[3], expiresAt, ARGV[5])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return 'created'
`;

/** Moves last access and expiry of a session still live at `last`. KEYS: hash, user set, all set. ARGV: last, expiresAt, ttl, key. */
const TOUCH = `
local current = redis.call('HGET', KEYS[1], 'expiresAt')
if not current or tonumber(current) <= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'lastAccessedAt', ARGV[1], 'expiresAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], 'XX', ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[3], 'XX', ARGV[2], ARGV[4])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return 1
`;

/** Replaces the directory account of a live directory session. KEYS: hash. ARGV: account JSON, now. */
const UPDATE_DIRECTORY = `
local current = redis.call('HGET', KEYS[1], 'expiresAt')
if not current or tonumber(current) <= tonumber(ARGV[2]) then return 0 end
if redis.call('HEXISTS', KEYS[1], 'directory') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'directory', ARGV[1])
return 1
`;

/** Removes a session and its cap entries; answers its expiry (or false). KEYS: hash, all set. ARGV: key, user-set prefix. */
const DELETE = `
local fields = redis.call('HMGET', KEYS[1], 'userKey', 'expiresAt')
if not fields[1] then return false end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[2] .. fields[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return fields[2]
`;

/**
 * A session hash, its account's hash and the authorization version, in one round trip; nothing
 * when the session is gone. KEYS: session hash, version. ARGV: the account hash prefix (same hash
 * tag, so same slot).
 */
const GET_WITH_USER = `
local session = redis.call('HGETALL', KEYS[1])
if #session == 0 then return false end
local userKey = redis.call('HGET', KEYS[1], 'userKey')
return { session, redis.call('HGETALL', ARGV[1] .. userKey), redis.call('GET', KEYS[2]) or '0' }
`;

/** A flat HGETALL reply from a script (field, value, …) as a record. */
function hashOf(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

const FIELDS = ['userKey', 'createdAt', 'lastAccessedAt', 'absoluteExpiresAt', 'expiresAt', 'scheme', 'clientAddress'] as const;

function fromHash(key: string, hash: Record<string, string>): SessionRecord | undefined {
  if (hash.userKey === undefined) return undefined;
  return {
    key,
    userKey: hash.userKey,
    createdAt: Number(hash.createdAt),
    lastAccessedAt: Number(hash.lastAccessedAt),
    absoluteExpiresAt: Number(hash.absoluteExpiresAt),
    expiresAt: Number(hash.expiresAt),
    ...(hash.scheme !== undefined ? { scheme: hash.scheme } : {}),
    ...(hash.clientAddress !== undefined ? { clientAddress: hash.clientAddress } : {}),
    ...(hash.directory === undefined ? {} : { directory: JSON.parse(hash.directory) as DirectorySessionAccount }),
  };
}

/**
 * Sessions as hashes with a TTL. TTLs are relative (expiry − now by the injected clock), and every
 * read checks the recorded expiry too, so the server's clock stays the authority.
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  insert(record: SessionRecord, caps: SessionCaps, now: number): Promise<InsertSessionResult> {
    const k = this.#keys;
    const ttl = Math.max(1, record.expiresAt - now);
    const fields = FIELDS.flatMap((field) => (record[field] === undefined ? [] : [field, String(record[field])]));
    if (record.directory) fields.push('directory', JSON.stringify(record.directory));
    return guarded(
      () =>
        runScript(this.#redis, INSERT, 3, k.session(record.key), k.userSessions(record.userKey), k.allSessions(), now, caps.perUser, caps.total, ttl, record.key, ...fields) as Promise<InsertSessionResult>,
    );
  }

  getWithUser(key: string, now: number): Promise<SessionWithUser | undefined> {
    return guarded(async () => {
      const k = this.#keys;
      const reply = (await runScript(this.#redis, GET_WITH_USER, 2, k.session(key), k.authzVersion(), k.user(''))) as [string[], string[], string] | null;
      const session = reply ? fromHash(key, hashOf(reply[0])) : undefined;
      if (!session || session.expiresAt <= now) return undefined;
      return { session, user: userFromHash(session.userKey, hashOf(reply![1])), authzVersion: Number(reply![2]) };
    });
  }

  updateDirectoryAccount(key: string, account: DirectorySessionAccount, now: number): Promise<void> {
    return guarded(async () => {
      await runScript(this.#redis, UPDATE_DIRECTORY, 1, this.#keys.session(key), JSON.stringify(account), now);
    });
  }

  touch(key: string, lastAccessedAt: number, expiresAt: number): Promise<void> {
    return guarded(async () => {
      const userKey = await this.#redis.hget(this.#keys.session(key), 'userKey');
      if (userKey === null) return;
      const k = this.#keys;
      const ttl = Math.max(1, expiresAt - lastAccessedAt);
      await runScript(this.#redis, TOUCH, 3, k.session(key), k.userSessions(userKey), k.allSessions(), lastAccessedAt, expiresAt, ttl, key);
    });
  }

  delete(key: string, now: number): Promise<boolean> {
    return guarded(async () => {
      const k = this.#keys;
      const expiresAt = (await runScript(this.#redis, DELETE, 2, k.session(key), k.allSessions(), key, k.userSessions(''))) as string | null;
      return expiresAt !== null && Number(expiresAt) > now;
    });
  }

  list(now: number, userKey?: string): Promise<SessionRecord[]> {
    return guarded(async () => {
      const k = this.#keys;
      // The sorted sets are scored by expiry: the members above `now` are the live sessions.
      const keys = await this.#redis.zrangebyscore(userKey === undefined ? k.allSessions() : k.userSessions(userKey), `(${now}`, '+inf');
      const pipeline = this.#redis.pipeline();
      for (const key of keys) pipeline.hgetall(k.session(key));
      const replies = (await pipeline.exec()) ?? [];
      const sessions = keys.flatMap((key, i) => {
        const [error, hash] = replies[i] ?? [null, {}];
        if (error) throw error;
        const session = fromHash(key, hash as Record<string, string>);
        return session && session.expiresAt > now ? [session] : [];
      });
      return sessions.sort((a, b) => a.createdAt - b.createdAt || a.key.localeCompare(b.key));
    });
  }

  /** The members of the set of all sessions (score = expiry) still live at `now`. */
  countLive(now: number): Promise<number> {
    return guarded(() => this.#redis.zcount(this.#keys.allSessions(), `(${now}`, '+inf'));
  }
}
