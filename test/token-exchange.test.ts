import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/observability/audit-trail.js';
import { createServer } from '../src/server.js';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { curl, curlAvailable } from './helpers/curl.js';
import { basic, http, type HttpResponse } from './helpers/http.js';
import { accessToken, bearer, callWithBearer, logoff } from './helpers/omivv.js';
import { assertionXml, derOf, sign, signHeader, testIssuer, type AssertionOptions, type Issuer } from './helpers/saml.js';
import { ADMIN, ADMIN_PASSWORD, addUser, NO_CLIENT_LIMITS, startTestServer, type TestServer } from './helpers/test-server.js';

const PATH = '/api/vcenter/authentication/token';
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const SAML2 = 'urn:ietf:params:oauth:token-type:saml2';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const HOUR = 3_600_000;
const NOT_VALID = { error: 'invalid_grant', error_description: 'The subject token is not valid.' };

let issuer: Issuer;
let stranger: Issuer;
let holder: Issuer;
let t: TestServer;
let audit: AuditEvent[] = [];
let logs = '';

beforeAll(async () => {
  [issuer, stranger, holder] = await Promise.all([testIssuer('sts'), testIssuer('stranger'), testIssuer('holder')]);
  t = await startTestServer(new MemoryStore(), {
    jwt: { limits: NO_CLIENT_LIMITS },
    sts: { keys: await ephemeralStsKeys() },
    saml: { trustedCertificates: [issuer.cert] },
    bodyLimit: 256 * 1024,
    onAuditEvent: (event) => audit.push(event),
    logLevel: 'debug',
    logStream: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logs += chunk.toString()), done()) }),
  });
  await addUser(t.server, 'ann@vsphere.local', 'Ann-pass1', 'Administrator');
});
afterAll(async () => t.close());
beforeEach(() => {
  audit = [];
});

/** A SAML token of the trusted test issuer (or `by`), base64url as the exchange takes it. */
function samlToken(options: Partial<AssertionOptions> = {}, by: Issuer = issuer): string {
  const now = t.clock.now();
  return Buffer.from(sign(assertionXml({ notBefore: now - 60_000, notOnOrAfter: now + HOUR, ...options }), by)).toString('base64url');
}

function exchange(spec: Record<string, string>): Promise<HttpResponse> {
  return http(`${t.url}${PATH}`, { method: 'POST', body: { spec } });
}

function exchangeForm(body: string, contentType = 'application/x-www-form-urlencoded'): Promise<HttpResponse> {
  return http(`${t.url}${PATH}`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

const samlToAccess = (subject_token: string) => ({ grant_type: GRANT, subject_token, subject_token_type: SAML2 });
const accessToSaml = (subject_token: string) => ({ grant_type: GRANT, subject_token, subject_token_type: ACCESS_TOKEN, requested_token_type: SAML2 });

/** The user a session created with these headers shows. */
async function sessionUser(authorization: string): Promise<string> {
  const created = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization } });
  expect(created.status, created.text).toBe(201);
  const info = await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': created.json as string } });
  return (info.json as { user: string }).user;
}

function expectOAuthError(response: HttpResponse, error: string): void {
  expect(response.status, response.text).toBe(400);
  expect((response.json as { error: string }).error).toBe(error);
  expect(typeof (response.json as { error_description: unknown }).error_description).toBe('string');
}

describe('SAML token → access token', () => {
  it('exchanges a bearer token (JSON body) for a JWT that every oauth operation takes, Session.create included', async () => {
    t.clock.advance(500); // mid-second: expires_in is still the whole lifetime
    const response = await exchange(samlToAccess(samlToken()));
    expect(response.status, response.text).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const info = response.json as { access_token: string; token_type: string; expires_in: number; issued_token_type: string };
    expect(info).toEqual({ access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), token_type: 'Bearer', expires_in: 3600, issued_token_type: ACCESS_TOKEN });
    expect((await callWithBearer(t.url, info.access_token)).status).toBe(200);
    expect((await http(`${t.url}/api/vapi/metadata/authentication/component`, { headers: bearer(info.access_token) })).status).toBe(200);
    expect(await sessionUser(`Bearer ${info.access_token}`)).toBe('administrator@VSPHERE.LOCAL');
    expect(audit[0]).toEqual(expect.objectContaining({ event: 'token.exchanged', user: 'administrator', domain: 'vsphere.local', scheme: 'token_exchange', target: 'access_token', dialect: 'api' }));
  });

  it('exchanges a holder-of-key token (form body) for a JWT of its subject', async () => {
    const token = samlToken({ subject: 'ann@vsphere.local', method: 'holder-of-key', holderCertificate: derOf(holder.cert) });
    const response = await exchangeForm(new URLSearchParams(samlToAccess(token)).toString());
    expect(response.status, response.text).toBe(200);
    const { access_token } = response.json as { access_token: string };
    expect(await sessionUser(`Bearer ${access_token}`)).toBe('ann@VSPHERE.LOCAL');
  });

  it('authorizes the token of a user who is no Administrator by its privileges, as a session: a ReadOnly user reads, and is refused what ReadOnly lacks', async () => {
    const response = await exchange(samlToAccess(samlToken({ subject: 'reader@vsphere.local' })));
    expect(response.status).toBe(200);
    const { access_token } = response.json as { access_token: string };
    expect((await callWithBearer(t.url, access_token)).status).toBe(200);
    const refused = await http(`${t.url}/api/vcenter/authorization/privilege-checks/latest`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(refused.status).toBe(403);
    expect((refused.json as { error_type: string }).error_type).toBe('UNAUTHORIZED');
  });

  it('ends with the JWT lifetime policy: refused once it has expired', async () => {
    const { access_token } = (await exchange(samlToAccess(samlToken()))).json as { access_token: string };
    t.clock.advance(HOUR);
    expect((await callWithBearer(t.url, access_token)).status).toBe(401);
  });
});

describe('access token → SAML token', () => {
  it('exchanges a JWT (form body) for a delegable bearer token that Session.create takes with SIGN', async () => {
    const jwt = await accessToken(t.url, 'ann', 'Ann-pass1');
    const response = await exchangeForm(new URLSearchParams(accessToSaml(jwt)).toString());
    expect(response.status, response.text).toBe(200);
    const info = response.json as { access_token: string; token_type: string; expires_in: number; issued_token_type: string };
    expect(info).toMatchObject({ token_type: 'N_A', issued_token_type: SAML2, expires_in: 30 * 60 });
    expect(info.access_token).toMatch(/^[\w-]+$/);
    const xml = Buffer.from(info.access_token, 'base64url').toString('utf8');
    expect(xml).toContain('>ann@vsphere.local</saml2:NameID>');
    expect(xml).not.toContain('ProxyRestriction');
    // As it comes (base64url), or as govmomi sends a token (base64 of the gzipped XML).
    expect(await sessionUser(`SIGN token="${info.access_token}"`)).toBe('ann@VSPHERE.LOCAL');
    expect(await sessionUser(signHeader(xml))).toBe('ann@VSPHERE.LOCAL');
    expect(audit).toContainEqual(expect.objectContaining({ event: 'token.exchanged', user: 'ann', target: 'saml2' }));
  });

  it('ends the SAML token no later than the access token', async () => {
    const jwt = await accessToken(t.url, ADMIN, ADMIN_PASSWORD);
    t.clock.advance(HOUR - 90_000);
    const response = await exchange(accessToSaml(jwt));
    expect(response.status, response.text).toBe(200);
    const info = response.json as { access_token: string; expires_in: number };
    expect(info.expires_in).toBeLessThanOrEqual(90);
    const xml = Buffer.from(info.access_token, 'base64url').toString('utf8');
    const notOnOrAfter = Date.parse(xml.match(/<saml2:Conditions NotBefore="[^"]+" NotOnOrAfter="([^"]+)"/)![1]!);
    expect(notOnOrAfter).toBeLessThanOrEqual(JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).exp * 1000);
  });

  it('goes round: SAML → access token → SAML, each accepted where the other dialects take them, each counted', async () => {
    const issuedTotals = async () => {
      const { values } = await t.server.metrics.registry.getSingleMetric('vapi_auth_tokens_issued_total')!.get();
      return Object.fromEntries(values.map(({ labels, value }) => [labels.kind, value]));
    };
    const before = await issuedTotals();
    const first = (await exchange(samlToAccess(samlToken()))).json as { access_token: string };
    const second = (await exchange(accessToSaml(first.access_token))).json as { access_token: string };
    expect(await sessionUser(`SIGN token="${second.access_token}"`)).toBe('administrator@VSPHERE.LOCAL');
    const third = await exchange(samlToAccess(second.access_token));
    expect(third.status).toBe(200);
    expect(await issuedTotals()).toEqual({ jwt: (before.jwt ?? 0) + 2, saml: (before.saml ?? 0) + 1 });
  });
});

describe.runIf(curlAvailable())('the exchange as docs/saml-sso.md shows it, with curl', () => {
  it('takes the form curl writes, and the JSON, and answers tokens the next curl calls take', async () => {
    const toJwt = await curl([
      '-X', 'POST', `${t.url}${PATH}`,
      '-d', `grant_type=${GRANT}`,
      '-d', `subject_token_type=${SAML2}`,
      '--data-urlencode', `subject_token=${samlToken()}`,
    ]);
    expect(toJwt.status, toJwt.body).toBe(200);
    const jwt = (JSON.parse(toJwt.body) as { access_token: string }).access_token;
    expect((await curl(['-H', `Authorization: Bearer ${jwt}`, `${t.url}/api/vapi/metadata/authentication/component`])).status).toBe(200);
    const spec = { grant_type: GRANT, subject_token_type: ACCESS_TOKEN, requested_token_type: SAML2, subject_token: jwt };
    const toSaml = await curl(['-X', 'POST', '-H', 'content-type: application/json', `${t.url}${PATH}`, '-d', JSON.stringify({ spec })]);
    expect(toSaml.status, toSaml.body).toBe(200);
    const saml = (JSON.parse(toSaml.body) as { access_token: string }).access_token;
    const session = await curl(['-X', 'POST', '-H', `Authorization: SIGN token="${saml}"`, `${t.url}/api/session`]);
    expect(session.status, session.body).toBe(201);
  });
});

describe('the same exchange on /rest and JSON-RPC', () => {
  it('/rest: {"value": token_info}; an error as {"type": <error id>, "value": …} with 400', async () => {
    const ok = await http(`${t.url}/rest/com/vmware/vcenter/authentication/token?~action=issue`, { method: 'POST', body: { spec: samlToAccess(samlToken()) } });
    expect(ok.status, ok.text).toBe(200);
    expect((ok.json as { value: { token_type: string } }).value.token_type).toBe('Bearer');
    const refused = await http(`${t.url}/rest/com/vmware/vcenter/authentication/token?~action=issue`, { method: 'POST', body: { spec: samlToAccess(samlToken({}, stranger)) } });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ type: 'com.vmware.oauth2.errors.invalid_grant', value: NOT_VALID });
  });

  it('JSON-RPC: the typed token_info, or the error structure named by its id', async () => {
    const invoke = (spec: Record<string, string>) => {
      const fields = Object.fromEntries(
        ['grant_type', 'resource', 'audience', 'scope', 'requested_token_type', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type'].map((name) => [
          name,
          name === 'grant_type' ? spec[name] : { OPTIONAL: spec[name] ?? null },
        ]),
      );
      const input = { STRUCTURE: { 'operation-input': { spec: { STRUCTURE: { 'com.vmware.vcenter.authentication.token.issue_spec': fields } } } } };
      return http(`${t.url}/api`, { method: 'POST', body: { jsonrpc: '2.0', method: 'invoke', id: '7', params: { serviceId: 'com.vmware.vcenter.authentication.token', operationId: 'issue', input, ctx: { appCtx: {} } } } });
    };
    const ok = await invoke(samlToAccess(samlToken()));
    const info = (ok.json as { result: { output: { STRUCTURE: Record<string, Record<string, unknown>> } } }).result.output.STRUCTURE['com.vmware.oauth2.token_info']!;
    expect(info).toMatchObject({ token_type: 'Bearer', expires_in: { OPTIONAL: 3600 }, issued_token_type: { OPTIONAL: ACCESS_TOKEN } });
    const refused = await invoke({ ...samlToAccess(samlToken()), grant_type: 'password' });
    expect(refused.status).toBe(200);
    expect(refused.headers['vapi-error']).toBe('com.vmware.oauth2.errors.invalid_request');
    expect((refused.json as { result: { error: unknown } }).result.error).toEqual({
      ERROR: { 'com.vmware.oauth2.errors.invalid_request': { error: 'invalid_request', error_description: `grant_type must be ${GRANT}.`, error_uri: { OPTIONAL: null } } },
    });
  });
});

describe('attacks on the exchange, each an OAuth 2.0 error with 400', () => {
  it('a tampered subject token (the signature broken) is invalid_grant', async () => {
    const xml = Buffer.from(samlToken({ subject: 'reader@vsphere.local' }), 'base64url').toString('utf8');
    const forged = Buffer.from(xml.replace('reader@vsphere.local', 'administrator@vsphere.local')).toString('base64url');
    const response = await exchange(samlToAccess(forged));
    expect(response.json).toEqual(NOT_VALID);
    expect(response.status).toBe(400);
    expect(audit).toEqual([expect.objectContaining({ event: 'token.exchange_refused', reason: 'invalid_token' })]);
  });

  it('an expired subject token, SAML or JWT, is invalid_grant with the same description', async () => {
    const now = t.clock.now();
    expect((await exchange(samlToAccess(samlToken({ notBefore: now - 2 * HOUR, notOnOrAfter: now - 2 * 60_000 })))).json).toEqual(NOT_VALID);
    const jwt = await accessToken(t.url, ADMIN, ADMIN_PASSWORD);
    t.clock.advance(HOUR);
    const expired = await exchange(accessToSaml(jwt));
    expect(expired.status).toBe(400);
    expect(expired.json).toEqual(NOT_VALID);
  });

  it('a token from an untrusted issuer (signed with KeyInfo of its own) is invalid_grant', async () => {
    const now = t.clock.now();
    const own = Buffer.from(sign(assertionXml({ notBefore: now - 60_000, notOnOrAfter: now + HOUR }), stranger, true)).toString('base64url');
    expect((await exchange(samlToAccess(own))).json).toEqual(NOT_VALID);
    const jwt = await accessToken(t.url, ADMIN, ADMIN_PASSWORD);
    const [header, payload] = jwt.split('.');
    expect((await exchange(accessToSaml(`${header}.${payload}.${'A'.repeat(86)}`))).json).toEqual(NOT_VALID);
  });

  it('a subject token for a locked user is invalid_grant, SAML or JWT, with the same description', async () => {
    await addUser(t.server, 'locked@vsphere.local', 'Locked-pass1', 'Administrator');
    const jwt = await accessToken(t.url, 'locked', 'Locked-pass1');
    for (let i = 0; i < 6; i++) await http(`${t.url}/api/session`, { method: 'POST', headers: basic('locked@vsphere.local', 'wrong') });
    const saml = await exchange(samlToAccess(samlToken({ subject: 'locked@vsphere.local' })));
    expect(saml.status).toBe(400);
    expect(saml.json).toEqual(NOT_VALID);
    expect((await exchange(accessToSaml(jwt))).json).toEqual(NOT_VALID);
    expect(audit.filter((event) => event.event === 'token.exchange_refused').map((event) => event.reason)).toEqual(['locked', 'locked']);
  });

  it('a subject token for a deleted user is invalid_grant, SAML or JWT', async () => {
    await addUser(t.server, 'gone@vsphere.local', 'Gone-pass1', 'Administrator');
    const jwt = await accessToken(t.url, 'gone', 'Gone-pass1');
    await t.server.identity.remove('gone@vsphere.local');
    expect((await exchange(samlToAccess(samlToken({ subject: 'gone@vsphere.local' })))).json).toEqual(NOT_VALID);
    expect((await exchange(accessToSaml(jwt))).json).toEqual(NOT_VALID);
  });

  it('a logged-off (revoked) access token is invalid_grant', async () => {
    const jwt = await accessToken(t.url, ADMIN, ADMIN_PASSWORD);
    expect((await logoff(t.url, jwt)).status).toBe(200);
    expect((await exchange(accessToSaml(jwt))).json).toEqual(NOT_VALID);
  });

  it('a wrong grant_type, a missing subject_token, an unknown token type or an actor token is invalid_request', async () => {
    const token = samlToken();
    const specs: Record<string, string>[] = [
      { ...samlToAccess(token), grant_type: 'password' },
      { grant_type: GRANT, subject_token_type: SAML2 },
      { grant_type: GRANT, subject_token: token },
      { ...samlToAccess(token), subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' },
      { ...samlToAccess(token), requested_token_type: SAML2 },
      { ...samlToAccess(token), actor_token: token, actor_token_type: SAML2 },
    ];
    for (const spec of specs) {
      expectOAuthError(await exchange(spec), 'invalid_request');
    }
    expectOAuthError(await exchange({ ...samlToAccess(token), scope: 'openid admin' }), 'invalid_scope');
  });

  it('a repeated or unknown field, in a form or in JSON, is invalid_request', async () => {
    const form = new URLSearchParams(samlToAccess(samlToken()));
    expectOAuthError(await exchangeForm(`${form}&subject_token=${samlToken({ subject: 'reader@vsphere.local' })}`), 'invalid_request');
    expectOAuthError(await exchangeForm(`${form}&client_id=me`), 'invalid_request');
    expectOAuthError(await exchange({ ...samlToAccess(samlToken()), colour: 'red' }), 'invalid_request');
    expectOAuthError(await http(`${t.url}${PATH}`, { method: 'POST', body: { spec: samlToAccess(samlToken()), extra: 1 } }), 'invalid_request');
    expectOAuthError(await http(`${t.url}${PATH}`, { method: 'POST', body: { spec: { ...samlToAccess(samlToken()), subject_token: 5 } } }), 'invalid_request');
  });

  it('garbage and oversized bodies get invalid_request with 400, never a 5xx', async () => {
    for (const [body, type] of [
      ['{"spec": {', 'application/json'],
      ['[1, 2]', 'application/json'],
      ['null', 'application/json'],
      ['grant_type=x', 'text/plain'],
      ['\u0000\u00ff%%%=&&==', 'application/x-www-form-urlencoded'],
      ['', 'application/x-www-form-urlencoded'],
      [`grant_type=${'x'.repeat(300 * 1024)}`, 'application/x-www-form-urlencoded'],
      [JSON.stringify({ spec: { grant_type: 'x'.repeat(300 * 1024) } }), 'application/json'],
    ] as const) {
      expectOAuthError(await exchangeForm(body, type), 'invalid_request');
    }
    expectOAuthError(await http(`${t.url}${PATH}`, { method: 'POST' }), 'invalid_request');
  });

  it('a subject token that is no SAML token at all is invalid_grant: not base64, not XML, or too large', async () => {
    for (const subject of ['not base64!', Buffer.from('<a>').toString('base64url'), Buffer.from('\u0000junk').toString('base64url'), 'A'.repeat(200 * 1024)]) {
      expect((await exchange(samlToAccess(subject))).json).toEqual(NOT_VALID);
      expect((await exchange(accessToSaml(subject))).json).toEqual(NOT_VALID);
    }
  });

  it('lets no subject or issued token into the logs or the audit trail', async () => {
    const subject = samlToken();
    const issued = (await exchange(samlToAccess(subject))).json as { access_token: string };
    const back = (await exchange(accessToSaml(issued.access_token))).json as { access_token: string };
    await exchange(samlToAccess(samlToken({}, stranger)));
    const recorded = JSON.stringify(audit) + logs;
    expect(logs).toContain('no trusted certificate verifies the signature');
    for (const token of [subject, issued.access_token, back.access_token]) expect(recorded).not.toContain(token.slice(0, 40));
  });
});

describe('where the exchange is served', () => {
  it('is an operation of its own declaration only: a definition file cannot grant anonymous access elsewhere', () => {
    expect(() =>
      createServer({ store: new MemoryStore(), logLevel: 'silent', authDefinition: { text: 'operations:\n  com.vmware.cis.session.get: [no_authentication]\n', file: 'auth.yaml' } }),
    ).toThrow(/cannot check no_authentication/);
  });

  it('takes no SAML subject token where bearer tokens are not allowed: it checks no holder-of-key signature', async () => {
    const strict = await startTestServer(new MemoryStore(), { jwt: true, saml: { trustedCertificates: [issuer.cert], allowBearer: false } });
    try {
      const now = strict.clock.now();
      const hok = sign(assertionXml({ notBefore: now - 60_000, notOnOrAfter: now + HOUR, method: 'holder-of-key', holderCertificate: derOf(holder.cert) }), issuer);
      const response = await http(`${strict.url}${PATH}`, { method: 'POST', body: { spec: samlToAccess(Buffer.from(hok).toString('base64url')) } });
      expect(response.status).toBe(400);
      expect(response.json).toEqual(NOT_VALID);
      // Without an STS of its own, it issues no SAML token either.
      const jwt = await accessToken(strict.url, ADMIN, ADMIN_PASSWORD);
      expectOAuthError(await http(`${strict.url}${PATH}`, { method: 'POST', body: { spec: accessToSaml(jwt) } }), 'invalid_request');
    } finally {
      await strict.close();
    }
  });

  it('is absent without JWT bearer tokens: there is nothing to exchange for', async () => {
    const plain = await startTestServer(new MemoryStore(), { saml: { trustedCertificates: [issuer.cert] } });
    try {
      expect(plain.server.table.service('com.vmware.vcenter.authentication.token')).toBeUndefined();
      expect((await http(`${plain.url}${PATH}`, { method: 'POST', body: { spec: samlToAccess(samlToken()) } })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
