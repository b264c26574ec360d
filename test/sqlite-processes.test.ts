import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { distUrl } from './helpers/dist.js';

const run = promisify(execFile);
const NOW = Date.UTC(2025, 0, 1);

/** A process that opens the shared file and tries `attempts` session inserts against a per-user cap. */
function inserter(file: string, worker: number, attempts: number, cap: number): Promise<{ stdout: string }> {
  const script = `
    const { SqliteStore } = await import(${JSON.stringify(distUrl('store/sqlite-store.js'))});
    const store = new SqliteStore({ file: ${JSON.stringify(file)} });
    const results = { created: 0, user_cap: 0, total_cap: 0 };
    for (let i = 0; i < ${attempts}; i++) {
      const key = 'w${worker}-' + i;
      const result = await store.sessions.insert(
        { key, userKey: 'a@vsphere.local', createdAt: ${NOW}, lastAccessedAt: ${NOW}, absoluteExpiresAt: ${NOW + 60_000}, expiresAt: ${NOW + 60_000} },
        { perUser: ${cap}, total: 0 }, ${NOW});
      results[result]++;
    }
    await store.close();
    process.stdout.write(JSON.stringify(results));
  `;
  return run(process.execPath, ['--input-type=module', '-e', script]);
}

/** A process that opens the shared file and increments one counter `times` times, printing each count. */
function incrementer(file: string, times: number): Promise<{ stdout: string }> {
  const script = `
    const { SqliteStore } = await import(${JSON.stringify(distUrl('store/sqlite-store.js'))});
    const store = new SqliteStore({ file: ${JSON.stringify(file)} });
    const counts = [];
    for (let i = 0; i < ${times}; i++) counts.push(await store.kv.increment('failures:a@vsphere.local', 60_000, ${NOW}));
    await store.close();
    process.stdout.write(JSON.stringify(counts));
  `;
  return run(process.execPath, ['--input-type=module', '-e', script]);
}

describe('one sqlite file shared by several processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vapi-auth-procs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never lets racing processes pass the session cap together', async () => {
    const file = join(dir, 'vapi-auth.sqlite');
    new SqliteStore({ file }).close(); // creates the schema once, as a server start would
    const outcomes = await Promise.all([0, 1, 2, 3].map((worker) => inserter(file, worker, 60, 100)));
    const totals = outcomes.map((o) => JSON.parse(o.stdout) as Record<string, number>);
    expect(totals.reduce((sum, t) => sum + t.created!, 0)).toBe(100);
    expect(totals.reduce((sum, t) => sum + t.user_cap!, 0)).toBe(140);
  });

  it('loses no counter increment when processes count failures together', async () => {
    const file = join(dir, 'vapi-auth.sqlite');
    new SqliteStore({ file }).close();
    const outcomes = await Promise.all([0, 1, 2, 3].map(() => incrementer(file, 250)));
    const counts = outcomes.flatMap((o) => JSON.parse(o.stdout) as number[]).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('shows a session written by one process to another at once, and its deletion too', async () => {
    const file = join(dir, 'vapi-auth.sqlite');
    const a = new SqliteStore({ file });
    const b = new SqliteStore({ file });
    const record = { key: 'k', userKey: 'a@vsphere.local', createdAt: NOW, lastAccessedAt: NOW, absoluteExpiresAt: NOW + 9, expiresAt: NOW + 9 };
    await a.sessions.insert(record, { perUser: 0, total: 0 }, NOW);
    expect((await b.sessions.getWithUser('k', NOW))?.session).toEqual(record);
    expect(await b.sessions.delete('k', NOW)).toBe(true);
    expect((await a.sessions.getWithUser('k', NOW))?.session).toBeUndefined();
    await a.close();
    await b.close();
  });
});
