import { afterEach, describe, expect, it } from 'vitest';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http, type HttpResponse } from './helpers/http.js';
import { omivvLogin } from './helpers/omivv.js';
import { envelope, requestSecurityToken } from './helpers/ws-security.js';
import { ADMIN, ADMIN_PASSWORD, NO_CLIENT_LIMITS, startTestServer, type TestServer } from './helpers/test-server.js';

let t: TestServer;
afterEach(async () => t.close());

/** One password checked at a time, one more waiting: a burst overflows at once. */
async function start(): Promise<void> {
  t = await startTestServer(new MemoryStore(), {
    passwordHashing: { concurrency: 1, maxWaiting: 1 },
    lockout: { maxFailures: 10 },
    jwt: { limits: NO_CLIENT_LIMITS },
    sts: { keys: await ephemeralStsKeys() },
  });
}

function statuses(responses: readonly HttpResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

describe('a login flood (password hashing saturated)', () => {
  it('is answered 503 SERVICE_UNAVAILABLE beyond the waiting room on /api, never a 401, a 500 or an unbounded wait', async () => {
    await start();
    const responses = await Promise.all(Array.from({ length: 16 }, () => http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })));
    const counts = statuses(responses);
    expect(counts[201]).toBeGreaterThanOrEqual(2);
    expect(counts[503]).toBeGreaterThan(0);
    expect((counts[201] ?? 0) + (counts[503] ?? 0)).toBe(16);
    const refused = responses.find((response) => response.status === 503)!;
    expect(refused.json).toEqual({
      error_type: 'SERVICE_UNAVAILABLE',
      messages: [{ args: [], default_message: 'The server is busy; try again later.', id: 'com.vmware.vapi.endpoint.busy' }],
    });
  });

  it('counts only the guesses it checked toward the lockout, not those it refused unchecked', async () => {
    await start();
    const guesses = await Promise.all(Array.from({ length: 30 }, () => http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, 'wrong guess') })));
    const { 401: checked = 0, 503: refused = 0 } = statuses(guesses);
    expect(refused).toBeGreaterThan(0);
    expect(checked + refused).toBe(30);
    // The account locks at its tenth failure: exactly when ten were checked, whatever number was sent.
    const login = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) });
    expect(login.status).toBe(checked >= 10 ? 401 : 201);
  });

  it('is answered 503 on the OMIVV login and the STS too', async () => {
    await start();
    const omivv = await Promise.all(Array.from({ length: 12 }, () => omivvLogin(t.url, 'administrator', ADMIN_PASSWORD)));
    expect(statuses(omivv)[503]).toBeGreaterThan(0);
    expect(omivv.every((response) => response.status === 200 || response.status === 503)).toBe(true);
    const now = t.clock.now();
    const body = envelope(requestSecurityToken({ expires: now + 600_000 }), { user: ADMIN, password: ADMIN_PASSWORD, now });
    const sts = await Promise.all(
      Array.from({ length: 12 }, () => http(`${t.url}/sts/STSService/vsphere.local`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body })),
    );
    const counts = statuses(sts);
    expect(counts[503]).toBeGreaterThan(0);
    expect((counts[200] ?? 0) + (counts[503] ?? 0)).toBe(12);
    expect(sts.find((response) => response.status === 503)!.text).toContain('The service is unavailable; try again later.');
  });
});
