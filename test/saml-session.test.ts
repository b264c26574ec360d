import { beforeAll, afterEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { assertionXml, sign, signHeader, testIssuer, type Issuer } from './helpers/saml.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import type { SamlBearerPolicy } from '../src/auth/saml-bearer.js';

const HOUR = 3_600_000;
let issuer: Issuer;
let stranger: Issuer;
let t: TestServer;

beforeAll(async () => {
  [issuer, stranger] = await Promise.all([testIssuer('sts'), testIssuer('stranger')]);
});
afterEach(async () => t.close());

async function start(saml: Partial<SamlBearerPolicy> = {}) {
  t = await startTestServer(new MemoryStore(), { saml: { trustedCertificates: [issuer.cert], audience: 'vapi-auth', ...saml } });
}

function token(extra: Partial<Parameters<typeof assertionXml>[0]> = {}, by: Issuer = issuer): string {
  return sign(assertionXml({ notBefore: t.clock.now() - 60_000, notOnOrAfter: t.clock.now() + HOUR, audience: 'vapi-auth', ...extra }), by);
}

const createOnApi = (authorization: string) => http(`${t.url}/api/session`, { method: 'POST', headers: { authorization } });

describe('Session.create with a SAML bearer token', () => {
  it('works on /api and /rest with SIGN, and on JSON-RPC with the SAML security context', async () => {
    await start();
    const api = await createOnApi(signHeader(token()));
    expect(api.status).toBe(201);
    const info = await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': api.json as string } });
    expect((info.json as { user: string }).user).toBe('administrator@VSPHERE.LOCAL');
    const rest = await http(`${t.url}/rest/com/vmware/cis/session`, { method: 'POST', headers: { authorization: signHeader(token()) } });
    expect(rest.status).toBe(200);
    for (const securityCtx of [
      { schemeId: 'com.vmware.vapi.std.security.saml_bearer_token', samlToken: token() },
      { schemeId: 'com.vmware.vapi.std.security.bearer_token', token: token() },
    ]) {
      const rpc = await http(`${t.url}/api`, {
        method: 'POST',
        body: { jsonrpc: '2.0', method: 'invoke', id: '1', params: { serviceId: 'com.vmware.cis.session', operationId: 'create', input: { STRUCTURE: { 'operation-input': {} } }, ctx: { appCtx: {}, securityCtx } } },
      });
      expect((rpc.json as { result: { output: { SECRET: string } } }).result.output.SECRET).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('accepts the token without gzip too, and ends the session no later than the token', async () => {
    await start();
    const notOnOrAfter = t.clock.now() + 20 * 60_000;
    const plain = `SIGN token="${Buffer.from(token({ notOnOrAfter })).toString('base64')}"`;
    const created = await createOnApi(plain);
    expect(created.status).toBe(201);
    const headers = { 'vmware-api-session-id': created.json as string };
    t.clock.set(notOnOrAfter - 1);
    expect((await http(`${t.url}/api/session`, { headers })).status).toBe(200);
    t.clock.set(notOnOrAfter);
    expect((await http(`${t.url}/api/session`, { headers })).status).toBe(401);
  });

  it('names SIGN in the challenge, and the metadata lists the scheme for create', async () => {
    await start({ stsUrl: 'https://sts.test/sts/STSService/vsphere.local' });
    const refused = await http(`${t.url}/api/session`, { method: 'POST' });
    expect(refused.headers['www-authenticate']).toBe('Basic realm="VAPI endpoint",SIGN realm="vapi-auth",service="VAPI endpoint",sts="https://sts.test/sts/STSService/vsphere.local"');
    const session = (await http(`${t.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Adm1n:pass word') })).json as string;
    const create = await http(`${t.url}/api/vapi/metadata/authentication/service/com.vmware.cis.session/operation/create`, { headers: { 'vmware-api-session-id': session } });
    expect((create.json as { schemes: { scheme: string }[] }).schemes.map((s) => s.scheme)).toContain('com.vmware.vapi.std.security.saml_bearer_token');
  });
});

describe('SAML tokens refused, each with the one generic 401', () => {
  it('untrusted issuer, holder-of-key presented as bearer, not delegable, unknown subject, expired, other audience, tampered, zip bomb', async () => {
    await start();
    const generic = (await createOnApi('Basic ' + Buffer.from('nobody:nothing').toString('base64'))).text;
    const tampered = token({ subject: 'reader@vsphere.local' }).replace('reader@vsphere.local', 'administrator@vsphere.local');
    const bomb = `SIGN token="${gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x41)).toString('base64')}"`;
    const cases: [string, string][] = [
      ['untrusted issuer', signHeader(token({}, stranger))],
      ['holder-of-key as bearer', signHeader(token({ method: 'holder-of-key' }))],
      ['not delegable', signHeader(token({ proxyCount: 0 }))],
      ['unknown subject', signHeader(token({ subject: 'ghost@vsphere.local' }))],
      ['foreign domain', signHeader(token({ subject: 'administrator@corp.example' }))],
      ['expired', signHeader(token({ notBefore: t.clock.now() - 2 * HOUR, notOnOrAfter: t.clock.now() - HOUR }))],
      ['other audience', signHeader(token({ audience: 'elsewhere' }))],
      ['tampered', signHeader(tampered)],
      ['holder-of-key signature form', `${signHeader(token())}, signature_alg="RSA-SHA256", signature="AAAA", nonce="1:2", bodyhash="AAAA"`],
      ['zip bomb', bomb],
      ['garbage', 'SIGN token="%%%"'],
    ];
    for (const [name, authorization] of cases) {
      const response = await createOnApi(authorization);
      expect(response.status, name).toBe(401);
      expect(response.text, name).toBe(generic);
    }
  });

  it('refuses every bearer token when bearer tokens are switched off', async () => {
    await start({ allowBearer: false });
    expect((await createOnApi(signHeader(token()))).status).toBe(401);
  });
});
