import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, http } from './helpers/http.js';
import { processSandbox, startServerProcess } from './helpers/cli-process.js';
import { redisAvailable, REDIS_MISSING, startRedis, type RedisProcess } from './helpers/redis-server.js';

const ENV = { VAPI_AUTH_ADMIN_PASSWORD: 'Faults-pw1' };
const ADMIN = basic('administrator@vsphere.local', 'Faults-pw1');
const run = redisAvailable();
const sandbox = processSandbox('vapi-auth-faults-');

describe.runIf(run)('a node over Redis, when things fail', () => {
  let redis: RedisProcess;
  beforeEach(async () => {
    redis = await startRedis({ durable: true });
  });
  afterEach(async () => redis.destroy());

  const node = async () => sandbox.track(await startServerProcess(['--http', '--data-dir', sandbox.dataDir, '--store', redis.url], ENV));

  it('answers 503 without detail while Redis is down, stays up, and serves again within a second of its return', async () => {
    const a = await node();
    const token = (await http(`${a.url}/api/session`, { method: 'POST', headers: ADMIN })).json as string;
    const headers = { 'vmware-api-session-id': token };
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) statuses.push((await http(`${a.url}/api/session`, { headers })).status);
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await redis.stop();
    const down = await http(`${a.url}/api/session`, { headers });
    expect(down.status).toBe(503);
    expect(down.json).toEqual({
      error_type: 'SERVICE_UNAVAILABLE',
      messages: [{ args: [], default_message: 'The session service is unavailable.', id: 'com.vmware.vapi.endpoint.session.service_unavailable' }],
    });
    const login = await http(`${a.url}/api/session`, { method: 'POST', headers: ADMIN });
    expect(login.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.start();
    const back = Date.now();
    let recovered = 0;
    while (Date.now() - back < 3000) {
      if ((await http(`${a.url}/api/session`, { headers })).status === 200) {
        recovered = Date.now() - back;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stop = true;
    await load;
    expect(recovered).toBeGreaterThan(0);
    expect(recovered).toBeLessThan(1000);
    expect(a.child.exitCode).toBeNull();
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
  });

  it('loses no acknowledged session when a node is killed under load', async () => {
    const [a, b] = await Promise.all([node(), node()]);
    const acknowledged: string[] = [];
    let killed = false;
    const clients = Array.from({ length: 4 }, async () => {
      while (!killed) {
        try {
          const response = await http(`${a.url}/api/session`, { method: 'POST', headers: ADMIN });
          if (response.status === 201) acknowledged.push(response.json as string);
        } catch {
          return; // the connection died with the node: not acknowledged
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    a.child.kill('SIGKILL');
    killed = true;
    await Promise.all(clients);
    await a.exited;
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const token of acknowledged) {
      expect((await http(`${b.url}/api/session`, { headers: { 'vmware-api-session-id': token } })).status).toBe(200);
    }
  });
});

if (!run) describe('a node over Redis, when things fail', () => it.skip(REDIS_MISSING, () => undefined));
