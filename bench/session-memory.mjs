import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * RSS growth per live session, measured in a fresh process per store (with --expose-gc) so that
 * nothing else lives in the heap. The session service is driven directly: 100k logins over HTTP
 * would measure argon2, not the session.
 */
export async function measureSessionMemory(count) {
  const script = fileURLToPath(new URL('./session-memory-worker.mjs', import.meta.url));
  return ['memory', 'sqlite'].map((store) => {
    const run = spawnSync(process.execPath, ['--expose-gc', script, store, String(count)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout);
  });
}
