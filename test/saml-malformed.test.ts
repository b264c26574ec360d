import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import { http } from './helpers/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';
import { jsonRpcSamlCreate, signedHeader, signHeader, testIssuer, type Issuer } from './helpers/saml.js';
import { envelope, requestSecurityToken, signedEnvelope } from './helpers/ws-security.js';

let t: TestServer;
let holder: Issuer;
let valid: { issue: string; renew: string; bearer: string; holderOfKey: string };

beforeAll(async () => {
  holder = await testIssuer('holder');
  t = await startTestServer(new MemoryStore(), { sts: { keys: await ephemeralStsKeys() } });
  t.clock.set(Date.now());
  const now = t.clock.now();
  const issue = signedEnvelope(requestSecurityToken({ keyType: 'PublicKey', expires: now + 600_000, renewable: true }), holder, { user: 'administrator', password: ADMIN_PASSWORD, now });
  const issued = await sts(issue);
  expect(issued.status).toBe(200);
  const token = issued.text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];
  const bearerResponse = await sts(envelope(requestSecurityToken({ expires: now + 600_000 }), { user: 'administrator', password: ADMIN_PASSWORD, now }));
  const bearer = bearerResponse.text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];
  valid = { holderOfKey: token, issue, renew: signedEnvelope(requestSecurityToken({ requestType: 'Renew', renewTarget: token, expires: now + 600_000 }), holder, { now }), bearer };
});
afterAll(async () => t.close());

function sts(body: string) {
  return http(`${t.url}/sts/STSService/vsphere.local`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body });
}

const XML_DAMAGE = ['<', '>', '&', '"', '/', 'x', ' ', '\u0000', '\u00e9'];
/** Characters an HTTP client can put in a header at all. */
const HEADER_DAMAGE = ['<', '>', '&', '"', '/', 'x', ' ', ',', '='];

/** A text cut, with a character dropped, or with one put in, somewhere. */
const damaged = (text: string, insertable = XML_DAMAGE) =>
  fc.oneof(
    fc.nat(text.length - 1).map((at) => text.slice(0, at)),
    fc.nat(text.length - 1).map((at) => text.slice(0, at) + text.slice(at + 1)),
    fc.tuple(fc.nat(text.length - 1), fc.constantFrom(...insertable)).map(([at, c]) => text.slice(0, at) + c + text.slice(at)),
  );

describe('damaged SAML input', () => {
  it('answers every damaged Issue or Renew request with a client fault, never a server error, and issues nothing unsigned', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('issue', 'renew').chain((kind) => damaged(valid[kind as 'issue' | 'renew'])),
        async (request) => {
          const response = await sts(request);
          expect(response.text).not.toContain('S:Server');
          if (response.status === 200) expect(response.text).toContain('<saml2:Assertion');
          else expect(response.text).toContain('<faultcode');
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('Session.create under damaged SAML tokens', () => {
  it('answers every damaged bearer token with 401 (or a session when the damage is harmless), never a server error', async () => {
    await fc.assert(
      fc.asyncProperty(damaged(valid.bearer), async (token) => {
        const response = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signHeader(token) } });
        expect([201, 401]).toContain(response.status);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('Session.create under damaged holder-of-key SIGN headers', () => {
  it('answers 400 or 401 to every damaged header (or a session when the damage is harmless), never a server error', async () => {
    const port = new URL(t.url).port;
    const header = (nonce: string) => signedHeader(valid.holderOfKey, holder, { method: 'POST', path: '/api/session', host: '127.0.0.1', port }, nonce);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constant(null).chain(() => damaged(header(`${t.clock.now()}:${n++}`), HEADER_DAMAGE)), async (authorization) => {
        const response = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization } });
        expect([201, 400, 401]).toContain(response.status);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('the lookup service under damaged requests', () => {
  it('answers every damaged List or Get with a client fault, never a server error', async () => {
    const list =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><List xmlns="urn:lookup"><_this type="LookupServiceRegistration">ServiceRegistration</_this><filterCriteria><serviceType><product>com.vmware.cis</product><type>cs.identity</type></serviceType><endpointType><protocol>wsTrust</protocol></endpointType></filterCriteria></List></soapenv:Body></soapenv:Envelope>';
    const get =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><Get xmlns="urn:lookup"><_this type="LookupServiceRegistration">ServiceRegistration</_this><serviceId>sts</serviceId></Get></soapenv:Body></soapenv:Envelope>';
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(list, get).chain(damaged), async (request) => {
        const response = await http(`${t.url}/lookupservice/sdk`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: request });
        expect(response.text).not.toContain('S:Server');
        expect([200, 500]).toContain(response.status);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('JSON-RPC under damaged SAML requests', () => {
  const create = (samlToken: string) => JSON.stringify(jsonRpcSamlCreate(samlToken));
  const post = (body: string) => http(`${t.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers every damaged token with a JSON-RPC result or UNAUTHENTICATED, never a server error', async () => {
    await fc.assert(
      fc.asyncProperty(damaged(valid.bearer), async (token) => {
        const response = await post(create(token));
        expect(response.status).toBe(200);
        const reply = response.json as { result?: unknown; error?: { data?: { name?: string } } };
        if (!reply.result) expect(JSON.stringify(reply)).toContain('com.vmware.vapi.std.errors.unauthenticated');
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('answers every damaged request text with a client error, never a server error', async () => {
    await fc.assert(
      fc.asyncProperty(damaged(create(valid.bearer)), async (body) => {
        expect((await post(body)).status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
