import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/observability/audit-trail.js';
import { basic, http } from './helpers/http.js';
import { processSandbox, runCli, startServerProcess, type ServerProcess } from './helpers/cli-process.js';
import { logoff, omivvLogin } from './helpers/omivv.js';
import { samlSession, stsToken } from './helpers/sso-client.js';

const ADMIN = 'administrator@vsphere.local';
const PASSWORD = 'Aud1t-admin-pw';
const ALICE = 'alice@vsphere.local';
const ALICE_PASSWORD = 'Al1ce-secret-pw';
const WRONG = 'Wr0ng-guess-pw';
const sandbox = processSandbox('vapi-auth-audit-');

type Line = AuditEvent;

const auditFile = () => join(sandbox.dataDir, 'audit.log');
const readAudit = (file = auditFile()): Line[] => readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Line);

async function start(): Promise<{ server: ServerProcess; ops: string }> {
  const server = sandbox.track(
    await startServerProcess(['--http', '--workers', '1', '--data-dir', sandbox.dataDir, '--audit-log', auditFile(), '--lockout-failures', '3', '--ops-port', '0'], {
      VAPI_AUTH_ADMIN_PASSWORD: PASSWORD,
    }),
  );
  return { server, ops: server.output().match(/Operations listener at (http:\/\/[^"\s]+)/)![1]! };
}

const login = (url: string, user: string, password: string) => http(`${url}/api/session`, { method: 'POST', headers: basic(user, password) });

/**
 * A CLI change, logins and failures, a lockout, a logout (session delete), the OMIVV login and
 * logoff, an STS token and a session from it. Returns every secret the sequence saw.
 */
async function scriptedSequence(url: string): Promise<string[]> {
  const added = await runCli(['user', 'add', ALICE, '--role', 'Administrator', '--data-dir', sandbox.dataDir, '--audit-log', auditFile()], { env: { VAPI_AUTH_PASSWORD: ALICE_PASSWORD } });
  expect(added.code).toBe(0);
  const session = await login(url, ADMIN, PASSWORD);
  expect(session.status).toBe(201);
  for (let i = 0; i < 3; i++) expect((await login(url, ALICE, WRONG)).status).toBe(401);
  expect((await login(url, ALICE, ALICE_PASSWORD)).status).toBe(401);
  const sessionId = session.json as string;
  expect((await http(`${url}/api/session`, { method: 'DELETE', headers: { 'vmware-api-session-id': sessionId } })).status).toBe(204);
  const omivv = await omivvLogin(url, 'administrator', PASSWORD, 'vsphere.local');
  const jwt = (omivv.json as { accessToken: string }).accessToken;
  expect((await logoff(url, jwt)).status).toBe(200);
  const saml = await stsToken(url, ADMIN, PASSWORD);
  const samlSessionId = (await samlSession(url, saml)).json as string;
  const privateKeys = [
    (JSON.parse(readFileSync(join(sandbox.dataDir, 'jwt', 'keys.json'), 'utf8')) as { keys: { privateJwk: { d: string } }[] }).keys[0]!.privateJwk.d,
    readFileSync(join(sandbox.dataDir, 'sts', 'signing.pem'), 'utf8').split('\n')[1]!,
  ];
  return [PASSWORD, ALICE_PASSWORD, WRONG, sessionId, samlSessionId, jwt, jwt.split('.')[2]!, saml, saml.match(/<ds:SignatureValue>([^<]{20})/)![1]!, ...privateKeys];
}

describe('--audit-log', () => {
  it('writes one line per authentication event and CLI change, with its user, client, dialect and request id', async () => {
    const started = new Date().toISOString();
    const { server } = await start();
    await scriptedSequence(server.url);
    const lines = readAudit();
    const request = { client: '127.0.0.1', requestId: expect.any(String) };
    const failure = { event: 'login.failure', user: ALICE, scheme: 'user_pass', dialect: 'api', ...request };
    expect(lines).toEqual([
      { time: expect.any(String), event: 'user.added', user: ALICE, target: 'Administrator', scheme: 'cli', operator: expect.any(String) },
      { time: expect.any(String), event: 'login.success', user: 'administrator', domain: 'vsphere.local', scheme: 'user_pass', dialect: 'api', ...request },
      { time: expect.any(String), ...failure, reason: 'bad_credentials' },
      { time: expect.any(String), ...failure, reason: 'bad_credentials' },
      { time: expect.any(String), event: 'lockout.started', user: ALICE, dialect: 'api', ...request },
      { time: expect.any(String), ...failure, reason: 'bad_credentials' },
      { time: expect.any(String), ...failure, reason: 'locked' },
      { time: expect.any(String), event: 'logout', user: 'administrator', domain: 'vsphere.local', scheme: 'session_id', dialect: 'api', ...request },
      { time: expect.any(String), event: 'login.success', user: 'administrator@vsphere.local', scheme: 'omivv_login', dialect: 'omivv', ...request },
      { time: expect.any(String), event: 'jwt.issued', user: 'administrator@vsphere.local', scheme: 'omivv_login', dialect: 'omivv', ...request },
      { time: expect.any(String), event: 'jwt.logoff', user: 'administrator', domain: 'vsphere.local', scheme: 'omivv_login', dialect: 'omivv', ...request },
      { time: expect.any(String), event: 'login.success', user: ADMIN, scheme: 'sts_username_token', dialect: 'sso', ...request },
      { time: expect.any(String), event: 'sts.issued', user: 'administrator', domain: 'vsphere.local', scheme: 'sts_username_token', dialect: 'sso', ...request },
      { time: expect.any(String), event: 'login.success', user: 'administrator', domain: 'vsphere.local', scheme: 'saml_bearer_token', dialect: 'api', ...request },
    ]);
    for (const line of lines) expect(line.time >= started && !Number.isNaN(Date.parse(line.time))).toBe(true);
    // One request's events share its id (the third failure and the lock, the OMIVV login and its
    // token, the STS login and its token); the 13 lines of requests come from 10 requests.
    for (const [first, second] of [[4, 5], [8, 9], [11, 12]] as const) expect(lines[first]!.requestId).toBe(lines[second]!.requestId);
    expect(new Set(lines.slice(1).map((line) => line.requestId)).size).toBe(10);
  });

  it('lets no password, session id, token or private key into the audit log, the logs or the metrics', async () => {
    const { server, ops } = await start();
    const secrets = await scriptedSequence(server.url);
    const metrics = (await http(`${ops}/metrics`)).text;
    const places = { audit: readFileSync(auditFile(), 'utf8'), logs: server.output(), metrics };
    expect(places.audit).toContain('lockout.started');
    expect(places.logs).toContain('request refused');
    for (const [place, text] of Object.entries(places)) {
      for (const secret of secrets) expect(text.includes(secret), `${place} holds a secret`).toBe(false);
    }
  });

  it('reopens the file on SIGHUP, after a rotation moved it', async () => {
    const { server } = await start();
    expect((await login(server.url, ADMIN, PASSWORD)).status).toBe(201);
    renameSync(auditFile(), `${auditFile()}.1`);
    server.child.kill('SIGHUP');
    // The signal arrives asynchronously: fail logins until one lands in a new file (a bounded number of tries).
    for (let i = 0; i < 20 && !existsSync(auditFile()); i++) await login(server.url, ADMIN, WRONG);
    expect(readAudit().map((line) => line.event)).toContain('login.failure');
    expect(readAudit(`${auditFile()}.1`)[0]!.event).toBe('login.success');
  });

  it('writes to stdout with -, among the JSON log lines', async () => {
    const server = sandbox.track(
      await startServerProcess(['--http', '--workers', '1', '--data-dir', sandbox.dataDir, '--audit-log', '-'], { VAPI_AUTH_ADMIN_PASSWORD: PASSWORD }),
    );
    expect((await login(server.url, ADMIN, WRONG)).status).toBe(401);
    // Written before the answer was sent: the line is there once stdout is read up to it.
    for (let i = 0; i < 50 && !server.output().includes('"event":"login.failure"'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const line = server.output().split('\n').find((row) => row.includes('"event":"login.failure"'));
    expect(JSON.parse(line!)).toMatchObject({ event: 'login.failure', user: ADMIN, reason: 'bad_credentials', client: '127.0.0.1' });
  });

  it('every worker answers vapi_auth.audit with the events of the whole node', async () => {
    const server = sandbox.track(
      await startServerProcess(['--http', '--workers', '2', '--data-dir', sandbox.dataDir, '--audit-log', auditFile()], { VAPI_AUTH_ADMIN_PASSWORD: PASSWORD }),
    );
    // Fresh connections: the primary hands them to the workers in turn.
    const users = ['u1', 'u2', 'u3', 'u4'].map((name) => `${name}@vsphere.local`);
    for (const user of users) expect((await login(server.url, user, WRONG)).status).toBe(401);
    const session = (await login(server.url, ADMIN, PASSWORD)).json as string;
    for (let i = 0; i < 4; i++) {
      // An event reaches the other worker over the primary, a moment after it was answered.
      let seen: string[] = [];
      for (let tries = 0; tries < 50 && !users.every((user) => seen.includes(user)); tries++) {
        if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const response = await http(`${server.url}/api/vapi-auth/audit?event=login.failure`, { headers: { 'vmware-api-session-id': session } });
        expect(response.status).toBe(200);
        seen = (response.json as { events: { user: string }[] }).events.map((event) => event.user);
      }
      expect(seen.sort()).toEqual(users);
    }
  });
});
