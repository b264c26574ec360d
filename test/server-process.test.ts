import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { basic, http } from './helpers/http.js';
import { processSandbox, runCli, startServerProcess } from './helpers/cli-process.js';
import { accessToken, callWithBearer, logoff, omivvLogin } from './helpers/omivv.js';
import { kidOf, samlSession, signerOf, stsToken } from './helpers/sso-client.js';
import { envelope, requestSecurityToken } from './helpers/ws-security.js';

const ADMIN = 'administrator@vsphere.local';
const sandbox = processSandbox('vapi-auth-proc-');

async function start(args: string[] = ['--http'], env: Record<string, string> = { VAPI_AUTH_ADMIN_PASSWORD: 'Pr0cess!' }) {
  return sandbox.track(await startServerProcess(['--data-dir', sandbox.dataDir, ...args], env));
}

/** The lines of a PEM private key's base64 body: any of them in a log or a store would leak the key. */
function privateKeyBody(pem: string): string[] {
  return pem.match(/-----BEGIN (?:RSA )?PRIVATE KEY-----([\s\S]+?)-----END/)![1]!.trim().split('\n');
}

async function login(url: string, password = 'Pr0cess!', ca?: string): Promise<string> {
  const response = await http(`${url}/api/session`, { method: 'POST', headers: basic(ADMIN, password), ...(ca ? { ca } : {}) });
  expect(response.status).toBe(201);
  return response.json as string;
}

describe('vapi-auth serve', () => {
  it('serves HTTPS with a self-signed certificate it generated, which clients can trust', async () => {
    const server = await start([]);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(join(sandbox.dataDir, 'tls', 'cert.pem'), 'utf8');
    expect(statSync(join(sandbox.dataDir, 'tls', 'key.pem')).mode & 0o077).toBe(0);
    const token = await login(server.url, 'Pr0cess!', ca);
    const info = await http(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': token }, ca });
    expect(info.status).toBe(200);
    await expect(http(`${server.url}/api/session`)).rejects.toThrow(/self-signed|certificate/);
  });

  it('logs one line with the URL it listens on', async () => {
    const server = await start();
    const listening = server.output().split('\n').filter((line) => line.includes('Server listening at'));
    expect(listening).toHaveLength(1);
  });

  it('prints a generated administrator password once, on the first start only', async () => {
    const first = await start(['--http'], {});
    const match = first.output().match(/Created administrator@vsphere\.local with password (\S+)/);
    expect(match).not.toBeNull();
    await login(first.url, match![1]);
    first.child.kill('SIGTERM');
    await first.exited;
    const second = await start(['--http'], {});
    expect(second.output()).not.toContain('with password');
    await login(second.url, match![1]);
  });

  it('keeps sessions across a graceful restart, and exits 0 on SIGTERM', async () => {
    const first = await start();
    const token = await login(first.url);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = await start();
    const info = await http(`${second.url}/api/session`, { headers: { 'vmware-api-session-id': token } });
    expect(info.status).toBe(200);
  });

  it('loses no acknowledged session when killed with SIGKILL', async () => {
    const first = await start();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => login(first.url)));
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await start();
    for (const token of tokens) {
      const info = await http(`${second.url}/api/session`, { headers: { 'vmware-api-session-id': token } });
      expect(info.status).toBe(200);
    }
  });

  it('forgets sessions on restart with the memory store', async () => {
    const first = await start(['--http', '--store', 'memory']);
    const token = await login(first.url);
    first.child.kill('SIGTERM');
    await first.exited;
    const second = await start(['--http', '--store', 'memory']);
    expect((await http(`${second.url}/api/session`, { headers: { 'vmware-api-session-id': token } })).status).toBe(401);
  });

  it('never writes a session token, a JWT, a password or a signing key to its log or its database', async () => {
    const server = await start(['--http', '--log-level', 'debug']);
    const token = await login(server.url);
    await http(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': token } });
    await http(`${server.url}/api/session`, { method: 'POST', headers: basic(ADMIN, 'Wr0ng-Guess') });
    await http(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': token.replace(/.$/, '0') } });
    await omivvLogin(server.url, 'administrator', 'Wr0ng-Omivv');
    const jwt = await accessToken(server.url, 'administrator', 'Pr0cess!');
    await callWithBearer(server.url, `${jwt}x`);
    await logoff(server.url, jwt);
    await logoff(server.url, jwt);
    server.child.kill('SIGTERM');
    await server.exited;
    const log = server.output();
    expect(log).toContain('request refused'); // the failures were logged...
    const signingKey = (JSON.parse(readFileSync(join(sandbox.dataDir, 'jwt', 'keys.json'), 'utf8')) as { keys: { privateJwk: { d: string } }[] }).keys[0]!.privateJwk.d;
    const stsKey = privateKeyBody(readFileSync(join(sandbox.dataDir, 'sts', 'signing.pem'), 'utf8'));
    for (const secret of [token, jwt, jwt.split('.')[2]!, signingKey, ...stsKey, 'Pr0cess!', 'Wr0ng-Guess', 'Wr0ng-Omivv', Buffer.from(`${ADMIN}:Pr0cess!`).toString('base64')]) {
      expect(log).not.toContain(secret); // ...without what was sent
    }
    const files = readdirSync(sandbox.dataDir).filter((name) => name.startsWith('vapi-auth.sqlite'));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const bytes = readFileSync(join(sandbox.dataDir, name)).toString('latin1');
      expect(bytes).not.toContain(token);
      expect(bytes).not.toContain(jwt.split('.')[2]!);
      expect(bytes).not.toContain('Pr0cess!');
      for (const privateKey of [signingKey, ...stsKey]) expect(bytes).not.toContain(privateKey); // the published keys are public halves only
    }
  });

  it('keeps a logged-off JWT refused across a restart, and an unrevoked one valid', async () => {
    const first = await start();
    const revoked = await accessToken(first.url, 'administrator', 'Pr0cess!');
    const kept = await accessToken(first.url, 'administrator', 'Pr0cess!');
    expect((await logoff(first.url, revoked)).status).toBe(200);
    first.child.kill('SIGTERM');
    await first.exited;
    const second = await start();
    expect((await callWithBearer(second.url, revoked)).status).toBe(401);
    expect((await callWithBearer(second.url, kept)).status).toBe(200);
  });

  it('rotates the JWT signing key under a running server without breaking its tokens', async () => {
    const server = await start();
    const before = await accessToken(server.url, 'administrator', 'Pr0cess!');
    const rotated = await runCli(['keys', 'rotate', '--data-dir', sandbox.dataDir]);
    expect(rotated.code).toBe(0);
    const kid = rotated.stdout.match(/New JWT key (\S+)/)![1];
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const after = await accessToken(server.url, 'administrator', 'Pr0cess!');
    expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()).kid).toBe(kid);
    expect((await callWithBearer(server.url, before)).status).toBe(200);
    expect((await runCli(['keys', 'list', '--data-dir', sandbox.dataDir])).stdout.trim().split('\n')).toHaveLength(2);
  });

  it('refuses to start on an invalid authentication definition, naming the line and key', async () => {
    const file = join(sandbox.dataDir, 'auth.yaml');
    writeFileSync(file, 'services:\n  com.vmware.cis.tasks: [session_id]\n  com.example.gone: [session_id]\n');
    const result = await runCli(['serve', '--http', '--port', '0', '--data-dir', sandbox.dataDir, '--auth-config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`vapi-auth: ${file}:3:3: services: no service com.example.gone\n`);
    const missing = await runCli(['serve', '--http', '--port', '0', '--data-dir', sandbox.dataDir, '--auth-config', join(sandbox.dataDir, 'none.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read --auth-config');
  });

  it('with two workers that both cannot start: one error line and exit 2 every time, whichever fails first (no crash of the primary telling the other to stop)', { timeout: 60_000 }, async () => {
    const none = join(sandbox.dataDir, 'none.yaml');
    // Which worker fails first, and whether the other is still starting when told to stop, varies from start to start.
    for (let i = 0; i < 4; i++) {
      const start = await runCli(['serve', '--http', '--workers', '2', '--port', '0', '--data-dir', sandbox.dataDir, '--auth-config', none]);
      expect(start.code).toBe(2);
      expect(start.stderr).toBe(`vapi-auth: cannot read --auth-config ${none}: ENOENT: no such file or directory, open '${none}'\n`);
    }
  });

  it('refuses to start on an invalid identity sources file, naming the line, and never shows the bind password', async () => {
    const file = join(sandbox.dataDir, 'identity-sources.yaml');
    writeFileSync(join(sandbox.dataDir, 'bind-password'), 'Sup3r-bind-secret\n');
    const source = ['sources:', '  - type: ldap', '    domain: example.com', '    preset: openldap', '    url: ldap://127.0.0.1:1', '    bindDn: cn=vapi,dc=example,dc=com', '    bindPasswordFile: bind-password', '    userBaseDn: dc=example,dc=com', '    groupBaseDn: dc=example,dc=com'];
    writeFileSync(file, [...source, '    startTls: maybe'].join('\n'));
    const result = await runCli(['serve', '--http', '--port', '0', '--data-dir', sandbox.dataDir, '--identity-sources', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`vapi-auth: ${file}:10:15: sources[0].startTls: expected true or false\n`);
    expect(result.stdout + result.stderr).not.toContain('Sup3r-bind-secret');
  });

  it('rotates the STS key under a running server: tokens of the old key keep working, new ones are signed with the new key', async () => {
    const server = await start();
    const oldToken = await stsToken(server.url, ADMIN, 'Pr0cess!');
    const rotated = await runCli(['sts', 'rotate', '--data-dir', sandbox.dataDir]);
    expect(rotated.code).toBe(0);
    const fingerprint = rotated.stdout.match(/New STS certificate (\S+)/)![1];
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const newToken = await stsToken(server.url, ADMIN, 'Pr0cess!');
    expect(signerOf(newToken)).toBe(fingerprint);
    expect(signerOf(oldToken)).not.toBe(fingerprint);
    for (const token of [oldToken, newToken]) expect((await samlSession(server.url, token)).status).toBe(201);
    expect((await runCli(['sts', 'list', '--data-dir', sandbox.dataDir])).stdout).toContain(fingerprint);
  });

  it('caps STS tokens by --sts-max-lifetime and grants no renewal with --sts-max-renewals 0', async () => {
    const server = await start(['--http', '--sts-max-lifetime', '10m', '--sts-max-renewals', '0']);
    const now = Date.now();
    const body = envelope(requestSecurityToken({ created: now, expires: now + 3_600_000, renewable: true }), { user: ADMIN, password: 'Pr0cess!', now });
    const response = await http(`${server.url}/sts/STSService/vsphere.local`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    expect(response.status).toBe(200);
    const [created, expires] = [...response.text.matchAll(/<wsu:(?:Created|Expires)>([^<]+)</g)].map((match) => Date.parse(match[1]!));
    expect(expires! - created!).toBe(10 * 60_000);
    expect(response.text).toContain('<wst:Renewing Allow="false" OK="false"/>');
  });

  it('takes the OMIVV limits from its options: --omivv-max-tokens 1 refuses a second live token', async () => {
    const server = await start(['--http', '--omivv-max-tokens', '1']);
    expect((await omivvLogin(server.url, ADMIN, 'Pr0cess!')).status).toBe(200);
    const refused = await omivvLogin(server.url, ADMIN, 'Pr0cess!');
    expect(refused.status).toBe(503);
    expect(refused.json).toEqual({ errorCode: 'CLIENT_LIMIT_EXHAUSTED', message: 'Client limit exhausted.' });
  });

  it('refuses to start on a bad option, naming it', async () => {
    const result = await runCli(['serve', '--data-dir', sandbox.dataDir, '--idle-timeout', 'forever']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--idle-timeout');
  });
});

describe('vapi-auth user', () => {
  it('adds, lists, changes and removes users, and the server sees each change', async () => {
    const add = await runCli(['user', 'add', 'ops@vsphere.local', '--role', 'Administrator', '--password-stdin', '--data-dir', sandbox.dataDir], {
      input: 'Op3rator\n',
    });
    expect(add).toMatchObject({ code: 0 });
    const server = await start();
    await login(server.url);
    const ops = await http(`${server.url}/api/session`, { method: 'POST', headers: basic('ops@vsphere.local', 'Op3rator') });
    expect(ops.status).toBe(201);
    const list = await runCli(['user', 'list', '--data-dir', sandbox.dataDir]);
    expect(list.stdout).toContain('ops@VSPHERE.LOCAL\tAdministrator');
    expect(list.stdout).toContain('administrator@VSPHERE.LOCAL\tAdministrator');
    expect((await runCli(['user', 'passwd', 'ops', '--data-dir', sandbox.dataDir], { env: { VAPI_AUTH_PASSWORD: 'N3w-one!' } })).code).toBe(0);
    expect((await http(`${server.url}/api/session`, { method: 'POST', headers: basic('ops@vsphere.local', 'N3w-one!') })).status).toBe(201);
    expect((await runCli(['user', 'role', 'ops', 'ReadOnly', '--data-dir', sandbox.dataDir])).code).toBe(0);
    expect((await runCli(['user', 'remove', 'VSPHERE.LOCAL\\ops', '--data-dir', sandbox.dataDir])).code).toBe(0);
    const token = ops.json as string;
    expect((await http(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': token } })).status).toBe(401);
  });

  it('generates and prints a password when none is given', async () => {
    const add = await runCli(['user', 'add', 'gen', '--data-dir', sandbox.dataDir]);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/Generated password: \S{24}/);
  });

  it('explains every mistake, with exit code 1 for a wrong name and 2 for wrong usage', async () => {
    expect(await runCli(['user', 'remove', 'ghost', '--data-dir', sandbox.dataDir])).toMatchObject({ code: 1, stderr: 'vapi-auth: no user ghost\n' });
    expect((await runCli(['user', 'add', 'x@example.com', '--data-dir', sandbox.dataDir])).stderr).toContain('not a user name of domain vsphere.local');
    expect((await runCli(['user', 'role', 'gen', 'Boss', '--data-dir', sandbox.dataDir])).code).toBe(2);
    expect((await runCli(['user', 'frobnicate', '--data-dir', sandbox.dataDir])).code).toBe(2);
    expect((await runCli(['user', 'list', '--port', '1', '--data-dir', sandbox.dataDir])).code).toBe(2);
    await runCli(['user', 'add', 'twice', '--data-dir', sandbox.dataDir]);
    expect((await runCli(['user', 'add', 'twice', '--data-dir', sandbox.dataDir])).stderr).toContain('exists already');
  });
});

describe('vapi-auth keys and sts', () => {
  it('explain every mistake: exit 2 naming a usage problem, 1 for a key no node trusts', async () => {
    const keys = (...args: string[]) => runCli([...args, '--data-dir', sandbox.dataDir]);
    expect(await keys('keys', 'revoke')).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: vapi-auth keys revoke KID') });
    expect(await keys('keys', 'frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: vapi-auth keys') });
    expect(await keys('keys', 'list', 'extra')).toMatchObject({ code: 2 });
    expect(await keys('keys', 'revoke', 'not a kid!')).toMatchObject({ code: 2, stderr: 'vapi-auth: "not a kid!" is not a JWT key id (kid)\n' });
    expect(await keys('sts', 'revoke', 'AB:CD')).toMatchObject({ code: 2, stderr: 'vapi-auth: "AB:CD" is not the SHA-256 fingerprint of an STS certificate\n' });
    expect(await keys('keys', 'rotate', '--store', 'memory')).toMatchObject({ code: 2, stderr: expect.stringContaining('keys commands need a persistent store') });
    expect(await keys('sts', 'rotate', '--idle-timeout', '5m')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('vapi-auth: sts rotate takes --sts-max-lifetime, --data-dir, --store, --config, --audit-log only, not --idle-timeout'),
    });
    expect(await keys('keys', 'revoke', 'abc123')).toMatchObject({ code: 1, stderr: expect.stringContaining('no trusted JWT key abc123') });
  });

  it('list the keys every node trusts, and withdraw one so that a running server refuses its tokens and signs on with a new key', async () => {
    const server = await start();
    const token = await accessToken(server.url, 'administrator', 'Pr0cess!');
    const listed = await runCli(['keys', 'list', '--data-dir', sandbox.dataDir]);
    expect(listed.stdout).toMatch(new RegExp(`^${kidOf(token)}\ttrusted until \\d{4}-.*\tcreated \\d{4}-.*\tsigns here\n$`));
    const [keysJson, stsJson, usersJson] = await Promise.all(
      [['keys', 'list', '--json'], ['sts', 'list', '--json'], ['user', 'list', '--json']].map((args) => runCli([...args, '--data-dir', sandbox.dataDir])),
    );
    const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(JSON.parse(keysJson!.stdout)).toEqual([{ id: kidOf(token), created: iso, trustedUntil: iso, signsHere: true }]);
    expect(JSON.parse(stsJson!.stdout)).toEqual([{ id: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/), created: iso, trustedUntil: iso, signsHere: true }]);
    expect(JSON.parse(usersJson!.stdout)).toEqual([{ user: 'administrator@VSPHERE.LOCAL', role: 'Administrator' }]);
    const revoked = await runCli(['keys', 'revoke', kidOf(token), '--data-dir', sandbox.dataDir]);
    expect(revoked).toMatchObject({ code: 0, stdout: `Withdrew JWT key ${kidOf(token)}: every node refuses its tokens from now on\n` });
    expect((await callWithBearer(server.url, token)).status).toBe(401);
    const fresh = await accessToken(server.url, 'administrator', 'Pr0cess!');
    expect(kidOf(fresh)).not.toBe(kidOf(token));
    expect((await callWithBearer(server.url, fresh)).status).toBe(200);
    expect(server.output()).toContain('signing key withdrawn; signing with another');
  });
});
