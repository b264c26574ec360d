import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityError } from '../src/identity/identity-source.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { omivvLogin } from './helpers/omivv.js';
import { assertionXml, sign, signHeader, testIssuer, type Issuer } from './helpers/saml.js';
import { addUser, startTestServer, type TestServer } from './helpers/test-server.js';

const KELVIN_KATE = '\u212Aate';
const PASSWORD = 'Kate-pw-1';
let issuer: Issuer;
let t: TestServer;

beforeAll(async () => {
  issuer = await testIssuer('sts');
  t = await startTestServer(new MemoryStore(), { saml: { trustedCertificates: [issuer.cert] }, jwt: true });
  t.clock.set(Date.now());
  await addUser(t.server, 'kate@vsphere.local', PASSWORD, 'Administrator');
});
afterAll(async () => t.close());

describe('Unicode case mapping: a name that lower-cases into another account is not that account', () => {
  it('the right password under the Kelvin sign K does not log in as kate, on /api, /rest or the OMIVV login', async () => {
    expect((await http(`${t.url}/api/session`, { method: 'POST', headers: basic('kate', PASSWORD) })).status).toBe(201);
    expect((await http(`${t.url}/api/session`, { method: 'POST', headers: basic(KELVIN_KATE, PASSWORD) })).status).toBe(401);
    expect((await http(`${t.url}/rest/com/vmware/cis/session`, { method: 'POST', headers: basic(`${KELVIN_KATE}@vsphere.local`, PASSWORD) })).status).toBe(401);
    expect((await omivvLogin(t.url, KELVIN_KATE, PASSWORD)).status).toBe(401);
  });

  it('a SAML token of a trusted issuer naming the Kelvin sign K does not log in as kate', async () => {
    const now = t.clock.now();
    const token = (subject: string) => signHeader(sign(assertionXml({ notBefore: now - 1000, notOnOrAfter: now + 600_000, subject }), issuer));
    expect((await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: token('kate@vsphere.local') } })).status).toBe(201);
    expect((await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: token(`${KELVIN_KATE}@vsphere.local`) } })).status).toBe(401);
  });

  it('no account can be created under such a name', async () => {
    await expect(t.server.identity.add(`${KELVIN_KATE}@vsphere.local`, PASSWORD)).rejects.toThrow(IdentityError);
    await expect(t.server.identity.add('ｋａｔｅ@vsphere.local', PASSWORD)).rejects.toThrow(IdentityError);
  });
});
