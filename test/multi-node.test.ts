import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basic, http } from './helpers/http.js';
import { accessToken, callWithBearer, logoff, omivvLogin } from './helpers/omivv.js';
import { processSandbox, startServerProcess, type ServerProcess } from './helpers/cli-process.js';
import { redisAvailable, REDIS_MISSING, startRedis, type RedisProcess } from './helpers/redis-server.js';

const PLUGIN = fileURLToPath(new URL('../examples/firmware-update.mjs', import.meta.url));
const ENV = { VAPI_AUTH_ADMIN_PASSWORD: 'Cluster-pw1' };
const run = redisAvailable();
const sandbox = processSandbox('vapi-auth-nodes-');

describe.runIf(run)('three nodes over one Redis', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis({ durable: true });
  });
  afterAll(async () => redis.destroy());
  beforeEach(async () => {
    const client = new Redis(redis.url);
    await client.flushdb();
    client.disconnect();
  });

  const node = async (args: string[] = []) =>
    sandbox.track(
      await startServerProcess(['--http', '--data-dir', sandbox.dataDir, '--store', redis.url, '--plugin', PLUGIN, '--task-heartbeat', '200ms', ...args], ENV),
    );
  const threeNodes = async (args: string[] = []): Promise<ServerProcess[]> => Promise.all([node(args), node(args), node(args)]);

  it('share sessions: created on A, used on B, deleted on C, refused on A and B at once', async () => {
    const [a, b, c] = await threeNodes();
    const created = await http(`${a!.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Cluster-pw1') });
    expect(created.status).toBe(201);
    const headers = { 'vmware-api-session-id': created.json as string };
    expect((await http(`${b!.url}/api/session`, { headers })).status).toBe(200);
    expect((await http(`${c!.url}/api/session`, { method: 'DELETE', headers })).status).toBe(204);
    expect((await http(`${a!.url}/api/session`, { headers })).status).toBe(401);
    expect((await http(`${b!.url}/api/session`, { headers })).status).toBe(401);
  });

  it('share tasks: started on A, seen on B, canceled from C while A runs it', async () => {
    const [a, b, c] = await threeNodes();
    const token = (await http(`${a!.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Cluster-pw1') })).json as string;
    const headers = { 'vmware-api-session-id': token };
    const started = await http(`${a!.url}/api/example/firmware/host-1?action=apply&vmw-task=true`, { method: 'POST', headers, body: { version: '3.0.0', step_ms: 10_000 } });
    const id = started.json as string;
    const seen = await http(`${b!.url}/api/cis/tasks/${id}`, { headers });
    expect(seen.status).toBe(200);
    expect((seen.json as { status: string }).status).toMatch(/PENDING|RUNNING/);
    expect((await http(`${c!.url}/api/cis/tasks/${id}?action=cancel`, { method: 'POST', headers })).status).toBe(204);
    let status = '';
    let info: Record<string, unknown> = {};
    for (let i = 0; i < 100 && status !== 'FAILED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      info = (await http(`${b!.url}/api/cis/tasks/${id}`, { headers })).json as Record<string, unknown>;
      status = info.status as string;
    }
    expect(info.error).toMatchObject({ error_type: 'CANCELED' });
  });

  it('share token revocation: a JWT logged off on B is refused on C', async () => {
    const [a, b, c] = await threeNodes();
    const token = await accessToken(a!.url, 'administrator', 'Cluster-pw1');
    expect((await callWithBearer(c!.url, token)).status).toBe(200);
    expect((await logoff(b!.url, token)).status).toBe(200);
    expect((await callWithBearer(c!.url, token)).status).toBe(401);
    expect((await callWithBearer(a!.url, token)).status).toBe(401);
  });

  it('lock an account exactly once under 200 concurrent wrong logins spread over the three nodes', async () => {
    // The OMIVV request rates (100 a minute shared, 20 per address) would refuse most of the burst before the password check.
    const nodes = await threeNodes(['--omivv-rate', '0', '--omivv-client-rate', '0', '--omivv-max-tokens', '0', '--omivv-max-clients', '0']);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => omivvLogin(nodes[i % 3]!.url, 'administrator', `wrong-${i}`)),
    );
    expect(responses.every((r) => r.status === 401)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the log lines arrive
    const locks = nodes.reduce((sum, n) => sum + n.output().split('\n').filter((line) => line.includes('"msg":"account locked"')).length, 0);
    expect(locks).toBe(1);
    for (const n of nodes) expect((await omivvLogin(n.url, 'administrator', 'Cluster-pw1')).status).toBe(401);
  });

  it('share the OMIVV client limits: ten live tokens over three nodes, the eleventh refused on each, a logoff on one frees a place on another', async () => {
    const nodes = await threeNodes();
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) tokens.push(await accessToken(nodes[i % 3]!.url, 'administrator', 'Cluster-pw1'));
    for (const n of nodes) expect((await omivvLogin(n.url, 'administrator', 'Cluster-pw1')).status).toBe(503);
    expect((await logoff(nodes[0]!.url, tokens[1]!)).status).toBe(200);
    expect((await omivvLogin(nodes[2]!.url, 'administrator', 'Cluster-pw1')).status).toBe(200);
  });

  it('creates the administrator once however many nodes start together', async () => {
    const nodes = await threeNodes();
    const printed = nodes.filter((n) => n.output().includes('with password')).length;
    expect(printed).toBe(0); // the password came from the environment: nothing to print
    const users = await Promise.all(nodes.map((n) => http(`${n.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Cluster-pw1') })));
    expect(users.map((r) => r.status)).toEqual([201, 201, 201]);
  });
});

if (!run) describe('three nodes over one Redis', () => it.skip(REDIS_MISSING, () => undefined));
