import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { ephemeralStsKeys, type StsKeyFile } from '../src/sso/sts-keys.js';
import { http } from './helpers/http.js';
import { derOf, signedHeader, signHeader, testIssuer } from './helpers/saml.js';
import { envelope, requestSecurityToken, signedEnvelope, WST, type RequestOptions } from './helpers/ws-security.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

let keys: StsKeyFile;
let t: TestServer;

beforeAll(async () => {
  keys = await ephemeralStsKeys();
});
beforeEach(async () => {
  t = await startTestServer(new MemoryStore(), { sts: { keys, policy: { maxLifetimeMs: 2 * 3_600_000 } } });
});
afterEach(async () => t.close());

/** An unsigned Issue request with a UsernameToken, as a bearer-token client sends it. */
function issueRequest(user: string, password: string, options: RequestOptions = {}): string {
  const now = t.clock.now();
  return envelope(requestSecurityToken({ expires: now + 600_000, ...options }), { user, password, now });
}
const post = (path: string, body: string, contentType = 'text/xml; charset=utf-8') => http(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
const issue = (body: string) => post('/sts/STSService/vsphere.local', body);
const assertionOf = (text: string) => text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];

describe('the STS', () => {
  it('issues a bearer SAML token for a user name and password, which opens a session until the token ends', async () => {
    const response = await issue(issueRequest('administrator@vsphere.local', ADMIN_PASSWORD));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/xml/);
    expect(response.text).toContain(`<wsu:Expires>${new Date(t.clock.now() + 600_000).toISOString()}</wsu:Expires>`);
    const created = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signHeader(assertionOf(response.text)) } });
    expect(created.status).toBe(201);
    t.clock.advance(600_000);
    expect((await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': created.json as string } })).status).toBe(401);
  });

  it('caps the lifetime at its maximum, and marks a token not delegable when delegation was not asked for', async () => {
    const long = await issue(issueRequest('administrator', ADMIN_PASSWORD, { expires: t.clock.now() + 10 * 3_600_000, delegatable: false }));
    expect(long.text).toContain(`<wsu:Expires>${new Date(t.clock.now() + 2 * 3_600_000).toISOString()}</wsu:Expires>`);
    expect(assertionOf(long.text)).toContain('<saml2:ProxyRestriction Count="0"/>');
    expect(long.text).toContain('<wst:Renewing Allow="false" OK="false"/>');
    expect(assertionOf(long.text)).not.toContain('RenewRestrictionType');
    const refused = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signHeader(assertionOf(long.text)) } });
    expect(refused.status).toBe(401);
  });

  it('answers one identical fault for a wrong password and an unknown user, and counts them toward the lockout', async () => {
    const wrong = await issue(issueRequest('administrator', 'nope'));
    const unknown = await issue(issueRequest('ghost', 'nope'));
    expect(wrong.status).toBe(500);
    expect(wrong.text).toContain('<faultcode');
    expect(unknown.text).toBe(wrong.text);
    for (let i = 0; i < 5; i++) await issue(issueRequest('administrator', 'nope')); // the 6th failure for this account
    expect((await issue(issueRequest('administrator', ADMIN_PASSWORD))).text).toBe(wrong.text);
  });

  it('issues a holder-of-key token bound to the certificate whose key signed the request', async () => {
    const holder = await testIssuer('holder');
    t.clock.set(Date.now());
    const now = t.clock.now();
    const rst = requestSecurityToken({ keyType: 'PublicKey', expires: now + 600_000 });
    const response = await issue(signedEnvelope(rst, holder, { user: 'administrator', password: ADMIN_PASSWORD, now }));
    expect(response.status).toBe(200);
    const assertion = assertionOf(response.text);
    expect(assertion).toContain('Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"');
    expect(assertion).toContain(`<ds:X509Certificate>${derOf(holder.cert)}</ds:X509Certificate>`);
    expect(response.text).toContain(`<wst:KeyType>${WST}/PublicKey</wst:KeyType>`);
    const port = new URL(t.url).port;
    const session = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signedHeader(assertion, holder, { method: 'POST', path: '/api/session', host: '127.0.0.1', port }) } });
    expect(session.status).toBe(201);
  });

  it('refuses a holder-of-key request that is unsigned, or signed by another key than its certificate\'s (no proof of possession)', async () => {
    const holder = await testIssuer('holder');
    const other = await testIssuer('other');
    t.clock.set(Date.now());
    const now = t.clock.now();
    const rst = requestSecurityToken({ keyType: 'PublicKey', expires: now + 600_000 });
    const unsigned = await issue(envelope(rst, { user: 'administrator', password: ADMIN_PASSWORD, certificate: derOf(holder.cert), now }));
    expect(unsigned.text).toContain('wst:InvalidRequest');
    const swapped = signedEnvelope(rst, other, { user: 'administrator', password: ADMIN_PASSWORD, now }).replace(derOf(other.cert), derOf(holder.cert));
    const refused = await issue(swapped);
    expect(refused.text).toContain('wst:FailedAuthentication');
    expect(refused.text).not.toContain('Assertion');
  });

  it('answers Validate with valid for a live token of a trusted issuer, and invalid otherwise', async () => {
    const token = assertionOf((await issue(issueRequest('administrator', ADMIN_PASSWORD))).text);
    const validate = (target: string) =>
      issue(
        `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><wst:RequestSecurityToken xmlns:wst="${WST}"><wst:TokenType>${WST}/RSTR/Status</wst:TokenType><wst:RequestType>${WST}/Validate</wst:RequestType><wst:ValidateTarget>${target}</wst:ValidateTarget></wst:RequestSecurityToken></soapenv:Body></soapenv:Envelope>`,
      );
    expect((await validate(token)).text).toContain(`<wst:Code>${WST}/status/valid</wst:Code>`);
    expect((await validate(token.replace('administrator@vsphere.local', 'reader@vsphere.local'))).text).toContain(`${WST}/status/invalid`);
    t.clock.advance(3_600_000);
    expect((await validate(token)).text).toContain(`${WST}/status/invalid`);
    expect((await validate('')).text).toContain('wst:InvalidRequest');
  });

  it('refuses an unknown request type, a DTD, and anything but XML', async () => {
    expect((await issue(issueRequest('administrator', ADMIN_PASSWORD).replace(`${WST}/Issue`, `${WST}/Cancel`))).text).toContain('wst:InvalidRequest');
    const dtd = await issue(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${issueRequest('administrator', ADMIN_PASSWORD)}`);
    expect(dtd.status).toBe(500);
    expect(dtd.text).not.toContain('root:');
    expect((await post('/sts/STSService/vsphere.local', '{}', 'application/json')).status).toBe(415);
  });
});

describe('the lookup service', () => {
  const envelope = (body: string) => `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

  it('answers RetrieveServiceContent, and List with and without a filter', async () => {
    const content = await post('/lookupservice/sdk', envelope('<RetrieveServiceContent xmlns="urn:lookup"><_this type="LookupServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'));
    expect(content.text).toContain('<serviceRegistration type="LookupServiceRegistration">ServiceRegistration</serviceRegistration>');
    const all = await post('/lookupservice/sdk', envelope('<List xmlns="urn:lookup"><_this type="LookupServiceRegistration">ServiceRegistration</_this></List>'));
    expect(all.text.match(/<returnval>/g)).toHaveLength(2);
    const sts = await post(
      '/lookupservice/sdk',
      envelope('<List xmlns="urn:lookup"><_this type="LookupServiceRegistration">ServiceRegistration</_this><filterCriteria><serviceType><product>com.vmware.cis</product><type>cs.identity</type></serviceType><endpointType><protocol>wsTrust</protocol></endpointType></filterCriteria></List>'),
    );
    expect(sts.text.match(/<returnval>/g)).toHaveLength(1);
    expect(sts.text).toContain(`<url>${t.url}/sts/STSService/vsphere.local</url>`);
    const none = await post('/lookupservice/sdk', envelope('<List xmlns="urn:lookup"><filterCriteria><serviceType><product>com.example</product></serviceType></filterCriteria></List>'));
    expect(none.text).not.toContain('<returnval>');
  });
});
