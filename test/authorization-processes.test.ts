import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PasswordHasher } from '../src/identity/password-hash.js';
import { basic, http, type HttpResponse } from './helpers/http.js';
import { accessToken, callWithBearer, omivvLogin } from './helpers/omivv.js';
import { processSandbox, runCli, startServerProcess, type ServerProcess } from './helpers/cli-process.js';
import { redisAvailable, REDIS_MISSING, redisPerBlock } from './helpers/redis-server.js';

/**
 * A change of roles or permissions, made with the CLI while servers run, applies on the very next
 * request on every process that shares the store: two processes on one sqlite file, two nodes on one
 * Redis. And a data dir of the schema before permissions keeps every user's role.
 */

const PLUGIN = fileURLToPath(new URL('../examples/firmware-update.mjs', import.meta.url));
const ADMIN_PASSWORD = 'Authz-proc1';
const USER_PASSWORD = 'Us3r-pass';
const ENV = { VAPI_AUTH_ADMIN_PASSWORD: ADMIN_PASSWORD };
const UNAUTHORIZED_BODY =
  '{"error_type":"UNAUTHORIZED","messages":[{"args":[],"default_message":"Unable to authorize user","id":"vapi.security.authorization.invalid"}]}';
const sandbox = processSandbox('vapi-auth-authz-procs-');

interface Backend {
  name: string;
  /** Where servers and the CLI find the shared store, besides the sandbox's data dir. */
  storeArgs(): string[];
}

function node(storeArgs: string[]): Promise<ServerProcess> {
  return startServerProcess(['--http', '--data-dir', sandbox.dataDir, '--plugin', PLUGIN, '--touch-interval', '1m', ...storeArgs], ENV).then((server) => sandbox.track(server));
}

/** Two servers on one store. */
async function twoNodes(storeArgs: string[]): Promise<[ServerProcess, ServerProcess]> {
  const [a, b] = await Promise.all([node(storeArgs), node(storeArgs)]);
  return [a, b];
}

function admin(storeArgs: string[], ...args: string[]) {
  return runCli([...args, '--data-dir', sandbox.dataDir, ...storeArgs], { env: { VAPI_AUTH_PASSWORD: USER_PASSWORD } });
}

async function expectCli(storeArgs: string[], ...args: string[]): Promise<void> {
  const result = await admin(storeArgs, ...args);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
}

async function login(url: string, user: string, password: string): Promise<string> {
  const response = await http(`${url}/api/session`, { method: 'POST', headers: basic(user, password) });
  expect(response.status, response.text).toBe(201);
  return response.json as string;
}

/** The firmware plugin's apply, inline and quick; needs Host.Config.Firmware. */
function apply(url: string, session: string): Promise<HttpResponse> {
  return http(`${url}/api/example/firmware/host-1?action=apply`, {
    method: 'POST',
    headers: { 'vmware-api-session-id': session },
    body: { version: '2.0.0', step_ms: 1 },
  });
}

/** cis.tasks list; needs System.Read. */
function listTasks(url: string, session: string): Promise<HttpResponse> {
  return http(`${url}/api/cis/tasks?services=com.example.firmware`, { headers: { 'vmware-api-session-id': session } });
}

function expectRefused(response: HttpResponse): void {
  expect(response.status, response.text).toBe(403);
  expect(response.text).toBe(UNAUTHORIZED_BODY);
}

function roleChangeSuite(backend: Backend): void {
  it(`applies a user's role change on the very next request of a session, on every ${backend.name} process`, async () => {
    const store = backend.storeArgs();
    const [a, b] = await twoNodes(store);
    // The plugin's privilege is known once a server with it has started on the store.
    await Promise.all([expectCli(store, 'role', 'add', 'FirmwareOperator', '--privilege', 'Host.Config.Firmware'), expectCli(store, 'user', 'add', 'fw', '--role', 'ReadOnly')]);
    const session = await login(a.url, 'fw@vsphere.local', USER_PASSWORD);
    expectRefused(await apply(b.url, session));
    expectRefused(await apply(a.url, session));

    await expectCli(store, 'user', 'role', 'fw', 'FirmwareOperator');
    for (const server of [b, a]) {
      const applied = await apply(server.url, session);
      expect(applied.status, applied.text).toBe(200);
      expect(applied.json).toMatchObject({ host: 'host-1', version: '2.0.0' });
    }

    await expectCli(store, 'permission', 'add', 'fw', 'ReadOnly');
    expectRefused(await apply(a.url, session));
    expectRefused(await apply(b.url, session));
    expect((await listTasks(b.url, session)).status).toBe(200);

    await expectCli(store, 'permission', 'add', 'fw@vsphere.local', 'FirmwareOperator');
    expect((await apply(a.url, session)).status).toBe(200);
    // Without any permission, a user holds no privilege at all: not even System.Read.
    await expectCli(store, 'permission', 'remove', 'fw');
    expectRefused(await apply(b.url, session));
    expectRefused(await listTasks(a.url, session));
    expectRefused(await listTasks(b.url, session));
  });

  it(`refuses the JWT bearer token of an administrator demoted meanwhile (403, as a known caller), on every ${backend.name} node`, async () => {
    const store = backend.storeArgs();
    const [a, b] = await twoNodes(store);
    await expectCli(store, 'user', 'add', 'boss', '--role', 'Administrator');
    const token = await accessToken(a.url, 'boss', USER_PASSWORD);
    expect((await callWithBearer(a.url, token)).status).toBe(200);
    expect((await callWithBearer(b.url, token)).status).toBe(200);

    await expectCli(store, 'user', 'role', 'boss', 'ReadOnly');
    for (const server of [a, b]) {
      const refused = await callWithBearer(server.url, token);
      expect(refused.status, refused.text).toBe(403);
      expect((refused.json as { error_type: string }).error_type).toBe('UNAUTHORIZED');
    }
    // Nor can the demoted user get a new token.
    const relogin = await omivvLogin(b.url, 'boss', USER_PASSWORD);
    expect(relogin.status).toBe(403);

    // Promoted again, the same token works again: the roles are read at each request, not from the token.
    await expectCli(store, 'permission', 'add', 'boss', 'Administrator');
    expect((await callWithBearer(b.url, token)).status).toBe(200);
  });
}

describe('two serve processes on one sqlite data dir', () => {
  roleChangeSuite({ name: 'sqlite', storeArgs: () => [] });
});

const run = redisAvailable();

describe.runIf(run)('two nodes over one Redis', () => {
  const redis = redisPerBlock();
  roleChangeSuite({ name: 'Redis', storeArgs: () => ['--store', redis.url] });

  it('keeps no privilege of a user from before a Redis data loss: a user re-created as ReadOnly is ReadOnly on every node', async () => {
    const store = ['--store', redis.url];
    const [a, b] = await twoNodes(store);
    // Some changes, so that the nodes cache a policy of a version the empty store will only reach later.
    await expectCli(store, 'user', 'add', 'boss', '--role', 'Administrator');
    await expectCli(store, 'role', 'add', 'Spare', '--privilege', 'Task.ViewAll');
    await expectCli(store, 'role', 'remove', 'Spare');
    const before = await login(a.url, 'boss@vsphere.local', USER_PASSWORD);
    expect((await apply(a.url, before)).status).toBe(200);
    expect((await apply(b.url, before)).status).toBe(200);

    // Redis runs without persistence here: a restart loses every record (users, sessions, permissions).
    await redis.process.stop();
    await redis.process.start();
    for (const server of [a, b]) {
      let status = 0;
      for (let i = 0; i < 100 && status !== 401; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await listTasks(server.url, before)).status;
      }
      expect(status).toBe(401); // reconnected, and the session is gone with the data
    }

    await expectCli(store, 'user', 'add', 'boss', '--role', 'ReadOnly');
    const after = await login(b.url, 'boss@vsphere.local', USER_PASSWORD);
    expect((await listTasks(a.url, after)).status).toBe(200);
    expectRefused(await apply(a.url, after));
    expectRefused(await apply(b.url, after));
  });
});

if (!run) describe('two nodes over one Redis', () => it.skip(REDIS_MISSING, () => undefined));

describe('a data dir written by the schema before permissions (user_version 3, roles on the user row)', () => {
  /** The schema 3 tables, as the previous release created them. */
  const SCHEMA_3 = `
CREATE TABLE IF NOT EXISTS sessions (
  key TEXT PRIMARY KEY,
  user_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_accessed_at INTEGER NOT NULL,
  absolute_expires_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_key, expires_at);
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS users (
  key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  domain TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  roles TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  user_key TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at INTEGER,
  doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tasks_by_service ON tasks (service, created_at);
CREATE INDEX IF NOT EXISTS tasks_by_user ON tasks (user_key, created_at);
CREATE INDEX IF NOT EXISTS tasks_active ON tasks (status, heartbeat_at);
CREATE INDEX IF NOT EXISTS tasks_by_expiry ON tasks (expires_at);
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_by_expiry ON kv (expires_at);
CREATE TABLE IF NOT EXISTS claims (
  key TEXT NOT NULL,
  id TEXT NOT NULL,
  grp TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (key, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS claims_by_expiry ON claims (expires_at);
`;

  /** Writes the old database: users with their roles on the row, and a live session of `legacy`. Returns that session's token. */
  async function writeOldDataDir(): Promise<string> {
    const db = new Database(join(sandbox.dataDir, 'vapi-auth.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA_3);
    db.pragma('user_version = 3');
    const now = Date.now();
    const insert = db.prepare('INSERT INTO users (key, name, domain, password_hash, roles, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const users: [string, string, string[]][] = [
      ['administrator', ADMIN_PASSWORD, ['Administrator']],
      ['legacy', USER_PASSWORD, ['ReadOnly']],
      ['both', USER_PASSWORD, ['ReadOnly', 'Administrator']],
      ['nothing', USER_PASSWORD, []],
    ];
    for (const [name, password, roles] of users) insert.run(`${name}@vsphere.local`, name, 'vsphere.local', await new PasswordHasher().hash(password), JSON.stringify(roles), now);
    const token = randomBytes(16).toString('hex');
    db.prepare('INSERT INTO sessions (key, user_key, created_at, last_accessed_at, absolute_expires_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      createHash('sha256').update(token).digest('hex'),
      'legacy@vsphere.local',
      now,
      now,
      now + 3_600_000,
      now + 600_000,
    );
    db.close();
    return token;
  }

  it('is opened by a new server: each user keeps its role as a user permission, logs in and works; a session from before still works', async () => {
    const oldSession = await writeOldDataDir();
    const server = await node([]);
    // The administrator kept its password (the environment's is only for a first start) and its role.
    const adminSession = await login(server.url, 'administrator@vsphere.local', ADMIN_PASSWORD);
    expect((await listTasks(server.url, adminSession)).status).toBe(200);
    expect((await apply(server.url, adminSession)).status).toBe(200);
    expect((await http(`${server.url}/api/vcenter/authorization/privilege-checks/latest`, { headers: { 'vmware-api-session-id': adminSession } })).status).toBe(200);
    // Several roles became the strongest of them.
    const both = await login(server.url, 'both@vsphere.local', USER_PASSWORD);
    expect((await apply(server.url, both)).status).toBe(200);
    // ReadOnly stays ReadOnly, on a session from before the upgrade too.
    const legacy = await login(server.url, 'legacy@vsphere.local', USER_PASSWORD);
    expect((await listTasks(server.url, legacy)).status).toBe(200);
    expectRefused(await apply(server.url, legacy));
    expect((await listTasks(server.url, oldSession)).status).toBe(200);
    expectRefused(await apply(server.url, oldSession));
    // No role, no permission: the account authenticates but holds no privilege.
    const nothing = await login(server.url, 'nothing@vsphere.local', USER_PASSWORD);
    expectRefused(await listTasks(server.url, nothing));

    const permissions = await admin([], 'permission', 'list', '--json');
    expect(JSON.parse(permissions.stdout)).toEqual([
      { principal: 'administrator@VSPHERE.LOCAL', group: false, role: 'Administrator' },
      { principal: 'both@VSPHERE.LOCAL', group: false, role: 'Administrator' },
      { principal: 'legacy@VSPHERE.LOCAL', group: false, role: 'ReadOnly' },
    ]);
    // The session from before has no scheme or client address; those after have both.
    const sessions = JSON.parse((await admin([], 'session', 'list', '--user', 'legacy', '--json')).stdout) as { scheme: string | null; clientAddress: string | null }[];
    expect(sessions.map(({ scheme, clientAddress }) => [scheme, clientAddress])).toEqual([
      [null, null],
      ['com.vmware.vapi.std.security.user_pass', '127.0.0.1'],
    ]);
    const users = await admin([], 'user', 'list');
    expect(users.stdout).toBe(
      'administrator@VSPHERE.LOCAL\tAdministrator\nboth@VSPHERE.LOCAL\tAdministrator\nlegacy@VSPHERE.LOCAL\tReadOnly\nnothing@VSPHERE.LOCAL\t(no permission)\n',
    );

    // A restart on the migrated dir changes nothing.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const again = await node([]);
    expect((await listTasks(again.url, await login(again.url, 'administrator@vsphere.local', ADMIN_PASSWORD))).status).toBe(200);
    expect(JSON.parse((await admin([], 'permission', 'list', '--json')).stdout)).toHaveLength(3);
    const db = new Database(join(sandbox.dataDir, 'vapi-auth.sqlite'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(4);
    expect((db.prepare('PRAGMA table_info(users)').all() as { name: string }[]).map((column) => column.name)).not.toContain('roles');
    db.close();
  });
});
