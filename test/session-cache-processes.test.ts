import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/secrets.js';
import { basic, http } from './helpers/http.js';
import { accessToken, callWithBearer, logoff } from './helpers/omivv.js';
import { processSandbox, runCli, startServerProcess, type ServerProcess } from './helpers/cli-process.js';
import { redisAvailable, REDIS_MISSING, redisPerBlock } from './helpers/redis-server.js';

/**
 * Each process keeps what it has read of a session (the sqlite store's session cache; the JWT
 * claims of a verified token on every store). Whatever changes elsewhere (on the other process,
 * through the CLI) is seen on the very next request of a session each process has just served
 * many times: a deleted or revoked session, a removed user, a changed role, a revoked token.
 */

const ADMIN = 'administrator@vsphere.local';
const ENV = { VAPI_AUTH_ADMIN_PASSWORD: 'Cach3d-admin' };
const PASSWORD = 'Cach3d-user';
const sandbox = processSandbox('vapi-auth-session-cache-');

type Nodes = [ServerProcess, ServerProcess];

function cli(storeArgs: string[], ...args: string[]) {
  return runCli([...args, '--data-dir', sandbox.dataDir, ...storeArgs], { env: { VAPI_AUTH_PASSWORD: PASSWORD } });
}

async function expectCli(storeArgs: string[], ...args: string[]): Promise<void> {
  const result = await cli(storeArgs, ...args);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
}

async function twoNodes(storeArgs: string[]): Promise<Nodes> {
  const start = () => startServerProcess(['--http', '--data-dir', sandbox.dataDir, ...storeArgs], ENV).then((server) => sandbox.track(server));
  return Promise.all([start(), start()]);
}

async function login(server: ServerProcess, user = ADMIN, password = ENV.VAPI_AUTH_ADMIN_PASSWORD): Promise<string> {
  const created = await http(`${server.url}/api/session`, { method: 'POST', headers: basic(user, password) });
  expect(created.status, created.text).toBe(201);
  return created.json as string;
}

/** `GET /api/session`'s status. */
async function sessionGet(server: ServerProcess, token: string): Promise<number> {
  return (await http(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': token } })).status;
}

/** `GET /api/cis/tasks` (System.Read) with a session id: its status. */
async function listTasks(server: ServerProcess, token: string): Promise<number> {
  return (await http(`${server.url}/api/cis/tasks?services=com.example.none`, { headers: { 'vmware-api-session-id': token } })).status;
}

/** Serves the session on both nodes a few times, so that each has it cached, and checks the answers. */
async function warm(nodes: Nodes, call: (server: ServerProcess) => Promise<number>, expected = 200): Promise<void> {
  for (let i = 0; i < 3; i++) for (const server of nodes) expect(await call(server)).toBe(expected);
}

function suite(name: string, storeArgs: () => string[]): void {
  it(`sees a session deleted on one node on the other's next request (${name})`, async () => {
    const nodes = await twoNodes(storeArgs());
    const token = await login(nodes[0]);
    await warm(nodes, (server) => sessionGet(server, token));
    expect((await http(`${nodes[0].url}/api/session`, { method: 'DELETE', headers: { 'vmware-api-session-id': token } })).status).toBe(204);
    expect(await sessionGet(nodes[1], token)).toBe(401);
    expect(await sessionGet(nodes[0], token)).toBe(401);
  });

  it(`sees a session revoked with the CLI on both nodes' next request (${name})`, async () => {
    const nodes = await twoNodes(storeArgs());
    const [revoked, kept] = [await login(nodes[0]), await login(nodes[1])];
    await warm(nodes, (server) => sessionGet(server, revoked));
    await warm(nodes, (server) => sessionGet(server, kept));
    await expectCli(storeArgs(), 'session', 'revoke', sha256Hex(revoked).slice(0, 12));
    for (const server of nodes) {
      expect(await sessionGet(server, revoked)).toBe(401);
      expect(await sessionGet(server, kept)).toBe(200);
    }
  });

  it(`sees a user removed with the CLI on both nodes' next request (${name})`, async () => {
    const nodes = await twoNodes(storeArgs());
    await expectCli(storeArgs(), 'user', 'add', 'ops', '--role', 'ReadOnly');
    const token = await login(nodes[0], 'ops', PASSWORD);
    await warm(nodes, (server) => listTasks(server, token));
    await expectCli(storeArgs(), 'user', 'remove', 'ops');
    for (const server of nodes) expect(await listTasks(server, token)).toBe(401);
  });

  it(`sees a role changed with the CLI on both nodes' next request (${name})`, async () => {
    const nodes = await twoNodes(storeArgs());
    await expectCli(storeArgs(), 'user', 'add', 'ops', '--role', 'ReadOnly');
    const token = await login(nodes[1], 'ops', PASSWORD);
    await warm(nodes, (server) => listTasks(server, token));
    await expectCli(storeArgs(), 'user', 'role', 'ops', 'NoAccess');
    for (const server of nodes) expect(await listTasks(server, token)).toBe(403);
    await expectCli(storeArgs(), 'user', 'role', 'ops', 'ReadOnly');
    for (const server of nodes) expect(await listTasks(server, token)).toBe(200);
  });

  it(`sees the user of a JWT removed, and a lock of its account, with the CLI on both nodes' next request (${name})`, async () => {
    const nodes = await twoNodes(storeArgs());
    await expectCli(storeArgs(), 'user', 'add', 'boss', '--role', 'Administrator');
    await expectCli(storeArgs(), 'user', 'add', 'chief', '--role', 'Administrator');
    const [boss, chief] = [await accessToken(nodes[0].url, 'boss', PASSWORD), await accessToken(nodes[1].url, 'chief', PASSWORD)];
    await warm(nodes, async (server) => (await callWithBearer(server.url, boss)).status);
    await warm(nodes, async (server) => (await callWithBearer(server.url, chief)).status);
    await expectCli(storeArgs(), 'user', 'remove', 'boss');
    for (const server of nodes) expect((await callWithBearer(server.url, boss)).status).toBe(401);
    // Six wrong passwords lock chief's account; its token is refused meanwhile, on both nodes.
    for (let i = 0; i < 6; i++) expect((await http(`${nodes[i % 2]!.url}/api/session`, { method: 'POST', headers: basic('chief', 'wrong') })).status).toBe(401);
    for (const server of nodes) expect((await callWithBearer(server.url, chief)).status).toBe(401);
  });

  it(`sees a JWT logged off on one node on the other's next request (${name})`, async () => {
    const nodes = await twoNodes(storeArgs());
    const token = await accessToken(nodes[0].url, 'administrator', ENV.VAPI_AUTH_ADMIN_PASSWORD);
    await warm(nodes, async (server) => (await callWithBearer(server.url, token)).status);
    expect((await logoff(nodes[1].url, token)).status).toBe(200);
    for (const server of nodes) expect((await callWithBearer(server.url, token)).status).toBe(401);
  });
}

describe('two serve processes on one sqlite data dir', () => {
  suite('sqlite', () => []);
});

const run = redisAvailable();

describe.runIf(run)('two nodes over one Redis', () => {
  const redis = redisPerBlock();
  suite('Redis', () => ['--store', redis.url]);
});

if (!run) describe('two nodes over one Redis', () => it.skip(REDIS_MISSING, () => undefined));
