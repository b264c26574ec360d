import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { ephemeralStsKeys, type StsKeyFile } from '../src/sso/sts-keys.js';
import { http } from './helpers/http.js';
import { assertionXml, derOf, sign, signedHeader, testIssuer, type Issuer } from './helpers/saml.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';
import { envelope, requestSecurityToken, signedEnvelope, WST } from './helpers/ws-security.js';

const HOUR = 3_600_000;
let keys: StsKeyFile;
let holder: Issuer;
let other: Issuer;
let t: TestServer;

beforeAll(async () => {
  [keys, holder, other] = await Promise.all([ephemeralStsKeys(), testIssuer('holder'), testIssuer('other')]);
});
afterEach(async () => t.close());

async function start(saml: { trustedCertificates: string[]; audience?: string } | undefined = undefined): Promise<void> {
  t = await startTestServer(new MemoryStore(), { sts: { keys, policy: { maxLifetimeMs: 2 * HOUR, maxRenewals: 2 } }, ...(saml ? { saml } : {}) });
  // The requests' Timestamps and the server agree on the time; tests move both together.
  t.clock.set(Date.now());
}

const sts = (body: string) => http(`${t.url}/sts/STSService/vsphere.local`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body });
const assertionOf = (text: string) => text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];

/** A holder-of-key token of the server's STS for `holder`, renewable unless told otherwise. */
async function holderToken(renewable = true, lifetimeMs = 600_000): Promise<string> {
  const now = t.clock.now();
  const rst = requestSecurityToken({ keyType: 'PublicKey', expires: now + lifetimeMs, renewable });
  const response = await sts(signedEnvelope(rst, holder, { user: 'administrator', password: ADMIN_PASSWORD, now }));
  expect(response.status).toBe(200);
  return assertionOf(response.text);
}

function renewRequest(token: string, signer: Issuer, expires = t.clock.now() + HOUR): string {
  return signedEnvelope(requestSecurityToken({ requestType: 'Renew', renewTarget: token, expires }), signer, { now: t.clock.now() });
}

describe('STS Renew', () => {
  it('renews a renewable holder-of-key token for its holder: a new token for the requested lifetime, one renewal fewer, that opens a session', async () => {
    await start();
    const token = await holderToken();
    expect(token).toContain('Count="2" xsi:type="rsa:RenewRestrictionType"');
    const expires = t.clock.now() + HOUR;
    const response = await sts(renewRequest(token, holder, expires));
    expect(response.status).toBe(200);
    expect(response.text).toContain('<wst:RequestSecurityTokenResponse ');
    expect(response.text).not.toContain('RequestSecurityTokenResponseCollection');
    expect(response.text).toContain(`<wsu:Expires>${new Date(expires).toISOString()}</wsu:Expires>`);
    expect(response.text).toContain('<wst:Renewing Allow="true" OK="false"/>');
    const renewed = assertionOf(response.text);
    expect(renewed).not.toBe(token);
    expect(renewed).toContain('Count="1" xsi:type="rsa:RenewRestrictionType"');
    expect(renewed).toContain(`NotOnOrAfter="${new Date(expires).toISOString()}"`);
    expect(renewed).toContain(`<ds:X509Certificate>${derOf(holder.cert)}</ds:X509Certificate>`);
    const port = new URL(t.url).port;
    const session = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signedHeader(renewed, holder, { method: 'POST', path: '/api/session', host: '127.0.0.1', port }) } });
    expect(session.status).toBe(201);
  });

  it('caps the renewed lifetime at the maximum, and renews no more often than allowed', async () => {
    await start();
    const first = assertionOf((await sts(renewRequest(await holderToken(), holder, t.clock.now() + 10 * HOUR))).text);
    expect(first).toContain(`NotOnOrAfter="${new Date(t.clock.now() + 2 * HOUR).toISOString()}"`);
    const second = await sts(renewRequest(first, holder));
    expect(second.text).toContain('<wst:Renewing Allow="false" OK="false"/>');
    expect(assertionOf(second.text)).not.toContain('RenewRestrictionType');
    const third = await sts(renewRequest(assertionOf(second.text), holder));
    expect(third.status).toBe(500);
    expect(third.text).toContain('wst:UnableToRenew');
  });

  it('refuses a token not issued as renewable, an expired token, and a bearer token', async () => {
    await start();
    expect((await sts(renewRequest(await holderToken(false), holder))).text).toContain('wst:UnableToRenew');
    const short = await holderToken(true, 60_000);
    t.clock.advance(3 * 60_000);
    expect((await sts(renewRequest(short, holder))).text).toContain('wst:UnableToRenew');
    const now = t.clock.now();
    const bearer = assertionOf((await sts(envelope(requestSecurityToken({ expires: now + 600_000, renewable: true }), { user: 'administrator', password: ADMIN_PASSWORD, now }))).text);
    expect(bearer).toContain('RenewRestrictionType');
    expect((await sts(renewRequest(bearer, holder))).text).toContain('wst:UnableToRenew');
  });

  it('stolen token: refuses a renewal signed by another key than the holder\'s, or not signed at all', async () => {
    await start();
    const token = await holderToken();
    const foreign = await sts(renewRequest(token, other));
    expect(foreign.status).toBe(500);
    expect(foreign.text).toContain('wst:FailedAuthentication');
    expect(foreign.text).not.toContain('saml2:Assertion');
    const unsigned = envelope(requestSecurityToken({ requestType: 'Renew', renewTarget: token, expires: t.clock.now() + HOUR }), { certificate: derOf(holder.cert), now: t.clock.now() });
    expect((await sts(unsigned)).text).toContain('wst:FailedAuthentication');
  });

  it('tampering: refuses a request whose lifetime was stretched after signing, and a replay after its Timestamp expired', async () => {
    await start();
    const token = await holderToken();
    const expires = t.clock.now() + HOUR;
    const request = renewRequest(token, holder, expires);
    const stretched = request.replace(new Date(expires).toISOString(), new Date(expires + HOUR).toISOString());
    expect(stretched).not.toBe(request);
    expect((await sts(stretched)).text).toContain('wst:FailedAuthentication');
    t.clock.advance(3 * 60_000);
    expect((await sts(request)).text).toContain('wst:FailedAuthentication');
  });

  it('renews only its own tokens, not those of another trusted issuer', async () => {
    await start({ trustedCertificates: [other.cert] });
    const now = t.clock.now();
    const foreign = sign(assertionXml({ notBefore: now, notOnOrAfter: now + 600_000, method: 'holder-of-key', holderCertificate: derOf(holder.cert), renewCount: 5 }), other);
    const port = new URL(t.url).port;
    const accepted = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signedHeader(foreign, holder, { method: 'POST', path: '/api/session', host: '127.0.0.1', port }) } });
    expect(accepted.status).toBe(201);
    expect((await sts(renewRequest(foreign, holder))).text).toContain('wst:UnableToRenew');
  });

  it('writes the audience into renewed tokens when one is required, and renews such tokens', async () => {
    await start({ trustedCertificates: [], audience: 'https://vc.example/' });
    const token = await holderToken();
    expect(token).toContain('<saml2:Audience>https://vc.example/</saml2:Audience>');
    const renewed = await sts(renewRequest(token, holder));
    expect(renewed.status).toBe(200);
    expect(assertionOf(renewed.text)).toContain('<saml2:Audience>https://vc.example/</saml2:Audience>');
  });

  it('refuses to renew for an account that is locked or was removed', async () => {
    await start();
    const token = await holderToken();
    const now = t.clock.now();
    for (let i = 0; i < 6; i++) await sts(envelope(requestSecurityToken({ expires: now + 600_000 }), { user: 'administrator', password: 'wrong', now }));
    const locked = await sts(renewRequest(token, holder));
    expect(locked.text).toContain('wst:FailedAuthentication');
    t.clock.advance(61_000);
    const fresh = await holderToken();
    await t.server.identity.remove('administrator@vsphere.local');
    expect((await sts(renewRequest(fresh, holder))).text).toContain('wst:FailedAuthentication');
  });

  it(`answers a Renew request of the wrong shape with a fault: no RenewTarget`, async () => {
    await start();
    const request = signedEnvelope(requestSecurityToken({ requestType: 'Renew', renewTarget: '', expires: t.clock.now() + HOUR }), holder, { now: t.clock.now() });
    const response = await sts(request);
    expect(response.status).toBe(500);
    expect(response.text).toContain('wst:InvalidRequest');
    expect(response.text).toContain(WST);
  });
});
