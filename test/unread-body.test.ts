import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { rawConnect } from './helpers/raw-socket.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const GIB = 1024 ** 3;
/** Far more than the kernel buffers of both ends hold: a server still reading would take all of it. */
const GIVE_UP_AFTER = 64 * 1024 ** 2;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(new MemoryStore(), { sts: { keys: await ephemeralStsKeys() } });
});
afterAll(async () => t.close());

/**
 * Announces a 1 GiB body of `contentType` on `path` and sends it as fast as the connection takes
 * it; resolves with the answer and how much was sent when the server closed the connection (or
 * when the test gave up).
 */
async function floodBody(path: string, contentType: string): Promise<{ answer: string; sent: number }> {
  const client = await rawConnect(t.url);
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  let sent = 0;
  let open = true;
  void client.closed.then(() => (open = false));
  client.socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${contentType}\r\nContent-Length: ${GIB}\r\n\r\n`);
  while (open && sent < GIVE_UP_AFTER) {
    sent += chunk.length;
    if (!client.socket.write(chunk)) await Promise.race([new Promise((resolve) => client.socket.once('drain', resolve)), client.closed]);
  }
  client.socket.destroy();
  return { answer: client.received(), sent };
}

describe('body flood after a refusal: the server answers and stops reading', () => {
  it.each([
    ['/api/session', 'text/plain', 'Request body must be application/json.'],
    ['/rest/com/vmware/cis/session', 'application/octet-stream', 'Request body must be application/json.'],
    ['/sts/STSService/vsphere.local', 'application/json', 'Request body must be text/xml (or application/soap+xml).'],
  ])('1 GiB announced to %s as %s gets 415 and the connection is closed', async (path, contentType, text) => {
    const { answer, sent } = await floodBody(path, contentType);
    expect(answer).toMatch(/^HTTP\/1\.1 415 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain(text);
    expect(sent).toBeLessThan(GIVE_UP_AFTER);
  });

  it('1 GiB of JSON over the body limit gets 413 and the connection is closed', async () => {
    const { answer, sent } = await floodBody('/api/session', 'application/json');
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(sent).toBeLessThan(GIVE_UP_AFTER);
  });
});
