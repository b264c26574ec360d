import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { processSandbox, startServerProcess } from './helpers/cli-process.js';
import { http } from './helpers/http.js';
import { redisAvailable, REDIS_MISSING, startRedis, type RedisProcess } from './helpers/redis-server.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('health probes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(new MemoryStore(), { jwt: true });
  });
  afterAll(async () => s.close());

  it.each(['/healthz', '/readyz'])('%s answers 200 without authentication, and says nothing more', async (path) => {
    const response = await http(`${s.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/^(ok|ready)\n$/);
  });

  it.each(['/healthz', '/readyz'])('%s is not an /api operation: POST is not found', async (path) => {
    expect((await http(`${s.url}${path}`, { method: 'POST' })).status).toBe(404);
  });
});

const run = redisAvailable();
const sandbox = processSandbox('vapi-auth-health-');

describe.runIf(run)('readiness over Redis', () => {
  let redis: RedisProcess;
  beforeEach(async () => {
    redis = await startRedis();
  });
  afterEach(async () => redis.destroy());

  /** The status /readyz answers once it answers `want`, or its last answer after 50 tries. */
  async function readyzUntil(url: string, want: number): Promise<number> {
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== want; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await http(`${url}/readyz`)).status;
    }
    return status;
  }

  it('/readyz is 503 while Redis is stopped and 200 again once it is back; /healthz stays 200 throughout', async () => {
    const node = sandbox.track(await startServerProcess(['--http', '--data-dir', sandbox.dataDir, '--store', redis.url], { VAPI_AUTH_ADMIN_PASSWORD: 'Health-pw1' }));
    expect((await http(`${node.url}/readyz`)).status).toBe(200);
    await redis.stop();
    const down = await http(`${node.url}/readyz`);
    expect(down.status).toBe(503);
    expect(down.text).toBe('not ready\n');
    expect((await http(`${node.url}/healthz`)).status).toBe(200);
    await redis.start();
    expect(await readyzUntil(node.url, 200)).toBe(200);
    expect(node.child.exitCode).toBeNull();
  });
});

if (!run) describe('readiness over Redis', () => it.skip(REDIS_MISSING, () => undefined));
