import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/secrets.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { basic, http } from './helpers/http.js';
import { processSandbox, runCli, startServerProcess, type ServerProcess } from './helpers/cli-process.js';
import { redisAvailable, REDIS_MISSING, redisPerBlock } from './helpers/redis-server.js';

/**
 * `vapi-auth session list|revoke` as real processes beside a running server: sessions made over
 * HTTP are listed with where they came from, and a revoked one is refused on its very next request.
 */

const ENV = { VAPI_AUTH_ADMIN_PASSWORD: 'Sess10n-cli' };
const sandbox = processSandbox('vapi-auth-session-cli-');

async function login(server: ServerProcess, user: string, password: string): Promise<string> {
  const created = await http(`${server.url}/api/session`, { method: 'POST', headers: basic(user, password) });
  expect(created.status).toBe(201);
  return created.json as string;
}

const sessionGet = async (server: ServerProcess, token: string) => (await http(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': token } })).status;
const shown = (token: string) => sha256Hex(token).slice(0, 12);

/** The same scenario on the sqlite store in the data dir and on Redis. */
async function listAndRevoke(storeArgs: string[]): Promise<void> {
  const cli = (...args: string[]) => runCli([...args, ...storeArgs], { env: { VAPI_AUTH_PASSWORD: 'Op3rator!' } });
  const server = sandbox.track(await startServerProcess(['--http', ...storeArgs], ENV));
  expect((await cli('user', 'add', 'ops')).code).toBe(0);
  const first = await login(server, 'administrator@vsphere.local', ENV.VAPI_AUTH_ADMIN_PASSWORD);
  const second = await login(server, 'administrator@vsphere.local', ENV.VAPI_AUTH_ADMIN_PASSWORD);
  const ops = await login(server, 'ops', 'Op3rator!');

  const listed = await cli('session', 'list');
  expect(listed.code, listed.stderr).toBe(0);
  const lines = listed.stdout.trimEnd().split('\n').map((line) => line.split('\t'));
  expect(lines.map((line) => line[0])).toEqual([first, second, ops].map(shown));
  for (const line of lines) {
    expect(line[2]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(line[3]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(line.slice(4)).toEqual(['com.vmware.vapi.std.security.user_pass', '127.0.0.1']);
  }
  expect(lines.map((line) => line[1])).toEqual(['administrator@vsphere.local', 'administrator@vsphere.local', 'ops@vsphere.local']);

  const mine = await cli('session', 'list', '--user', 'VSPHERE.LOCAL\\ops', '--json');
  expect(JSON.parse(mine.stdout)).toEqual([
    expect.objectContaining({ id: shown(ops), user: 'ops@vsphere.local', scheme: 'com.vmware.vapi.std.security.user_pass', clientAddress: '127.0.0.1' }),
  ]);

  // Revoked by a prefix of what list shows: refused on its next request; the others live on.
  expect(await sessionGet(server, first)).toBe(200);
  const revoked = await cli('session', 'revoke', shown(first).slice(0, 8));
  expect(revoked).toMatchObject({ code: 0, stdout: `Revoked session ${shown(first)} of administrator@vsphere.local\n` });
  expect(await sessionGet(server, first)).toBe(401);
  expect(await sessionGet(server, second)).toBe(200);

  const byUser = await cli('session', 'revoke', '--user', 'ops');
  expect(byUser).toMatchObject({ code: 0, stdout: 'Revoked 1 session of ops@vsphere.local\n' });
  expect(await sessionGet(server, ops)).toBe(401);
  expect(await sessionGet(server, second)).toBe(200);
  expect((await cli('session', 'list', '--json')).stdout).toContain(shown(second));
  expect(await cli('session', 'revoke', shown(first))).toMatchObject({ code: 1, stderr: `vapi-auth: no live session starts with ${shown(first)}\n` });
}

describe('vapi-auth session', () => {
  it('lists the sessions of a running server with where they came from, and revokes one or a user\'s, refused on their next request', async () => {
    await listAndRevoke(['--data-dir', sandbox.dataDir]);
  });

  it('refuses an ambiguous prefix saying how many sessions match, and a prefix shorter than 6', async () => {
    const now = Date.now();
    const store = new SqliteStore({ file: join(sandbox.dataDir, 'vapi-auth.sqlite') });
    const session = (key: string) => ({ key, userKey: 'a@vsphere.local', createdAt: now, lastAccessedAt: now, absoluteExpiresAt: now + 3_600_000, expiresAt: now + 3_600_000 });
    for (const key of ['abcdef01'.padEnd(64, '0'), 'abcdef02'.padEnd(64, '0'), 'abcdef03'.padEnd(64, '0')]) await store.sessions.insert(session(key), { perUser: 0, total: 0 }, now);
    await store.close();
    const cli = (...args: string[]) => runCli([...args, '--data-dir', sandbox.dataDir]);
    const [ambiguous, short, notHex, both, neither] = await Promise.all([
      cli('session', 'revoke', 'abcdef'),
      cli('session', 'revoke', 'abcde'),
      cli('session', 'revoke', 'abcdefgh'),
      cli('session', 'revoke', 'abcdef01', '--user', 'a'),
      cli('session', 'revoke'),
    ]);
    expect(ambiguous).toMatchObject({ code: 2, stderr: 'vapi-auth: 3 sessions start with abcdef: give more of the id\n' });
    expect(short).toMatchObject({ code: 2, stderr: expect.stringContaining('"abcde" is not a session id prefix: 6 to 64 hex characters') });
    expect(notHex.code).toBe(2);
    expect(both).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: vapi-auth session revoke ID-PREFIX | --user NAME') });
    expect(neither.code).toBe(2);
    expect(await cli('session', 'revoke', 'ABCDEF02')).toMatchObject({ code: 0, stdout: 'Revoked session abcdef020000 of a@vsphere.local\n' });
    expect(JSON.parse((await cli('session', 'list', '--json')).stdout).map((s: { id: string }) => s.id)).toEqual(['abcdef010000', 'abcdef030000']);
  });
});

const run = redisAvailable();

describe.runIf(run)('vapi-auth session on a Redis store', () => {
  const redis = redisPerBlock();

  it('lists and revokes the sessions of a server on Redis', async () => {
    await listAndRevoke(['--data-dir', sandbox.dataDir, '--store', redis.url]);
  });
});

if (!run) describe('vapi-auth session on a Redis store', () => it.skip(REDIS_MISSING, () => undefined));
