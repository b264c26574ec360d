import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The memory store at the size of the goal (1M sessions in ≤ 400 MB). sqlite at 20k: its RSS does not
 * grow with its sessions, and each insert is a durable commit (an fsync), so more would only take longer.
 */
const MEASURES = [
  { store: 'memory', sessions: 1_000_000, goal: 'process RSS ≤ 400 MB' },
  { store: 'sqlite', sessions: 20_000, goal: '' },
];

/**
 * RSS growth per live session, measured in a fresh process per store (with --expose-gc) so that
 * nothing else lives in the heap. The session service is driven directly: logins over HTTP
 * would measure argon2, not the session.
 */
export async function measureSessionMemory() {
  const script = fileURLToPath(new URL('./session-memory-worker.mjs', import.meta.url));
  return MEASURES.map(({ store, sessions, goal }) => {
    const run = spawnSync(process.execPath, ['--expose-gc', script, store, String(sessions)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return { ...JSON.parse(run.stdout), goal };
  });
}
