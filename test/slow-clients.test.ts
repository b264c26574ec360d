import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceDefinition } from '../src/core/operations.js';
import { SCHEMES } from '../src/core/schemes.js';
import { operationInput, t } from '../src/core/types.js';
import type { ConnectionPolicy } from '../src/http/connection-limits.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { healthzOver, rawConnect, type RawConnection } from './helpers/raw-socket.js';
import { basic, http } from './helpers/http.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

/** `com.example.slow.run`: answers after `ms` milliseconds, sending nothing meanwhile. */
const slowService: ServiceDefinition = {
  id: 'com.example.slow',
  schemes: [SCHEMES.sessionId],
  operations: [
    {
      id: 'run',
      input: operationInput({ ms: t.long }),
      output: t.string,
      errors: [],
      api: { method: 'POST', path: '/example/slow', action: 'run' },
      handler: async ({ ms }: { ms: number }) => {
        await sleep(ms);
        return 'done';
      },
    },
  ],
};

let s: TestServer | undefined;
const open: RawConnection[] = [];

async function serve(connections: Partial<ConnectionPolicy>, services: ServiceDefinition[] = []): Promise<TestServer> {
  s = await startTestServer(new MemoryStore(), { connections, services });
  return s;
}

async function connection(url: string, localAddress?: string): Promise<RawConnection> {
  const c = await rawConnect(url, localAddress);
  open.push(c);
  return c;
}

afterEach(async () => {
  for (const c of open.splice(0)) c.socket.destroy();
  await s?.close();
  s = undefined;
});

const HALF_SENT_LOGIN = 'POST /api/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\nhello';

describe('slow clients', () => {
  it('slowloris: silent half-sent bodies (Content-Length 50, 5 bytes sent) are closed after the body timeout', async () => {
    const { url } = await serve({ bodyTimeoutMs: 200 });
    const clients = await Promise.all(Array.from({ length: 20 }, () => connection(url)));
    for (const client of clients) client.socket.write(HALF_SENT_LOGIN);
    await Promise.all(clients.map((client) => client.closed));
    expect(clients.every((client) => client.received() === '')).toBe(true);
  });

  it('slowloris: headers that never end get 408 and the connection is closed', async () => {
    const { url } = await serve({ headersTimeoutMs: 300, requestTimeoutMs: 2000 });
    const client = await connection(url);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('slowloris: a body dripped a byte at a time gets 408 at the request timeout, however lively', async () => {
    const { url } = await serve({ headersTimeoutMs: 300, bodyTimeoutMs: 10_000, requestTimeoutMs: 600 });
    const client = await connection(url);
    client.socket.write('POST /api/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
    const drip = setInterval(() => client.socket.write(' '), 50);
    await client.closed;
    clearInterval(drip);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('the body timeout ends with the body: a handler that runs longer is not cut', async () => {
    const { url } = await serve({ bodyTimeoutMs: 100 }, [slowService]);
    const login = await http(`${url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) });
    const response = await http(`${url}/api/example/slow?action=run`, {
      method: 'POST',
      headers: { 'vmware-api-session-id': login.json as string },
      body: { ms: 400 },
    });
    expect(response.status).toBe(200);
    expect(response.json).toBe('done');
  });
});

describe('connection floods', () => {
  it('connection flood: one client address gets at most its cap; other addresses are still served', async () => {
    const { url } = await serve({ maxConnectionsPerClient: 3, maxConnections: 0 });
    const held = await Promise.all([1, 2, 3].map(() => connection(url, '127.0.0.1')));
    // Each answered once: the server has counted all three.
    for (const c of held) expect(await healthzOver(c)).toMatch(/^HTTP\/1\.1 200 /);
    const refused = await connection(url, '127.0.0.1');
    refused.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await refused.closed;
    expect(refused.received()).toBe('');
    const other = await connection(url, '127.0.0.2');
    expect(await healthzOver(other)).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('connection flood: a closed connection frees its place for the same address', async () => {
    const { url } = await serve({ maxConnectionsPerClient: 1, maxConnections: 0 });
    const first = await connection(url);
    expect(await healthzOver(first)).toMatch(/^HTTP\/1\.1 200 /);
    first.socket.destroy();
    // The server learns of the close shortly after the client: a few tries, each on a fresh connection.
    let served = '';
    for (let attempt = 0; attempt < 20 && !served; attempt++) {
      const next = await connection(url);
      served = await healthzOver(next).catch(() => '');
    }
    expect(served).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('connection flood: many addresses together stop at the total cap', async () => {
    const { url } = await serve({ maxConnections: 4, maxConnectionsPerClient: 0 });
    const held = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'].map((address) => connection(url, address)));
    for (const c of held) expect(await healthzOver(c)).toMatch(/^HTTP\/1\.1 200 /);
    const refused = await connection(url, '127.0.0.5');
    refused.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await refused.closed;
    expect(refused.received()).toBe('');
  });
});
