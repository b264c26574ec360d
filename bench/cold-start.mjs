// Cold start: from spawning `vapi-auth serve` (its default start: HTTPS, sqlite, --workers auto)
// to the first 201 of POST /api/session, on a fresh data dir (certificate, keys and administrator
// are created) and again on the same dir once it exists.
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ADMIN_PASSWORD, startProcess } from './processes.mjs';
import { basic, median, ROUNDS } from './load.mjs';

/** POST /api/session with Basic credentials over HTTPS, trusting the generated certificate; answers the status. */
function createSession(url) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/session`, { method: 'POST', headers: { authorization: basic }, rejectUnauthorized: false, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    req.once('error', reject);
    req.end();
  });
}

async function millisToFirstSession(dataDir) {
  const started = performance.now();
  const server = await startProcess(['dist/cli.js', 'serve', '--port', '0', '--data-dir', dataDir], { VAPI_AUTH_ADMIN_PASSWORD: ADMIN_PASSWORD });
  try {
    const status = await createSession(server.url);
    if (status !== 201) throw new Error(`first POST /api/session answered ${status}`);
    return performance.now() - started;
  } finally {
    await server.stop();
  }
}

/** Median milliseconds to the first session, fresh and existing data dir, over the rounds. */
export async function measureColdStart() {
  const fresh = [];
  const existing = [];
  for (let round = 0; round < ROUNDS; round++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'vapi-auth-cold-'));
    try {
      fresh.push(await millisToFirstSession(dataDir));
      existing.push(await millisToFirstSession(dataDir));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { fresh: median(fresh), existing: median(existing) };
}
