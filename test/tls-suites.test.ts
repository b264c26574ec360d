import { connect, type ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { testIssuer } from './helpers/saml.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  const { cert, key } = await testIssuer('localhost');
  t = await startTestServer(new MemoryStore(), { https: { cert, key } });
});
afterAll(async () => t.close());

/** A real TLS handshake with the server; resolves with the negotiated suite, or the client's error. */
function handshake(options: ConnectionOptions): Promise<{ cipher: string } | { error: string }> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false, ...options }, () => {
      resolve({ cipher: socket.getCipher().standardName });
      socket.destroy();
    });
    socket.once('error', (error) => resolve({ error: error.message }));
  });
}

describe('TLS downgrade: only AEAD suites are offered', () => {
  it.each([
    'ECDHE-RSA-AES128-SHA',
    'ECDHE-RSA-AES256-SHA',
    'AES128-SHA',
    'ECDHE-RSA-AES128-SHA256',
    'AES128-GCM-SHA256',
  ])('a TLS 1.2 client offering only %s is refused', async (suite) => {
    const result = await handshake({ maxVersion: 'TLSv1.2', ciphers: suite });
    expect(result).toHaveProperty('error');
  });

  it('a TLS 1.2 client offering an ECDHE AEAD suite is served', async () => {
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).toEqual({ cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' });
  });

  it('a TLS 1.3 client is served', async () => {
    expect(await handshake({ minVersion: 'TLSv1.3' })).toHaveProperty('cipher');
  });

  it('a TLS 1.1 client is refused', async () => {
    expect(await handshake({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).toHaveProperty('error');
  });
});
