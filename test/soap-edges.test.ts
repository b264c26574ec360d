import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { processSandbox, startServerProcess } from './helpers/cli-process.js';
import { http } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(new MemoryStore(), { sts: { keys: await ephemeralStsKeys() } });
});
afterAll(async () => t.close());

const SOAP_PATHS = ['/sts/STSService/vsphere.local', '/lookupservice/sdk'];

describe('the SOAP endpoints before their routes', () => {
  it.each(SOAP_PATHS)('%s: a body that is not XML gets 415 with a fault naming the media types SOAP takes', async (path) => {
    const response = await http(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(415);
    expect(response.text).toContain('<faultcode');
    expect(response.text).toContain('S:Client');
    expect(response.text).toContain('<faultstring>Request body must be text/xml (or application/soap+xml).</faultstring>');
  });

  it.each(SOAP_PATHS)('%s: a path that cannot be percent-decoded is a client fault with 400, not 500', async (path) => {
    const response = await http(`${t.url}${path}%ZZ`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('S:Client');
  });
});

const LIST = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><List xmlns="urn:lookup"><_this type="LookupServiceRegistration">ServiceRegistration</_this></List></soapenv:Body></soapenv:Envelope>';

/** The endpoint URLs the lookup service publishes, asked with this Host header. */
async function publishedUrls(baseUrl: string, host: string): Promise<string[]> {
  const response = await http(`${baseUrl}/lookupservice/sdk`, { method: 'POST', headers: { 'content-type': 'text/xml', host }, body: LIST });
  expect(response.status).toBe(200);
  return [...response.text.matchAll(/<url>([^<]*)<\/url>/g)].map((match) => match[1]!);
}

describe('Host header injection into the lookup service', () => {
  it('without --public-url, the endpoint URLs follow the Host header (documented: set --public-url)', async () => {
    expect(await publishedUrls(t.url, 'evil.example:444')).toEqual(['http://evil.example:444/sts/STSService/vsphere.local', 'http://evil.example:444/api']);
  });

  it('with publicUrl, the endpoint URLs are built from it, whatever the Host header says', async () => {
    const pinned = await startTestServer(new MemoryStore(), { sts: { keys: await ephemeralStsKeys() }, publicUrl: 'https://vapi.example.com:8443' });
    try {
      expect(await publishedUrls(pinned.url, 'evil.example:444')).toEqual(['https://vapi.example.com:8443/sts/STSService/vsphere.local', 'https://vapi.example.com:8443/api']);
    } finally {
      await pinned.close();
    }
  });

  const sandbox = processSandbox('vapi-auth-public-url-');
  it('vapi-auth serve --public-url publishes its URL, written without a trailing slash', async () => {
    const server = sandbox.track(
      await startServerProcess(['--http', '--data-dir', sandbox.dataDir, '--public-url', 'https://vapi.example.com/'], { VAPI_AUTH_ADMIN_PASSWORD: 'Public-url1' }),
    );
    expect(await publishedUrls(server.url, 'evil.example')).toEqual(['https://vapi.example.com/sts/STSService/vsphere.local', 'https://vapi.example.com/api']);
  });
});
