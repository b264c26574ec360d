import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../src/store/redis/lua-script.js';
import { redisAvailable, REDIS_MISSING, startRedis, type RedisProcess } from './helpers/redis-server.js';

/** The store's Lua scripts run by SHA-1, their text sent only when Redis lacks them. */

const INCREMENT = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
const FAILING = "return redis.call('NOSUCHCOMMAND')";
const run = redisAvailable();

describe.runIf(run)('runScript', () => {
  let redis: RedisProcess;
  let client: Redis;
  /** EVAL and EVALSHA calls Redis has served so far. */
  async function calls(): Promise<{ eval: number; evalsha: number }> {
    const stats = await client.info('commandstats');
    const count = (name: string) => Number(stats.match(new RegExp(`cmdstat_${name}:calls=(\\d+)`))?.[1] ?? 0);
    return { eval: count('eval'), evalsha: count('evalsha') };
  }
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.destroy();
  });

  it('sends the text once, then only the SHA-1; again once after SCRIPT FLUSH; each call runs exactly once', async () => {
    await client.config('RESETSTAT');
    expect(await runScript(client, INCREMENT, 1, 'n', 1)).toBe(1);
    expect(await calls()).toEqual({ eval: 1, evalsha: 1 }); // the EVALSHA that found nothing, then EVAL
    for (let i = 2; i <= 5; i++) expect(await runScript(client, INCREMENT, 1, 'n', 1)).toBe(i);
    expect(await calls()).toEqual({ eval: 1, evalsha: 5 });
    await client.script('FLUSH');
    expect(await runScript(client, INCREMENT, 1, 'n', 1)).toBe(6);
    expect(await calls()).toEqual({ eval: 2, evalsha: 6 });
  });

  it('passes a script\'s own error on, without running it again by its text', async () => {
    await runScript(client, FAILING, 0).catch(() => undefined); // loaded now
    await client.config('RESETSTAT');
    await expect(runScript(client, FAILING, 0)).rejects.toThrow(/NOSUCHCOMMAND|Unknown Redis command/i);
    expect(await calls()).toEqual({ eval: 0, evalsha: 1 });
  });
});

if (!run) describe('runScript', () => it.skip(REDIS_MISSING, () => undefined));
