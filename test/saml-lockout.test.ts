import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { accessToken, callWithBearer } from './helpers/omivv.js';
import { assertionXml, derOf, jsonRpcSamlCreate, sign, signedHeader, signHeader, testIssuer, type Issuer } from './helpers/saml.js';
import { ADMIN, ADMIN_PASSWORD, NO_CLIENT_LIMITS, startTestServer, type TestServer } from './helpers/test-server.js';

const HOUR = 3_600_000;
let issuer: Issuer;
let holder: Issuer;
let t: TestServer;

beforeAll(async () => {
  [issuer, holder] = await Promise.all([testIssuer('sts'), testIssuer('holder')]);
});
beforeEach(async () => {
  t = await startTestServer(new MemoryStore(), { saml: { trustedCertificates: [issuer.cert] }, jwt: { limits: NO_CLIENT_LIMITS } });
  // Holder-of-key signatures carry real timestamps; the server's clock reads the same time.
  t.clock.set(Date.now());
});
afterEach(async () => t.close());

const create = (headers: Record<string, string>) => http(`${t.url}/api/session`, { method: 'POST', headers });
const bearerToken = () => sign(assertionXml({ notBefore: t.clock.now() - 60_000, notOnOrAfter: t.clock.now() + HOUR }), issuer);
const hokHeader = () =>
  signedHeader(
    sign(assertionXml({ notBefore: t.clock.now() - 60_000, notOnOrAfter: t.clock.now() + HOUR, method: 'holder-of-key', holderCertificate: derOf(holder.cert) }), issuer),
    holder,
    { method: 'POST', path: '/api/session', host: '127.0.0.1', port: new URL(t.url).port },
  );

/** Six wrong passwords (the default lockout) lock the administrator for a minute. */
async function lockAdministrator(): Promise<void> {
  for (let i = 0; i < 6; i++) expect((await create(basic(ADMIN, 'wrong'))).status).toBe(401);
}

describe('account lockout: a lock refuses every way in, SAML tokens too', () => {
  it('a SAML bearer token and a holder-of-key token create no session while the account is locked, like the right password and a JWT', async () => {
    const jwt = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    // Both kinds of token work before the lock: the refusals below are the lock's.
    expect((await create({ authorization: signHeader(bearerToken()) })).status).toBe(201);
    expect((await create({ authorization: hokHeader() })).status).toBe(201);
    await lockAdministrator();
    const generic = (await create(basic(ADMIN, ADMIN_PASSWORD))).text;
    expect((await create(basic(ADMIN, ADMIN_PASSWORD))).status).toBe(401);
    expect((await callWithBearer(t.url, jwt)).status).toBe(401);
    const bearer = await create({ authorization: signHeader(bearerToken()) });
    expect(bearer.status).toBe(401);
    expect(bearer.text).toBe(generic);
    expect((await create({ authorization: hokHeader() })).status).toBe(401);
    const jsonRpc = await http(`${t.url}/api`, { method: 'POST', body: jsonRpcSamlCreate(bearerToken()) });
    expect(jsonRpc.text).toContain('com.vmware.vapi.std.errors.unauthenticated');
  });

  it('a SAML bearer token creates a session again once the lock has ended', async () => {
    await lockAdministrator();
    expect((await create({ authorization: signHeader(bearerToken()) })).status).toBe(401);
    t.clock.advance(60_000);
    expect((await create({ authorization: signHeader(bearerToken()) })).status).toBe(201);
  });
});
