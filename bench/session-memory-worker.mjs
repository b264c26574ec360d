import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SESSION_POLICY, MemoryStore, SessionService, SqliteStore, systemClock } from '../dist/index.js';

const [store, countText] = process.argv.slice(2);
const count = Number(countText);
const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-mem-'));
const backend = store === 'memory' ? new MemoryStore() : new SqliteStore({ file: join(dir, 'vapi-auth.sqlite') });
const sessions = new SessionService(backend.sessions, systemClock, { ...DEFAULT_SESSION_POLICY, maxSessions: 0, maxSessionsPerUser: 0 });

const rss = () => {
  globalThis.gc();
  return process.memoryUsage().rss;
};
await sessions.create('warm-up@vsphere.local');
const before = rss();
// The tokens are dropped at once: they belong to clients, not to the server's footprint.
for (let i = 0; i < count; i++) await sessions.create(`user${i % 100}@vsphere.local`);
const after = rss();
await backend.close(); // for sqlite a checkpoint: the sessions are in the database file, the WAL is gone
const fileBytes = readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({
    store,
    sessions: count,
    rssPerSession: (after - before) / count,
    rss: after,
    filePerSession: store === 'memory' ? undefined : fileBytes / count,
  }),
);
