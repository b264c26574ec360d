import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { ADMIN, startTestServer, type TestServer } from './helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(new MemoryStore());
});
afterAll(async () => t.close());

async function median(user: string, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    const response = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(user, `guess-${i}`) });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    expect(response.status).toBe(401);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

describe('user enumeration', () => {
  it('cannot tell an unknown user from a wrong password by the body', async () => {
    const known = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, 'wrong') });
    const unknown = await http(`${t.url}/api/session`, { method: 'POST', headers: basic('ghost@vsphere.local', 'wrong') });
    expect(unknown.text).toBe(known.text);
    expect(unknown.headers['www-authenticate']).toBe(known.headers['www-authenticate']);
  });

  it('cannot tell an unknown user from a wrong password by the response time', async () => {
    // Both pay for one argon2id verification; without the dummy hash the unknown user would
    // answer in well under a tenth of the time. Interleaved rounds keep machine noise fair.
    await median(ADMIN, 2);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await median(ADMIN, 5));
      unknown.push(await median('ghost@vsphere.local', 5));
    }
    const ratio = Math.min(...unknown) / Math.min(...known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
