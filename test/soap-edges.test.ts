import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import { MemoryStore } from '../src/store/memory-store.js';
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
