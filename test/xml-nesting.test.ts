import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { http } from './helpers/http.js';
import { assertionXml, jsonRpcSamlCreate, signHeader } from './helpers/saml.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { envelope } from './helpers/ws-security.js';

const WST = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';
const DEPTH = 9000;

let t: TestServer;
let log = '';
let deep = '';

beforeAll(async () => {
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  t = await startTestServer(new MemoryStore(), { sts: { keys: await ephemeralStsKeys() }, logLevel: 'info', logStream });
  t.clock.set(Date.now());
  const now = t.clock.now();
  deep = assertionXml({ notBefore: now - 60_000, notOnOrAfter: now + 600_000, nameIdXml: `${'<a>'.repeat(DEPTH)}${'</a>'.repeat(DEPTH)}` });
});
afterAll(async () => t.close());

/** Log lines at error level or above (pino: 50 and up): server faults, with their stack traces. */
function errorLines(): string[] {
  return log.split('\n').filter((line) => line !== '' && (JSON.parse(line) as { level: number }).level >= 50);
}

describe('stack exhaustion: a SAML assertion nested 9,000 deep (under the 64 KiB cap) is refused, never a server error', () => {
  it('fits the size cap, so only the depth bound stops it', () => {
    expect(Buffer.byteLength(deep)).toBeLessThan(64 * 1024);
  });

  it('in Authorization: SIGN on Session.create', async () => {
    const response = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signHeader(deep) } });
    expect(response.status).toBe(401);
    expect((response.json as { error_type: string }).error_type).toBe('UNAUTHENTICATED');
    expect(errorLines()).toEqual([]);
  });

  it('in a JSON-RPC saml_bearer_token', async () => {
    const response = await http(`${t.url}/api`, { method: 'POST', body: jsonRpcSamlCreate(deep) });
    expect(response.status).toBe(200);
    expect(response.text).toContain('com.vmware.vapi.std.errors.unauthenticated');
    expect(errorLines()).toEqual([]);
  });

  it('in an STS Validate', async () => {
    const validate = `<RequestSecurityToken xmlns="${WST}"><TokenType>${WST}/RSTR/Status</TokenType><RequestType>${WST}/Validate</RequestType><ValidateTarget>${deep}</ValidateTarget></RequestSecurityToken>`;
    const response = await http(`${t.url}/sts/STSService/vsphere.local`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: envelope(validate) });
    expect(response.text).toContain('<faultcode');
    expect(response.text).toContain('S:Client');
    expect(errorLines()).toEqual([]);
  });
});
