import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { processSandbox, runCli, startServerProcess } from './helpers/cli-process.js';
import { http } from './helpers/http.js';
import { redisAvailable, REDIS_MISSING, redisPerBlock } from './helpers/redis-server.js';
import { testIssuer, type Issuer } from './helpers/saml.js';
import { STS_PATH } from './helpers/sso-client.js';
import { requestSecurityToken, signedEnvelope } from './helpers/ws-security.js';

/**
 * `vapi-auth solution-user` as real processes on the store the servers use (sqlite in a fresh data
 * dir, and a real Redis), while a server runs on it: what the CLI registers, the STS honours at once.
 */

const sandbox = processSandbox('vapi-auth-solution-cli-');
let vpxd: Issuer;
let other: Issuer;

beforeAll(async () => {
  [vpxd, other] = await Promise.all([testIssuer('vpxd'), testIssuer('other')]);
});

function pemFile(name: string, text: string): string {
  const file = join(sandbox.dataDir, name);
  writeFileSync(file, text);
  return file;
}

/** Issue by certificate against a running server: the status and whether a token came back. */
async function issueByCertificate(url: string, signer: Issuer, ca: string): Promise<{ status: number; token: boolean }> {
  const now = Date.now();
  const body = signedEnvelope(requestSecurityToken({ keyType: 'PublicKey', expires: now + 600_000 }), signer, { now });
  const response = await http(`${url}${STS_PATH}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body, ca });
  return { status: response.status, token: response.text.includes('<saml2:Assertion') };
}

async function addListUseRemove(storeArgs: string[]): Promise<void> {
  const cli = (...args: string[]) => runCli([...args, ...storeArgs], { env: { VAPI_AUTH_PASSWORD: 'Us3r-pass' } });
  const server = sandbox.track(await startServerProcess(storeArgs, { VAPI_AUTH_ADMIN_PASSWORD: 'Solution-cli1' }));
  const caPem = readFileSync(join(sandbox.dataDir, 'tls', 'cert.pem'), 'utf8');
  const certFile = pemFile('vpxd.crt', vpxd.cert);
  expect(await issueByCertificate(server.url, vpxd, caPem)).toEqual({ status: 500, token: false });

  const added = await cli('solution-user', 'add', 'vpxd', '--cert', certFile, '--role', 'ReadOnly');
  expect(added.code, added.stderr).toBe(0);
  expect(added.stdout).toMatch(/^Added solution user vpxd@VSPHERE.LOCAL \(ReadOnly; certificate CN=vpxd, valid until \d{4}-/);
  expect(await issueByCertificate(server.url, vpxd, caPem)).toEqual({ status: 200, token: true });

  const [list, json, users, again, sameCert, badRole, noCert] = await Promise.all([
    cli('solution-user', 'list'),
    cli('solution-user', 'list', '--json'),
    cli('user', 'list', '--json'),
    cli('solution-user', 'add', 'VPXD@vsphere.local', '--cert', pemFile('other.crt', other.cert)),
    cli('solution-user', 'add', 'vpxd2', '--cert', certFile),
    cli('solution-user', 'add', 'vpxd3', '--cert', pemFile('other3.crt', other.cert), '--role', 'NoSuchRole'),
    cli('solution-user', 'add', 'vpxd4'),
  ]);
  const fingerprint = new X509Certificate(vpxd.cert).fingerprint256;
  expect(list!.stdout).toMatch(new RegExp(`^vpxd@VSPHERE.LOCAL\\tReadOnly\\tCN=vpxd\\t${fingerprint}\\t\\d{4}-\\d\\d-\\d\\dT`));
  expect(JSON.parse(json!.stdout)).toEqual([{ user: 'vpxd@VSPHERE.LOCAL', role: 'ReadOnly', subject: 'CN=vpxd', fingerprint, valid_until: expect.any(String) }]);
  expect((JSON.parse(users!.stdout) as { user: string }[]).map((u) => u.user)).not.toContain('vpxd@VSPHERE.LOCAL');
  expect(again).toMatchObject({ code: 1, stderr: 'vapi-auth: VPXD@vsphere.local exists already (a user or a solution user)\n' });
  expect(sameCert).toMatchObject({ code: 1, stderr: 'vapi-auth: the certificate belongs to vpxd@VSPHERE.LOCAL already\n' });
  expect(badRole).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown role "NoSuchRole"') });
  expect(noCert).toMatchObject({ code: 2, stderr: expect.stringContaining('--cert FILE') });

  // A user's verbs do not work on a solution user, and the other way round.
  const [passwd, userRemove, solutionRemoveOfUser] = await Promise.all([
    cli('user', 'passwd', 'vpxd'),
    cli('user', 'remove', 'vpxd'),
    cli('solution-user', 'remove', 'administrator'),
  ]);
  expect(passwd).toMatchObject({ code: 1, stderr: 'vapi-auth: vpxd is a solution user: it has a certificate, not a password\n' });
  expect(passwd.stdout).toBe('');
  expect(userRemove).toMatchObject({ code: 1, stderr: 'vapi-auth: vpxd is a solution user: use solution-user remove\n' });
  expect(solutionRemoveOfUser).toMatchObject({ code: 1, stderr: 'vapi-auth: no solution user administrator\n' });

  expect(await cli('solution-user', 'remove', 'vpxd')).toMatchObject({ code: 0, stdout: expect.stringContaining('Removed solution user vpxd') });
  expect(await issueByCertificate(server.url, vpxd, caPem)).toEqual({ status: 500, token: false });
  expect(JSON.parse((await cli('solution-user', 'list', '--json')).stdout)).toEqual([]);
  expect(JSON.parse((await cli('permission', 'list', '--json')).stdout)).not.toContainEqual(expect.objectContaining({ principal: 'vpxd@vsphere.local' }));
}

describe('vapi-auth solution-user', () => {
  it('adds, lists and removes solution users on a data dir while a server runs on it; the STS follows at once', async () => {
    await addListUseRemove(['--data-dir', sandbox.dataDir]);
  }, 60_000);

  it('refuses a file that holds no certificate, or cannot be read, with a usage error naming it', async () => {
    const garbage = pemFile('garbage.pem', '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    const [bad, missing, none] = await Promise.all([
      runCli(['solution-user', 'add', 'x', '--cert', garbage, '--data-dir', sandbox.dataDir]),
      runCli(['solution-user', 'add', 'x', '--cert', join(sandbox.dataDir, 'absent.pem'), '--data-dir', sandbox.dataDir]),
      runCli(['solution-user', 'add', 'x', '--cert', pemFile('key-only.pem', vpxd.key), '--data-dir', sandbox.dataDir]),
    ]);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining(`--cert ${garbage}: certificate 1 is not a valid X.509 certificate`) });
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read --cert') });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('holds no PEM certificate') });
    expect(none.stderr).not.toContain('PRIVATE KEY');
  });
});

const run = redisAvailable();

describe.runIf(run)('vapi-auth solution-user on a Redis store', () => {
  const redis = redisPerBlock();

  it('adds, lists and removes solution users of servers on Redis', async () => {
    await addListUseRemove(['--data-dir', sandbox.dataDir, '--store', redis.url]);
  }, 60_000);
});

if (!run) describe('vapi-auth solution-user on a Redis store', () => it.skip(REDIS_MISSING, () => undefined));
