import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { MemoryStore } from '../store/memory-store.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { Lockout } from './lockout.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const POLICY = { maxFailures: 6, windowMs: 3 * MINUTE, durationMs: MINUTE };
const ACCOUNT = 'administrator@vsphere.local';

const dirs: string[] = [];
const stores: [string, () => Store][] = [
  ['memory', () => new MemoryStore()],
  [
    'sqlite',
    () => {
      dirs.push(mkdtempSync(join(tmpdir(), 'vapi-auth-lockout-')));
      return new SqliteStore({ file: join(dirs.at(-1)!, 'vapi-auth.sqlite') });
    },
  ],
];

describe.each(stores)('lockout on the %s store', (_name, open) => {
  const opened: Store[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function lockout(policy = POLICY) {
    const store = open();
    opened.push(store);
    const clock = new FakeClock();
    const locks: string[] = [];
    const subject = new Lockout(store.kv, clock, policy, { warn: (details) => locks.push((details as { account: string }).account) });
    return { subject, clock, locks };
  }

  it('locks at the 6th failure within the window, for exactly the lock duration', async () => {
    const { subject, clock } = lockout();
    const start = clock.now();
    for (let i = 0; i < 5; i++) {
      await subject.recordFailure(ACCOUNT);
      expect(await subject.isLocked(ACCOUNT)).toBe(false);
      clock.advance(30 * SECOND);
    }
    clock.set(start + 3 * MINUTE - 1);
    await subject.recordFailure(ACCOUNT);
    const lockedAt = clock.now();
    expect(await subject.isLocked(ACCOUNT)).toBe(true);
    clock.set(lockedAt + MINUTE - 1);
    expect(await subject.isLocked(ACCOUNT)).toBe(true);
    clock.set(lockedAt + MINUTE);
    expect(await subject.isLocked(ACCOUNT)).toBe(false);
  });

  it('unlock ends a lock and its failures at once, and the next run of failures locks again', async () => {
    const { subject, locks } = lockout();
    for (let i = 0; i < 6; i++) await subject.recordFailure(ACCOUNT);
    expect(await subject.isLocked(ACCOUNT)).toBe(true);
    await subject.unlock(ACCOUNT);
    expect(await subject.isLocked(ACCOUNT)).toBe(false);
    for (let i = 0; i < 5; i++) await subject.recordFailure(ACCOUNT);
    expect(await subject.isLocked(ACCOUNT)).toBe(false);
    await subject.recordFailure(ACCOUNT);
    expect(await subject.isLocked(ACCOUNT)).toBe(true);
    expect(locks).toEqual([ACCOUNT, ACCOUNT]);
  });

  it('starts a new window when the 6th failure comes 3 minutes after the first', async () => {
    const { subject, clock } = lockout();
    for (let i = 0; i < 5; i++) await subject.recordFailure(ACCOUNT);
    clock.advance(3 * MINUTE);
    await subject.recordFailure(ACCOUNT);
    expect(await subject.isLocked(ACCOUNT)).toBe(false);
  });

  it('locks again at the first failure after a lock that ends inside the window, and not after the window', async () => {
    const { subject, clock, locks } = lockout();
    const start = clock.now();
    for (let i = 0; i < 6; i++) await subject.recordFailure(ACCOUNT);
    clock.set(start + MINUTE);
    await subject.recordFailure(ACCOUNT);
    expect(await subject.isLocked(ACCOUNT)).toBe(true);
    clock.set(start + 3 * MINUTE);
    await subject.recordFailure(ACCOUNT);
    expect(await subject.isLocked(ACCOUNT)).toBe(false);
    expect(locks).toEqual([ACCOUNT, ACCOUNT]);
  });

  it('locks once for a burst of 200 concurrent failures, and the burst does not extend the lock', async () => {
    const { subject, clock, locks } = lockout();
    const start = clock.now();
    await Promise.all(Array.from({ length: 200 }, () => subject.recordFailure(ACCOUNT)));
    expect(locks).toEqual([ACCOUNT]);
    clock.set(start + MINUTE);
    expect(await subject.isLocked(ACCOUNT)).toBe(false);
  });

  it('forgets the failures at a reset, and never locks with maxFailures 0', async () => {
    const { subject } = lockout();
    for (let i = 0; i < 5; i++) await subject.recordFailure(ACCOUNT);
    await subject.reset(ACCOUNT);
    await subject.recordFailure(ACCOUNT);
    expect(await subject.isLocked(ACCOUNT)).toBe(false);
    const off = lockout({ ...POLICY, maxFailures: 0 });
    for (let i = 0; i < 10; i++) await off.subject.recordFailure(ACCOUNT);
    expect(await off.subject.isLocked(ACCOUNT)).toBe(false);
  });
});

describe('lockout records', () => {
  it('stay small however long the submitted name (a login body may be a megabyte)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-lockout-'));
    const file = join(dir, 'vapi-auth.sqlite');
    const store = new SqliteStore({ file });
    const accounts: string[] = [];
    const lockout = new Lockout(store.kv, new FakeClock(), POLICY, { warn: (details) => accounts.push((details as { account: string }).account) });
    const huge = `unparsed:${'x'.repeat(1_000_000)}`;
    for (let i = 0; i < 6; i++) await lockout.recordFailure(huge);
    expect(await lockout.isLocked(huge)).toBe(true);
    expect(await lockout.isLocked(`${huge}y`)).toBe(false);
    await store.close();
    const db = new Database(file, { readonly: true });
    const longest = db.prepare('SELECT max(length(key)) AS n FROM kv').get() as { n: number };
    db.close();
    rmSync(dir, { recursive: true, force: true });
    expect(longest.n).toBeLessThan(300);
    expect(accounts[0]!.length).toBeLessThan(300);
  });
});
