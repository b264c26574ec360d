import { execFile, spawn } from 'node:child_process';
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
    const { SqliteStore } = await import(${JSON.stringify(distUrl('index.js'))});
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
    const { SqliteStore } = await import(${JSON.stringify(distUrl('index.js'))});
    const store = new SqliteStore({ file: ${JSON.stringify(file)} });
    const counts = [];
    for (let i = 0; i < ${times}; i++) counts.push(await store.kv.increment('failures:a@vsphere.local', 60_000, ${NOW}));
    await store.close();
    process.stdout.write(JSON.stringify(counts));
  `;
  return run(process.execPath, ['--input-type=module', '-e', script]);
}

/**
 * A process that creates `file` in SQLite's default rollback mode, as a server starting on a fresh data
 * dir does before it switches to WAL, and holds its write lock for `holdMs`. Resolves once the lock is held.
 */
async function writeLockHolder(file: string, holdMs: number): Promise<{ released: Promise<unknown> }> {
  const script = `
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    db.exec('CREATE TABLE held (x)');
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('held');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${holdMs});
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
  });
  return { released };
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

  it('opens a data dir another process is still creating: waits for its write lock rather than failing with SQLITE_BUSY', async () => {
    const file = join(dir, 'vapi-auth.sqlite');
    const holder = await writeLockHolder(file, 300);
    const store = new SqliteStore({ file });
    expect(await store.users.create({ key: 'a@vsphere.local', name: 'a', domain: 'vsphere.local', passwordHash: 'h', createdAt: NOW })).toBe(true);
    expect((await store.users.get('a@vsphere.local'))?.name).toBe('a');
    await store.close();
    await holder.released;
  });

  it('gives up on a write lock held past the busy timeout, with SQLITE_BUSY', async () => {
    const file = join(dir, 'vapi-auth.sqlite');
    const holder = await writeLockHolder(file, 1500);
    expect(() => new SqliteStore({ file, busyTimeoutMs: 200 })).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    await holder.released;
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
