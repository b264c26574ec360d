import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { http } from './helpers/http.js';
import { accessToken, bearer, logoff, OMIVV, omivvLogin } from './helpers/omivv.js';
import { ADMIN_PASSWORD, NO_CLIENT_LIMITS, startTestServer, type TestServer } from './helpers/test-server.js';

let t: TestServer;
afterEach(async () => t.close());

const start = async (limits?: Partial<typeof NO_CLIENT_LIMITS>) => {
  t = await startTestServer(new MemoryStore(), { jwt: limits ? { limits } : true });
};
const login = (password = ADMIN_PASSWORD, from?: string) => omivvLogin(t.url, 'administrator', password, '', from);
const CLIENT_LIMIT = '{"errorCode":"CLIENT_LIMIT_EXHAUSTED","message":"Client limit exhausted."}';
const TOO_MANY = '{"errorCode":"TOO_MANY_REQUESTS","message":"Too many requests"}';

describe('the OMIVV client limits', () => {
  it('answers 503 to the 11th live token, even before the password check, and logins work again after a logoff or an expiry', async () => {
    await start();
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) tokens.push(await accessToken(t.url, 'administrator', ADMIN_PASSWORD));
    const refused = await login();
    expect(refused.status).toBe(503);
    expect(refused.text).toBe(CLIENT_LIMIT);
    expect((await login('wrong')).text).toBe(CLIENT_LIMIT);
    expect((await logoff(t.url, tokens[0]!)).status).toBe(200);
    expect((await login()).status).toBe(200);
    expect((await login()).status).toBe(503);
    t.clock.advance(60 * 60_000);
    expect((await login()).status).toBe(200);
  });

  it('gives the place of a failed login back: wrong passwords and a read-only user hold no token', async () => {
    await start();
    for (let i = 0; i < 5; i++) expect((await login('wrong')).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await omivvLogin(t.url, 'reader', 'Read0nly')).status).toBe(403);
    for (let i = 0; i < 10; i++) expect((await login()).status).toBe(200);
  });

  it('answers 503 to a 4th client address while three hold live tokens, and serves the three', async () => {
    await start();
    for (const address of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) expect((await login(ADMIN_PASSWORD, address)).status).toBe(200);
    const fourth = await login(ADMIN_PASSWORD, '127.0.0.4');
    expect(fourth.status).toBe(503);
    expect(fourth.text).toBe(CLIENT_LIMIT);
    expect((await login(ADMIN_PASSWORD, '127.0.0.2')).status).toBe(200);
  });

  it('answers 429 with Retry-After past 100 requests in a minute from all clients together, counting every request, and again once the window has moved on', async () => {
    await start();
    // Twenty from each address: the per-address rate is not what this test is about.
    const from = (i: number) => `127.0.0.${1 + Math.floor(i / 20)}`;
    for (let i = 0; i < 60; i++) expect((await http(`${t.url}${OMIVV}/login`, { method: 'POST', body: {}, localAddress: from(i) })).status).toBe(400);
    t.clock.advance(30_000);
    for (let i = 60; i < 100; i++) expect((await http(`${t.url}${OMIVV}/logoff`, { method: 'GET', localAddress: from(i) })).status).toBe(405);
    const limited = await login(ADMIN_PASSWORD, '127.0.0.9');
    expect(limited.status).toBe(429);
    expect(limited.text).toBe(TOO_MANY);
    expect(limited.headers['retry-after']).toBe('30');
    t.clock.advance(30_000);
    expect((await login(ADMIN_PASSWORD, '127.0.0.9')).status).toBe(200);
  });

  it('answers 429 with Retry-After to one client address past 20 requests in a minute, and serves the others', async () => {
    await start();
    for (let i = 0; i < 20; i++) expect((await http(`${t.url}${OMIVV}/login`, { method: 'POST', body: {}, localAddress: '127.0.0.1' })).status).toBe(400);
    const limited = await login(ADMIN_PASSWORD, '127.0.0.1');
    expect(limited.status).toBe(429);
    expect(limited.text).toBe(TOO_MANY);
    expect(limited.headers['retry-after']).toBe('60');
    expect((await login(ADMIN_PASSWORD, '127.0.0.2')).status).toBe(200);
    t.clock.advance(60_000);
    expect((await login(ADMIN_PASSWORD, '127.0.0.1')).status).toBe(200);
  });

  it('rate exhaustion: one unauthenticated client sending 150 requests a minute does not block the logins of others', async () => {
    await start();
    for (let i = 0; i < 150; i++) await http(`${t.url}${OMIVV}/login`, { method: 'POST', body: {}, localAddress: '127.0.0.1' });
    // Refused by its own limit, the flood did not count toward the shared one: 80 places are left.
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.2', '127.0.0.3']) expect((await login(ADMIN_PASSWORD, address)).status).toBe(200);
  });

  it('answers 429 to the 11th request with one token in a minute', async () => {
    await start();
    const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    expect((await logoff(t.url, token)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await logoff(t.url, token)).status).toBe(401);
    const limited = await http(`${t.url}${OMIVV}/logout`, { method: 'POST', headers: bearer(token) });
    expect(limited.status).toBe(429);
    expect((await login()).status).toBe(200);
  });

  it('enforces none of them when set to 0', async () => {
    await start(NO_CLIENT_LIMITS);
    for (let i = 0; i < 12; i++) expect((await login(ADMIN_PASSWORD, `127.0.0.${1 + (i % 5)}`)).status).toBe(200);
    for (let i = 0; i < 100; i++) await http(`${t.url}${OMIVV}/login`, { method: 'POST', body: {} });
    expect((await login()).status).toBe(200);
  });
});
