import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from './helpers/cli-process.js';
import { http } from './helpers/http.js';
import { OMIVV } from './helpers/omivv.js';
import { kidOf, samlSession, signerOf, stsToken } from './helpers/sso-client.js';

const ADMIN = 'administrator@vsphere.local';
const ROUNDS = 20;
/** Rounds run this many at a time, each on its own empty data dir. */
const AT_ONCE = 2;

async function stop(servers: readonly ServerProcess[]): Promise<void> {
  for (const server of servers) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
}

/**
 * Three processes started at once on one empty data dir (HTTPS, sqlite store, no administrator
 * password given): what each of them then serves and accepts.
 */
async function raceOnEmptyDataDir(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vapi-auth-race-'));
  // One worker each: what races is the processes that prepare the data dir (a primary's workers create nothing).
  const started = await Promise.allSettled([0, 1, 2].map(() => startServerProcess(['--data-dir', dataDir, '--workers', '1'])));
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    expect(started.filter((result) => result.status === 'rejected')).toEqual([]);
    // One administrator, its password generated and printed once.
    const printed = nodes.flatMap((n) => [...n.output().matchAll(/Created administrator@vsphere\.local with password (\S+)/g)].map((m) => m[1]!));
    expect(printed).toHaveLength(1);
    const password = printed[0]!;
    // One process created each file; the others used it.
    const created = nodes.flatMap((n) => [...n.output().matchAll(/"file":"([^"]+)","msg":"created on first start"/g)].map((m) => m[1]!));
    expect(created.sort()).toEqual([join(dataDir, 'jwt', 'keys.json'), join(dataDir, 'sts', 'signing.pem'), join(dataDir, 'tls')].sort());
    // One TLS certificate: each process serves the pair in tls/, so clients can pin its cert.pem.
    const ca = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
    const jwts = await Promise.all(
      nodes.map(async (n) => {
        const login = await http(`${n.url}${OMIVV}/login`, { method: 'POST', body: { apiUserCredential: { username: ADMIN, password } }, ca });
        expect(login.status).toBe(200);
        return (login.json as { accessToken: string }).accessToken;
      }),
    );
    const samls = await Promise.all(nodes.map((n) => stsToken(n.url, ADMIN, password, { ca })));
    // One JWT key and one STS key: what the first process created, the others use.
    expect(new Set(jwts.map(kidOf)).size).toBe(1);
    expect(new Set(samls.map(signerOf)).size).toBe(1);
    for (const n of nodes) {
      for (const jwt of jwts) expect((await http(`${n.url}/api/cis/tasks?services=com.example.none`, { headers: { authorization: `Bearer ${jwt}` }, ca })).status).toBe(200);
      for (const saml of samls) expect((await samlSession(n.url, saml, { ca })).status).toBe(201);
    }
  } finally {
    await stop(nodes);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('a first start on an empty data dir', () => {
  for (let batch = 0; batch < ROUNDS / AT_ONCE; batch++) {
    const rounds = `${batch * AT_ONCE + 1}-${(batch + 1) * AT_ONCE}`;
    it(`cannot race: three processes at once make one certificate, one JWT key, one STS key and one administrator (rounds ${rounds} of ${ROUNDS})`, async () => {
      await Promise.all(Array.from({ length: AT_ONCE }, raceOnEmptyDataDir));
    }, 90_000);
  }
});
