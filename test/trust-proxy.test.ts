import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/observability/audit-trail.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { OMIVV } from './helpers/omivv.js';
import { healthzOver, rawConnect, type RawConnection } from './helpers/raw-socket.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

const PROXY = '127.0.0.1';
const STRANGER = '127.0.0.2';

let running: TestServer | undefined;
const sockets: RawConnection[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.socket.destroy();
  await running?.close();
  running = undefined;
});

/** A server trusting 127.0.0.1 as its proxy, with an OMIVV rate of 2 requests a minute per client. */
async function start(events: AuditEvent[]): Promise<TestServer> {
  running = await startTestServer(new MemoryStore(), {
    jwt: { limits: { maxClients: 0, maxTokens: 0, requestsPerMinute: 0, requestsPerClientPerMinute: 2, requestsPerTokenPerMinute: 0 } },
    trustProxy: [`${PROXY}/32`],
    onAuditEvent: (event) => events.push(event),
  });
  return running;
}

function login(url: string, from: string, forwardedFor: string) {
  return http(`${url}/api/session`, { method: 'POST', headers: { ...basic(ADMIN, ADMIN_PASSWORD), 'x-forwarded-for': forwardedFor }, localAddress: from });
}

describe('--trust-proxy', () => {
  it('takes the client address from X-Forwarded-For of a trusted proxy, and ignores it from anyone else', async () => {
    const events: AuditEvent[] = [];
    const { url } = await start(events);
    expect((await login(url, PROXY, '203.0.113.9')).status).toBe(201);
    // A proxy chain: the last address that is not itself a trusted proxy is the client.
    expect((await login(url, PROXY, `198.51.100.4, ${PROXY}`)).status).toBe(201);
    expect((await login(url, STRANGER, '203.0.113.9')).status).toBe(201);
    expect(events.filter((event) => event.event === 'login.success').map((event) => event.client)).toEqual(['203.0.113.9', '198.51.100.4', STRANGER]);
  });

  it('counts the OMIVV per-client rate per forwarded client behind the proxy, and per socket address otherwise', async () => {
    const { url } = await start([]);
    const omivvLoginFrom = (from: string, forwardedFor: string) =>
      http(`${url}${OMIVV}/login`, {
        method: 'POST',
        headers: { 'x-forwarded-for': forwardedFor },
        body: { apiUserCredential: { username: 'nobody', domain: '', password: 'x' } },
        localAddress: from,
      });
    const clients = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
    // Three clients behind the proxy, two requests each: every one is within its own rate.
    const proxied = [];
    for (const client of clients) for (let i = 0; i < 2; i++) proxied.push((await omivvLoginFrom(PROXY, client)).status);
    expect(proxied).toEqual(Array(6).fill(401));
    // A stranger cannot spread its requests over made-up addresses: its third request is refused.
    const stranger = [];
    for (const client of clients) stranger.push((await omivvLoginFrom(STRANGER, client)).status);
    expect(stranger).toEqual([401, 401, 429]);
  });

  it('leaves a trusted proxy uncapped per client (it carries many), and caps everyone else', async () => {
    running = await startTestServer(new MemoryStore(), { trustProxy: [`${PROXY}/32`], connections: { maxConnectionsPerClient: 2, maxConnections: 0 } });
    const connect = async (from: string) => {
      const connection = await rawConnect(running!.url, from);
      sockets.push(connection);
      return connection;
    };
    const fromProxy = [await connect(PROXY), await connect(PROXY), await connect(PROXY)];
    for (const connection of fromProxy) expect(await healthzOver(connection)).toMatch(/^HTTP\/1\.1 200 /);
    const fromStranger = [await connect(STRANGER), await connect(STRANGER), await connect(STRANGER)];
    expect(await healthzOver(fromStranger[0]!)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await healthzOver(fromStranger[1]!)).toMatch(/^HTTP\/1\.1 200 /);
    await fromStranger[2]!.closed;
    expect(fromStranger[2]!.received()).toBe('');
  });
});
