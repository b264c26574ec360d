import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { SCHEMES } from '../src/core/schemes.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { basic, http } from './helpers/http.js';
import { invokeBody } from './helpers/session-dialects.js';
import { accessToken, bearer, callWithBearer, logoff, OMIVV, omivvLogin } from './helpers/omivv.js';
import { ADMIN, ADMIN_PASSWORD, addUser, NO_CLIENT_LIMITS, NO_CONNECTION_LIMITS, startTestServer, type TestServer } from './helpers/test-server.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
let t: TestServer;
let lines: string[];

/** A server with JWT on over `store`, whose log lines collect in `lines`. */
async function start(store: Store, limits?: typeof NO_CLIENT_LIMITS, connections?: typeof NO_CONNECTION_LIMITS): Promise<TestServer> {
  const log = new PassThrough();
  lines = [];
  log.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  // A waiting room for a whole burst of logins: these tests count checked guesses, not refused ones.
  return startTestServer(store, { jwt: limits ? { limits } : true, logLevel: 'info', logStream: log, passwordHashing: { maxWaiting: 1000 }, ...(connections ? { connections } : {}) });
}

beforeEach(async () => {
  t = await start(new MemoryStore());
});
afterEach(async () => t.close());

describe('OMIVV login', () => {
  it('answers a signed JWT with the documented fields and claims', async () => {
    const response = await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD);
    expect(response.status).toBe(200);
    const body = response.json as { accessToken: string; tokenType: string; expiresAt: string };
    expect(body.tokenType).toBe('Bearer');
    expect(body.expiresAt).toBe(new Date(t.clock.now() + 60 * MINUTE).toISOString());
    expect(decodeProtectedHeader(body.accessToken)).toMatchObject({ alg: 'EdDSA', typ: 'JWT', kid: expect.any(String) });
    const claims = decodeJwt(body.accessToken);
    const iat = Math.floor(t.clock.now() / SECOND);
    expect(claims).toMatchObject({ sub: 'administrator', dom: 'vsphere.local', roles: ['Administrator'], iss: 'vapi-auth', aud: 'omivv-api', iat, nbf: iat, exp: iat + 3600 });
    expect(Buffer.from(claims.jti!, 'base64url')).toHaveLength(16);
  });

  it('publishes the keys so that other services can verify its tokens', async () => {
    const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    for (const path of [`${OMIVV}/jwks.json`, '/.well-known/jwks.json']) {
      const jwks = (await http(`${t.url}${path}`)).json as { keys: Record<string, unknown>[] };
      expect(jwks.keys.every((key) => key.d === undefined)).toBe(true); // public parts only
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), { currentDate: new Date(t.clock.now()) });
      expect(payload.sub).toBe('administrator');
    }
  });

  it('accepts the user in a domain field or qualified, and answers 400 for any other body', async () => {
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD, 'vsphere.local')).status).toBe(200);
    for (const body of [{}, { apiUserCredential: 'x' }, { apiUserCredential: { username: '', password: 'x' } }, { apiUserCredential: { username: 'a', password: 5 } }, { apiUserCredential: { username: 'a', password: 'b', domain: 7 } }, [1], null]) {
      const response = await http(`${t.url}${OMIVV}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json).toEqual({ errorCode: 'INVALID_PARAMETERS', message: 'Invalid parameters' });
    }
    const broken = await http(`${t.url}${OMIVV}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"apiUserCredential":' });
    expect(broken.json).toEqual({ errorCode: 'INVALID_PARAMETERS', message: 'Invalid parameters' });
    const xml = await http(`${t.url}${OMIVV}/login`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
    expect(xml.status).toBe(415);
  });

  it('answers 404 and 405 in its own form, and its paths are case-sensitive', async () => {
    expect((await http(`${t.url}${OMIVV}/login`)).status).toBe(405);
    const lower = await http(`${t.url}${OMIVV.toLowerCase()}/login`, { method: 'POST', body: {} });
    expect(lower.status).toBe(404);
    expect(lower.json).toEqual({ errorCode: 'NOT_FOUND', message: 'Not found' });
  });

  it('gives a wrong password, an unknown user and a locked account one identical 401', async () => {
    const wrong = await omivvLogin(t.url, 'administrator', 'nope');
    const unknown = await omivvLogin(t.url, 'ghost', 'nope');
    for (let i = 0; i < 5; i++) await omivvLogin(t.url, 'administrator', 'nope');
    const locked = await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD);
    for (const response of [wrong, unknown, locked]) {
      expect(response.status).toBe(401);
      expect(response.text).toBe('{"errorCode":"INVALID_CREDENTIALS","message":"Invalid username or password"}');
      expect(response.headers['www-authenticate']).toBe('Bearer realm="OMIVV"');
    }
  });

  it('refuses a read-only user with 403, which does not count toward a lock', async () => {
    for (let i = 0; i < 8; i++) {
      const response = await omivvLogin(t.url, 'reader', 'Read0nly');
      expect(response.status).toBe(403);
      expect(response.json).toEqual({ errorCode: 'NOT_AUTHORIZED', message: 'Only administrators may use the API' });
    }
    expect((await http(`${t.url}/api/session`, { method: 'POST', headers: basic('reader@vsphere.local', 'Read0nly') })).status).toBe(201);
  });
});

describe('bearer tokens', () => {
  it('authenticate the operations that accept oauth, and end exactly 60 minutes after issue', async () => {
    const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    expect((await callWithBearer(t.url, token)).status).toBe(200);
    t.clock.advance(60 * MINUTE - 1);
    expect((await callWithBearer(t.url, token)).status).toBe(200);
    t.clock.advance(1);
    const expired = await callWithBearer(t.url, token);
    expect(expired.status).toBe(401);
    expect((expired.json as { error_type: string }).error_type).toBe('UNAUTHENTICATED');
    const omivv = await logoff(t.url, token);
    expect(omivv.json).toEqual({ errorCode: 'TOKEN_EXPIRED', message: 'Token is already expired' });
  });

  it('are accepted by every built-in operation that takes a session, but session get and delete', () => {
    const sessionOnly = t.server.table
      .operations()
      .filter(({ schemes }) => schemes.includes(SCHEMES.sessionId) && !schemes.includes(SCHEMES.oauth))
      .map(({ service, operation }) => `${service.id}.${operation.id}`);
    expect(sessionOnly).toEqual(['com.vmware.cis.session.get', 'com.vmware.cis.session.delete']);
  });

  it('are not accepted for the session get and delete, which need the session itself', async () => {
    const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    expect((await http(`${t.url}/api/session`, { headers: bearer(token) })).status).toBe(401);
  });

  it('can be exchanged for a session that ends no later than the token', async () => {
    const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    t.clock.advance(45 * MINUTE);
    const created = await http(`${t.url}/api/session`, { method: 'POST', headers: bearer(token) });
    expect(created.status).toBe(201);
    const session = { 'vmware-api-session-id': created.json as string };
    t.clock.advance(15 * MINUTE - 1);
    expect((await http(`${t.url}/api/session`, { headers: session })).status).toBe(200);
    t.clock.advance(1);
    expect((await http(`${t.url}/api/session`, { headers: session })).status).toBe(401);
  });

  it('end at logoff (and at the logout alias), on every path at once', async () => {
    for (const path of ['logoff', 'logout']) {
      const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
      const response = await logoff(t.url, token, path);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toBe('Logged off successfully');
      expect((await callWithBearer(t.url, token)).status).toBe(401);
      expect((await logoff(t.url, token)).json).toEqual({ errorCode: 'TOKEN_INVALID', message: 'Invalid token' });
    }
    expect((await http(`${t.url}${OMIVV}/logoff`, { method: 'POST' })).json).toEqual({ errorCode: 'AUTHORIZATION_FAILURE', message: 'Authorization failure' });
  });

  it('authenticate on /api, /rest and JSON-RPC alike, and end on all three at logoff', async () => {
    const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    const body = invokeBody('com.vmware.cis.session', 'create', {});
    const rpc = { ...body, params: { ...body.params, ctx: { ...body.params.ctx, securityCtx: { schemeId: 'com.vmware.vapi.std.security.oauth', accessToken: token } } } };
    const createEverywhere = async () => [
      (await http(`${t.url}/api/session`, { method: 'POST', headers: bearer(token) })).status === 201,
      (await http(`${t.url}/rest/com/vmware/cis/session`, { method: 'POST', headers: bearer(token) })).status === 200,
      'output' in ((await http(`${t.url}/api`, { method: 'POST', body: rpc })).json as { result: object }).result,
    ];
    expect(await createEverywhere()).toEqual([true, true, true]);
    expect((await logoff(t.url, token)).status).toBe(200);
    expect(await createEverywhere()).toEqual([false, false, false]);
  });

  it('are read alike on /api and at logoff, whatever the case of the scheme name', async () => {
    const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    const lower = { authorization: `bearer ${token}` };
    expect((await http(`${t.url}/api/cis/tasks?services=com.example.none`, { headers: lower })).status).toBe(200);
    expect((await http(`${t.url}${OMIVV}/logoff`, { method: 'POST', headers: lower })).status).toBe(200);
    const notBearer = await http(`${t.url}${OMIVV}/logoff`, { method: 'POST', headers: { authorization: `Token ${token}` } });
    expect(notBearer.json).toEqual({ errorCode: 'AUTHORIZATION_FAILURE', message: 'Authorization failure' });
  });

  it('stop working when their user is removed (401) or is no longer an Administrator (403)', async () => {
    await addUser(t.server, 'ops@vsphere.local', 'Op3rator', 'Administrator');
    const token = await accessToken(t.url, 'ops', 'Op3rator');
    await t.server.access.grant('ops', 'ReadOnly');
    expect((await callWithBearer(t.url, token)).status).toBe(403);
    expect((await logoff(t.url, token)).status).toBe(403);
    await t.server.identity.remove('ops');
    expect((await callWithBearer(t.url, token)).status).toBe(401);
  });

  it('add Bearer to the challenge of every 401', async () => {
    const response = await http(`${t.url}/api/session`);
    expect(response.headers['www-authenticate']).toBe('Basic realm="VAPI endpoint",Bearer realm="VAPI endpoint"');
  });
});

describe('account lockout', () => {
  const wrongLogins = (n: number) => Promise.all(Array.from({ length: n }, () => omivvLogin(t.url, 'administrator', 'nope')));

  it('locks after 6 failures within 3 minutes, for exactly 1 minute, and refuses the account\'s tokens meanwhile', async () => {
    const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    for (let i = 0; i < 5; i++) {
      await omivvLogin(t.url, 'administrator', 'nope');
      t.clock.advance(30 * SECOND);
    }
    t.clock.advance(30 * SECOND - 1); // the 6th failure lands 2:59.999 after the first
    await omivvLogin(t.url, 'administrator', 'nope');
    const lockedAt = t.clock.now();
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)).status).toBe(401);
    expect((await logoff(t.url, token)).json).toEqual({ errorCode: 'ACCOUNT_LOCKED', message: 'Account is temporarily locked. Try again later.' });
    expect((await callWithBearer(t.url, token)).status).toBe(401);
    expect((await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).status).toBe(401);
    t.clock.set(lockedAt + MINUTE - 1);
    expect((await callWithBearer(t.url, token)).status).toBe(401);
    t.clock.set(lockedAt + MINUTE);
    expect((await callWithBearer(t.url, token)).status).toBe(200);
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('stops password guessing after a lock: one more failure within the window locks the account again', async () => {
    await wrongLogins(6);
    const firstLock = t.clock.now();
    t.clock.set(firstLock + MINUTE);
    expect((await omivvLogin(t.url, 'administrator', 'nope')).status).toBe(401);
    t.clock.set(firstLock + 2 * MINUTE - 1);
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)).status).toBe(401);
    t.clock.set(firstLock + 2 * MINUTE);
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)).status).toBe(200);
    expect(lines.filter((line) => line.includes('"msg":"account locked"'))).toHaveLength(2);
  });

  it('does not lock when the failures spread over more than the window', async () => {
    for (let i = 0; i < 5; i++) await omivvLogin(t.url, 'administrator', 'nope');
    t.clock.advance(3 * MINUTE);
    await omivvLogin(t.url, 'administrator', 'nope');
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('counts consecutive failures: a success starts the count again', async () => {
    await wrongLogins(5);
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)).status).toBe(200);
    await wrongLogins(5);
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('is shared by every password check: failures on /api, /rest and JSON-RPC together lock the OMIVV login', async () => {
    for (let i = 0; i < 2; i++) {
      await http(`${t.url}/api/session`, { method: 'POST', headers: basic('VSPHERE.LOCAL\\administrator', 'nope') });
      await http(`${t.url}/rest/com/vmware/cis/session`, { method: 'POST', headers: basic(ADMIN, 'nope') });
      await http(`${t.url}/api`, { method: 'POST', body: invokeBody('com.vmware.cis.session', 'create', { userName: 'Administrator@vsphere.local', password: 'nope' }) });
    }
    expect(lines.filter((line) => line.includes('"msg":"account locked"'))).toHaveLength(1);
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)).status).toBe(401);
  });

  it('counts names that do not exist too, so a lock tells nothing', async () => {
    for (let i = 0; i < 6; i++) await omivvLogin(t.url, 'ghost', 'nope');
    expect(lines.filter((line) => line.includes('"msg":"account locked"'))).toHaveLength(1);
  });

  it.each(['memory', 'sqlite'])('locks exactly once under 200 concurrent wrong logins, and loses no increment (%s store)', async (kind) => {
    // The OMIVV request rate (100 a minute) would refuse half the burst before the password check,
    // and the cap of connections from one address (100) would close half of them.
    await t.close();
    const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-burst-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    t = await start(kind === 'sqlite' ? new SqliteStore({ file: join(dir, 'vapi-auth.sqlite') }) : new MemoryStore(), NO_CLIENT_LIMITS, NO_CONNECTION_LIMITS);
    const responses = await wrongLogins(200);
    expect(new Set(responses.map((r) => `${r.status} ${r.text}`))).toEqual(new Set(['401 {"errorCode":"INVALID_CREDENTIALS","message":"Invalid username or password"}']));
    expect(lines.filter((line) => line.includes('"msg":"account locked"'))).toHaveLength(1);
    // Requests that found the account locked were not counted; all the others were, once each.
    const refusedAsLocked = lines.filter((line) => line.includes('"reason":"locked"')).length;
    const counted = await t.server.store.kv.increment('failures:administrator@vsphere.local', MINUTE, t.clock.now());
    expect(counted - 1).toBe(200 - refusedAsLocked);
    expect((await omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)).status).toBe(401);
  });
});
