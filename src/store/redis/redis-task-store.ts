import { runScript } from './lua-script.js';
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../core/errors.js';
import { ACTIVE_STATUSES, isLive, matchesTaskFilter } from '../task-filter.js';
import type { CancelRequestResult, TaskChange, TaskFilter, TaskRecord, TaskStatus, TaskStore } from '../store.js';
import { guarded } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Writes a task document if its version is still `expected` ('' to create), and keeps the indexes
 * in step. KEYS: task, all, by service, by user, active, expiring.
 * ARGV: expected, doc, status, service, userKey, createdAt, heartbeatAt, expiresAt ('' = none), id, active (1/0).
 */
const WRITE = `
local version = redis.call('HGET', KEYS[1], 'version')
if (version or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'status', ARGV[3], 'service', ARGV[4], 'userKey', ARGV[5], 'version', (tonumber(version) or 0) + 1)
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[9])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[9])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[9])
if ARGV[10] == '1' then redis.call('ZADD', KEYS[5], ARGV[7], ARGV[9]) else redis.call('ZREM', KEYS[5], ARGV[9]) end
if ARGV[8] ~= '' then redis.call('ZADD', KEYS[6], ARGV[8], ARGV[9]) end
return 1
`;

/** Drops tasks whose retention ended, with their index entries. KEYS: expiring, all, active. ARGV: now, key prefixes. */
const PURGE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 500)
for _, id in ipairs(ids) do
  local key = ARGV[2] .. id
  local fields = redis.call('HMGET', key, 'service', 'userKey')
  if fields[1] then
    redis.call('ZREM', ARGV[3] .. fields[1], id)
    redis.call('ZREM', ARGV[4] .. fields[2], id)
  end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
end
return #ids
`;

const MAX_ATTEMPTS = 20;

type Versioned = { task: TaskRecord; version: string };

/**
 * Tasks as hashes holding a JSON document and a version. Changes are compare-and-set on the
 * version (read, decide, write if unchanged), so status guards and cancel requests hold across
 * nodes without decoding JSON inside Redis.
 */
export class RedisTaskStore implements TaskStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async #read(id: string): Promise<Versioned | undefined> {
    const [doc, version] = await this.#redis.hmget(this.#keys.task(id), 'doc', 'version');
    return doc && version ? { task: JSON.parse(doc) as TaskRecord, version } : undefined;
  }

  async #write(task: TaskRecord, expected: string): Promise<boolean> {
    const k = this.#keys;
    const written = await runScript(
      this.#redis,
      WRITE,
      6,
      k.task(task.id),
      k.tasksAll(),
      k.tasksByService(task.service),
      k.tasksByUser(task.userKey),
      k.tasksActive(),
      k.tasksExpiring(),
      expected,
      JSON.stringify(task),
      task.status,
      task.service,
      task.userKey,
      task.createdAt,
      task.heartbeatAt,
      task.expiresAt ?? '',
      task.id,
      ACTIVE_STATUSES.includes(task.status) ? '1' : '0',
    );
    return written === 1;
  }

  /** Reads, lets `decide` return the new document (or an answer without writing), writes if unchanged meanwhile. */
  async #compareAndSet<T>(id: string, decide: (current: TaskRecord | undefined) => { write?: TaskRecord; answer: T }): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.#read(id);
      const { write, answer } = decide(current?.task);
      if (!write || !current) return answer;
      if (await this.#write(write, current.version)) return answer;
    }
    throw new StoreUnavailableError(new Error(`task ${id}: too many concurrent changes`));
  }

  create(task: TaskRecord): Promise<void> {
    return guarded(async () => {
      if (!(await this.#write(task, ''))) throw new Error(`task ${task.id} exists already`);
    });
  }

  get(id: string, now: number): Promise<TaskRecord | undefined> {
    return guarded(async () => {
      const current = await this.#read(id);
      return current && isLive(current.task, now) ? current.task : undefined;
    });
  }

  update(id: string, change: TaskChange, whileStatus: readonly TaskStatus[]): Promise<boolean> {
    return guarded(() =>
      this.#compareAndSet(id, (task) =>
        task && whileStatus.includes(task.status) ? { write: { ...task, ...change }, answer: true } : { answer: false },
      ),
    );
  }

  requestCancel(id: string, now: number): Promise<CancelRequestResult> {
    return guarded(() =>
      this.#compareAndSet<CancelRequestResult>(id, (task) => {
        if (!task || !isLive(task, now)) return { answer: 'missing' };
        if (!ACTIVE_STATUSES.includes(task.status)) return { answer: 'finished' };
        if (!task.cancelable) return { answer: 'not_cancelable' };
        if (task.cancelRequested) return { answer: 'already_requested' };
        return { write: { ...task, cancelRequested: true }, answer: 'requested' };
      }),
    );
  }

  /** Candidate ids from the narrowest index the filter allows. */
  async #candidates(filter: TaskFilter): Promise<string[]> {
    const k = this.#keys;
    if (filter.ids && filter.ids.length > 0) return [...filter.ids];
    const indexes =
      filter.services && filter.services.length > 0
        ? filter.services.map((service) => k.tasksByService(service))
        : filter.userKeys && filter.userKeys.length > 0
          ? filter.userKeys.map((userKey) => k.tasksByUser(userKey))
          : [k.tasksAll()];
    const ids = await Promise.all(indexes.map((index) => this.#redis.zrange(index, 0, -1)));
    return [...new Set(ids.flat())];
  }

  list(filter: TaskFilter, now: number, limit: number): Promise<TaskRecord[]> {
    return guarded(async () => {
      const ids = await this.#candidates(filter);
      const pipeline = this.#redis.pipeline();
      for (const id of ids) pipeline.hget(this.#keys.task(id), 'doc');
      const docs = (await pipeline.exec()) ?? [];
      return docs
        .flatMap(([, doc]) => (typeof doc === 'string' ? [JSON.parse(doc) as TaskRecord] : []))
        .filter((task) => isLive(task, now) && matchesTaskFilter(task, filter))
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
        .slice(0, limit);
    });
  }

  listOrphans(staleBefore: number, limit: number): Promise<TaskRecord[]> {
    return guarded(async () => {
      const ids = await this.#redis.zrangebyscore(this.#keys.tasksActive(), '-inf', `(${staleBefore}`, 'LIMIT', 0, limit);
      const tasks = await Promise.all(ids.map((id) => this.#read(id)));
      return tasks.flatMap((current) => (current && ACTIVE_STATUSES.includes(current.task.status) ? [current.task] : []));
    });
  }

  purge(now: number): Promise<void> {
    const k = this.#keys;
    return guarded(async () => {
      await runScript(this.#redis, PURGE, 3, k.tasksExpiring(), k.tasksAll(), k.tasksActive(), now, k.task(''), k.tasksByService(''), k.tasksByUser(''));
    });
  }
}
