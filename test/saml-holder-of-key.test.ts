import { createSign } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalRequest } from '../src/dialects/jsonrpc/canonical-request.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { http } from './helpers/http.js';
import { assertionXml, derOf, sign, signedHeader, signHeader, testIssuer, type Issuer } from './helpers/saml.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const HOUR = 3_600_000;
let issuer: Issuer;
let holder: Issuer;
let thief: Issuer;
let t: TestServer;
let port: string;

beforeAll(async () => {
  [issuer, holder, thief] = await Promise.all([testIssuer('sts'), testIssuer('holder'), testIssuer('thief')]);
});
beforeEach(async () => {
  t = await startTestServer(new MemoryStore(), { saml: { trustedCertificates: [issuer.cert] } });
  port = new URL(t.url).port;
  // Signatures carry real timestamps; the server's clock reads the same time.
  t.clock.set(Date.now());
});
afterEach(async () => t.close());

const hokToken = (holderCert = holder.cert) =>
  sign(assertionXml({ notBefore: t.clock.now() - 60_000, notOnOrAfter: t.clock.now() + HOUR, method: 'holder-of-key', holderCertificate: derOf(holderCert) }), issuer);
const request = { method: 'POST', path: '/api/session', host: '127.0.0.1' };
const create = (authorization: string) => http(`${t.url}/api/session`, { method: 'POST', headers: { authorization } });

describe('Session.create with a holder-of-key token over HTTP (SIGN with signature)', () => {
  it('accepts the holder signing with the port of the URL, and with 80 when the URL named none (govmomi)', async () => {
    expect((await create(signedHeader(hokToken(), holder, { ...request, port }))).status).toBe(201);
    expect((await create(signedHeader(hokToken(), holder, { ...request, port: '80' }))).status).toBe(201);
    const rest = await http(`${t.url}/rest/com/vmware/cis/session`, {
      method: 'POST',
      headers: { authorization: signedHeader(hokToken(), holder, { ...request, path: '/rest/com/vmware/cis/session', port }) },
    });
    expect(rest.status).toBe(200);
  });

  it('refuses a stolen token signed with another key, a replayed request, a stale nonce, another path, a bearer token as HoK', async () => {
    const token = hokToken();
    const generic = (await create('Basic eDp5')).text;
    const replayed = signedHeader(token, holder, { ...request, port });
    expect((await create(replayed)).status).toBe(201);
    const cases: [string, string][] = [
      ['stolen token, another key', signedHeader(token, thief, { ...request, port })],
      ['replayed request', replayed],
      ['stale nonce', signedHeader(token, holder, { ...request, port }, `${Date.now() - 10 * 60_000}:1`)],
      ['signed for another path', signedHeader(token, holder, { ...request, path: '/api/other', port })],
      ['bearer token as holder-of-key', signedHeader(sign(assertionXml({ notBefore: t.clock.now() - 1000, notOnOrAfter: t.clock.now() + HOUR }), issuer), holder, { ...request, port })],
      ['holder-of-key token as bearer', signHeader(token)],
    ];
    for (const [name, authorization] of cases) {
      const response = await create(authorization);
      expect(response.status, name).toBe(401);
      expect(response.text, name).toBe(generic);
    }
  });
});

describe('Session.create with a holder-of-key token over JSON-RPC', () => {
  function hokCall(token: string, key: string, tamper?: (body: Record<string, unknown>) => void) {
    const created = new Date(t.clock.now()).toISOString();
    const expires = new Date(t.clock.now() + 20 * 60_000).toISOString();
    const body = {
      jsonrpc: '2.0',
      method: 'invoke',
      params: {
        serviceId: 'com.vmware.cis.session',
        operationId: 'create',
        input: { STRUCTURE: { 'operation-input': {} } },
        ctx: { appCtx: { opId: 'ü/ok' }, securityCtx: { schemeId: 'com.vmware.vapi.std.security.saml_hok_token', timestamp: { expires, created }, signatureAlgorithm: 'RS256' } },
      },
      id: '0',
    };
    const value = createSign('sha256').update(canonicalRequest(body)).sign(key, 'base64');
    (body.params.ctx.securityCtx as Record<string, unknown>).signature = { samlToken: token, value };
    tamper?.(body);
    return http(`${t.url}/api`, { method: 'POST', body });
  }
  const outcome = async (response: Promise<{ json: unknown }>) => {
    const { result } = (await response).json as { result: { output?: { SECRET: string }; error?: { ERROR: Record<string, unknown> } } };
    return result.output ? 'session' : Object.keys(result.error!.ERROR)[0];
  };

  it('accepts a request signed by the holder over its canonical form', async () => {
    expect(await outcome(hokCall(hokToken(), holder.key))).toBe('session');
  });

  it('refuses another key, a tampered request, and a replay', async () => {
    const unauthenticated = 'com.vmware.vapi.std.errors.unauthenticated';
    expect(await outcome(hokCall(hokToken(), thief.key))).toBe(unauthenticated);
    expect(await outcome(hokCall(hokToken(), holder.key, (body) => ((body.params as { operationId: string }).operationId = 'get')))).toBe(unauthenticated);
    const token = hokToken();
    const body = { jsonrpc: '2.0', method: 'invoke', params: { serviceId: 'com.vmware.cis.session', operationId: 'create', input: { STRUCTURE: { 'operation-input': {} } }, ctx: { appCtx: {}, securityCtx: { schemeId: 'com.vmware.vapi.std.security.saml_hok_token', timestamp: { expires: new Date(t.clock.now() + 60_000).toISOString(), created: new Date(t.clock.now()).toISOString() }, signatureAlgorithm: 'RS256' } } }, id: '1' };
    const value = createSign('sha256').update(canonicalRequest(body)).sign(holder.key, 'base64');
    (body.params.ctx.securityCtx as Record<string, unknown>).signature = { samlToken: token, value };
    expect(await outcome(http(`${t.url}/api`, { method: 'POST', body }))).toBe('session');
    expect(await outcome(http(`${t.url}/api`, { method: 'POST', body }))).toBe(unauthenticated);
  });
});
