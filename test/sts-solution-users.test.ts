import selfsigned from 'selfsigned';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { ephemeralStsKeys, type StsKeyFile } from '../src/sso/sts-keys.js';
import { http } from './helpers/http.js';
import { assertionXml, derOf, sign, testIssuer, type Issuer } from './helpers/saml.js';
import { samlSession } from './helpers/sso-client.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';
import { envelope, requestSecurityToken, signedEnvelope, tokenSignedEnvelope } from './helpers/ws-security.js';

const HOUR = 3_600_000;
const ADMIN_NAME = 'administrator@vsphere.local';
let keys: StsKeyFile;
/** The solution user's key pair, registered as vpxd@vsphere.local. */
let vpxd: Issuer;
/** A user's own key pair, for holder-of-key tokens of a password user. */
let holder: Issuer;
/** A key pair nobody registered. */
let stranger: Issuer;
let t: TestServer;

beforeAll(async () => {
  [keys, vpxd, holder, stranger] = await Promise.all([ephemeralStsKeys(), testIssuer('vpxd'), testIssuer('holder'), testIssuer('stranger')]);
});
afterEach(async () => t.close());

async function start(trustedCertificates: string[] = []): Promise<void> {
  t = await startTestServer(new MemoryStore(), { sts: { keys, policy: { maxLifetimeMs: 2 * HOUR, maxRenewals: 2 } }, saml: { trustedCertificates } });
  // The requests' Timestamps and the server agree on the time; tests move both together.
  t.clock.set(Date.now());
  expect(await t.server.identity.addSolutionUser('vpxd', derOf(vpxd.cert))).toBe(true);
}

const sts = (body: string) => http(`${t.url}/sts/STSService/vsphere.local`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body });
const assertionOf = (text: string) => text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];

/** Issue signed by `signer`'s key with `certificate` (its own unless told) in the header, no password. */
function byCertificate(signer: Issuer, options: { certificate?: string; actAs?: string; delegatable?: boolean; keyType?: 'Bearer' | 'PublicKey'; lifetimeMs?: number } = {}): string {
  const now = t.clock.now();
  const rst = requestSecurityToken({
    keyType: options.keyType ?? 'PublicKey',
    expires: now + (options.lifetimeMs ?? 600_000),
    delegatable: options.delegatable ?? true,
    ...(options.actAs === undefined ? {} : { actAs: options.actAs }),
  });
  return signedEnvelope(rst, { cert: options.certificate ?? signer.cert, key: signer.key }, { now });
}

/** A token of the administrator from the STS with the password: bearer, or holder-of-key for `holder`. */
async function userToken(options: { delegatable?: boolean; holderOfKey?: boolean; lifetimeMs?: number } = {}): Promise<string> {
  const now = t.clock.now();
  const rst = requestSecurityToken({ expires: now + (options.lifetimeMs ?? 600_000), delegatable: options.delegatable ?? true, ...(options.holderOfKey ? { keyType: 'PublicKey' } : {}) });
  const body = options.holderOfKey ? signedEnvelope(rst, holder, { user: ADMIN_NAME, password: ADMIN_PASSWORD, now }) : envelope(rst, { user: ADMIN_NAME, password: ADMIN_PASSWORD, now });
  const response = await sts(body);
  expect(response.status).toBe(200);
  return assertionOf(response.text);
}

async function issued(body: string): Promise<string> {
  const response = await sts(body);
  expect(response.status, response.text).toBe(200);
  return assertionOf(response.text);
}

async function refused(body: string): Promise<void> {
  const response = await sts(body);
  expect(response.status).toBe(500);
  expect(response.text).toContain('wst:FailedAuthentication');
  expect(response.text).not.toContain('saml2:Assertion');
}

/** The user of the session a holder-of-key token opens (signed by `signer`). */
async function sessionUser(token: string, signer: Issuer): Promise<string> {
  const created = await samlSession(t.url, token, { holder: signer });
  expect(created.status, created.text).toBe(201);
  const session = await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': created.json as string } });
  return (session.json as { user: string }).user;
}

describe('STS Issue by a solution user\'s certificate', () => {
  it('issues a holder-of-key token bound to the certificate, naming the solution user, which opens a session as it', async () => {
    await start();
    const token = await issued(byCertificate(vpxd));
    expect(token).toContain('>vpxd@vsphere.local</saml2:NameID>');
    expect(token).toContain('urn:oasis:names:tc:SAML:2.0:cm:holder-of-key');
    expect(token).toContain(`<ds:X509Certificate>${derOf(vpxd.cert)}</ds:X509Certificate>`);
    expect(token).toMatch(/isSolution"[^>]*><saml2:AttributeValue[^>]*>true</);
    expect(await sessionUser(token, vpxd)).toBe('vpxd@VSPHERE.LOCAL');
  });

  it('unregistered certificate: a request signed by a certificate no solution user holds gets FailedAuthentication', async () => {
    await start();
    await refused(byCertificate(stranger));
  });

  it('counts certificate logins in the authentication metrics, by result', async () => {
    await start();
    await issued(byCertificate(vpxd));
    await refused(byCertificate(stranger));
    const metric = await t.server.metrics.registry.getSingleMetricAsString('vapi_auth_authentications_total');
    expect(metric).toContain('vapi_auth_authentications_total{scheme="sts_certificate",result="success"} 1');
    expect(metric).toContain('vapi_auth_authentications_total{scheme="sts_certificate",result="bad_credentials"} 1');
  });

  it('signature by another key: a registered certificate in the header with a signature by another key is refused', async () => {
    await start();
    await refused(byCertificate(stranger, { certificate: vpxd.cert }));
  });

  it('wrapped references: a Body outside the signature, with the signed one hidden in the header, is refused', async () => {
    await start();
    const signed = byCertificate(vpxd);
    const signedBody = signed.match(/<soap:Body[\s\S]*<\/soap:Body>/)![0];
    const other = requestSecurityToken({ keyType: 'PublicKey', expires: t.clock.now() + 2 * HOUR, delegatable: true });
    const wrapped = signed
      .replace(signedBody, `<soap:Body xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" wsu:Id="_evil">${other}</soap:Body>`)
      .replace('</wsse:Security>', `<Wrapper>${signedBody}</Wrapper></wsse:Security>`);
    await refused(wrapped);
  });

  it('replay: the same signed request is answered once, on every node of the store', async () => {
    await start();
    const second = await startTestServer(t.server.store, { clock: t.clock, sts: { keys, policy: { maxLifetimeMs: 2 * HOUR } }, saml: { trustedCertificates: [] } });
    try {
      const request = byCertificate(vpxd);
      await issued(request);
      await refused(request);
      const response = await http(`${second.url}/sts/STSService/vsphere.local`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: request });
      expect(response.text).toContain('wst:FailedAuthentication');
    } finally {
      await second.close();
    }
  });

  it('expired certificate, not yet valid certificate: refused even though registered and correctly signed', async () => {
    await start();
    const now = Date.now();
    for (const [notBeforeDate, notAfterDate] of [
      [new Date(now - 10 * 24 * HOUR), new Date(now - 24 * HOUR)],
      [new Date(now + 24 * HOUR), new Date(now + 10 * 24 * HOUR)],
    ] as const) {
      const pems = await selfsigned.generate([{ name: 'commonName', value: 'dated' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256', notBeforeDate, notAfterDate });
      const dated = { cert: pems.cert, key: pems.private };
      const name = `dated-${notBeforeDate.getTime()}`;
      expect(await t.server.identity.addSolutionUser(name, derOf(dated.cert))).toBe(true);
      await refused(byCertificate(dated));
    }
  });

  it('a removed solution user: the STS refuses its certificate and its session ends at once', async () => {
    await start();
    const token = await issued(byCertificate(vpxd));
    const created = await samlSession(t.url, token, { holder: vpxd });
    expect(created.status).toBe(201);
    expect(await t.server.identity.remove('vpxd')).toBe(true);
    expect((await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': created.json as string } })).status).toBe(401);
    t.clock.advance(1);
    await refused(byCertificate(vpxd));
  });

  it('password guessing: a solution user has no password, so Basic with any password (even empty) gets 401', async () => {
    await start();
    for (const password of ['', 'x']) {
      const response = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`vpxd@vsphere.local:${password}`).toString('base64')}` } });
      expect(response.status).toBe(401);
    }
    await refused(envelope(requestSecurityToken({ expires: t.clock.now() + 600_000 }), { user: 'vpxd@vsphere.local', password: '', now: t.clock.now() }));
  });

  it('lockout as denial of service: password guesses with a solution user\'s name do not lock it out of the STS', async () => {
    await start();
    const basic = `Basic ${Buffer.from('vpxd@vsphere.local:guess').toString('base64')}`;
    for (let i = 0; i < 8; i++) expect((await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: basic } })).status).toBe(401);
    expect(await sessionUser(await issued(byCertificate(vpxd)), vpxd)).toBe('vpxd@VSPHERE.LOCAL');
  });
});

describe('STS Issue by token (token by token)', () => {
  const renewal = (token: string, signer: Issuer, options: { keyId?: string; delegatable?: boolean; lifetimeMs?: number } = {}) => {
    const now = t.clock.now();
    const rst = requestSecurityToken({ keyType: 'PublicKey', expires: now + (options.lifetimeMs ?? HOUR), delegatable: options.delegatable ?? true });
    return tokenSignedEnvelope(rst, token, signer, { now, ...(options.keyId ? { keyId: options.keyId } : {}) });
  };

  it('a holder-of-key token in the header and a signature by its key get a new token for the same subject and key, its lifetime capped by policy', async () => {
    await start();
    const token = await userToken({ holderOfKey: true });
    const fresh = await issued(renewal(token, holder, { lifetimeMs: 10 * HOUR }));
    expect(fresh).not.toBe(token);
    expect(fresh).toContain(`>${ADMIN_NAME}</saml2:NameID>`);
    expect(fresh).toContain(`<ds:X509Certificate>${derOf(holder.cert)}</ds:X509Certificate>`);
    expect(fresh).toContain(`NotOnOrAfter="${new Date(t.clock.now() + 2 * HOUR).toISOString()}"`);
    expect(await sessionUser(fresh, holder)).toBe('administrator@VSPHERE.LOCAL');
  });

  it('also for a solution user\'s own token', async () => {
    await start();
    const token = await issued(byCertificate(vpxd));
    t.clock.advance(1);
    expect(await issued(renewal(token, vpxd))).toContain('>vpxd@vsphere.local</saml2:NameID>');
  });

  it('stolen token: a signature by another key than the token\'s is refused', async () => {
    await start();
    await refused(renewal(await userToken({ holderOfKey: true }), stranger));
  });

  it('a bearer token cannot sign: refused even with a valid signature', async () => {
    await start();
    await refused(renewal(await userToken(), holder));
  });

  it('key confusion: a KeyInfo that names another token id than the header\'s is refused', async () => {
    await start();
    await refused(renewal(await userToken({ holderOfKey: true }), holder, { keyId: '_another' }));
  });

  it('an expired token is refused, and a token of an untrusted issuer', async () => {
    await start();
    const short = await userToken({ holderOfKey: true, lifetimeMs: 60_000 });
    t.clock.advance(5 * 60_000);
    await refused(renewal(short, holder));
    const rogue = await testIssuer('rogue');
    const now = t.clock.now();
    const forged = sign(assertionXml({ subject: ADMIN_NAME, notBefore: now, notOnOrAfter: now + HOUR, method: 'holder-of-key', holderCertificate: derOf(holder.cert) }), rogue);
    await refused(renewal(forged, holder));
  });

  it('escalation: the new token is no more delegable than the one presented', async () => {
    await start();
    const fresh = await issued(renewal(await userToken({ holderOfKey: true, delegatable: false }), holder, { delegatable: true }));
    expect(fresh).toContain('<saml2:ProxyRestriction Count="0"/>');
  });
});

describe('STS Issue acting for a user (ActAs)', () => {
  it('a solution user with the user\'s delegatable token gets a token for the user that records the delegation; its session is the user\'s', async () => {
    await start();
    const token = await issued(byCertificate(vpxd, { actAs: await userToken() }));
    expect(token).toContain(`>${ADMIN_NAME}</saml2:NameID>`);
    expect(token).toMatch(/xsi:type="del:DelegationRestrictionType"><del:Delegate DelegationInstant="[^"]+"><saml2:NameID [^>]*>vpxd@vsphere.local<\/saml2:NameID>/);
    expect(token).toContain(`<ds:X509Certificate>${derOf(vpxd.cert)}</ds:X509Certificate>`);
    expect(await sessionUser(token, vpxd)).toBe('administrator@VSPHERE.LOCAL');
  });

  it('a non-delegatable token in ActAs is refused', async () => {
    await start();
    await refused(byCertificate(vpxd, { actAs: await userToken({ delegatable: false }) }));
  });

  it('an expired token in ActAs is refused', async () => {
    await start();
    const short = await userToken({ lifetimeMs: 60_000 });
    t.clock.advance(5 * 60_000);
    await refused(byCertificate(vpxd, { actAs: short }));
  });

  it('a forged token in ActAs: another issuer\'s, or the STS\'s own with its subject changed, is refused', async () => {
    await start();
    const rogue = await testIssuer('rogue');
    const now = t.clock.now();
    await refused(byCertificate(vpxd, { actAs: sign(assertionXml({ subject: ADMIN_NAME, notBefore: now, notOnOrAfter: now + HOUR }), rogue) }));
    t.clock.advance(1);
    const tampered = (await userToken()).replace(`>${ADMIN_NAME}<`, '>reader@vsphere.local<');
    await refused(byCertificate(vpxd, { actAs: tampered }));
  });

  it('a user is no solution user: a password request with a key of its own cannot act for another', async () => {
    await start();
    const actAs = await userToken();
    const now = t.clock.now();
    const rst = requestSecurityToken({ keyType: 'PublicKey', expires: now + 600_000, actAs });
    await refused(signedEnvelope(rst, holder, { user: 'reader@vsphere.local', password: 'Read0nly', now }));
  });

  it('the token of a user removed since is refused in ActAs', async () => {
    await start();
    const now = t.clock.now();
    const rst = requestSecurityToken({ expires: now + 600_000, delegatable: true });
    const readerToken = assertionOf((await sts(envelope(rst, { user: 'reader@vsphere.local', password: 'Read0nly', now }))).text);
    expect(await t.server.identity.remove('reader@vsphere.local')).toBe(true);
    await refused(byCertificate(vpxd, { actAs: readerToken }));
  });
});
