import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import type { SessionRecord, UserRecord } from './store.js';

/**
 * The session cache of the sqlite store: what it keeps, and that a change made by this connection or by
 * another one (another process, here a second store on the same file) is seen by the very next read.
 * A cached read answers the same frozen object; a fresh read answers a new one.
 */

const NOW = Date.UTC(2025, 0, 1);
const NO_CAPS = { perUser: 0, total: 0 };
const user: UserRecord = { key: 'a@vsphere.local', name: 'a', domain: 'vsphere.local', passwordHash: '$argon2id$x', createdAt: NOW };

function session(key: string, change: Partial<SessionRecord> = {}): SessionRecord {
  return { key, userKey: user.key, createdAt: NOW, lastAccessedAt: NOW, absoluteExpiresAt: NOW + 10_000, expiresAt: NOW + 1000, ...change };
}

describe('the sqlite session cache', () => {
  let dir: string;
  let store: SqliteStore;
  /** Another connection to the same file, as another worker, node or CLI command has. */
  let other: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vapi-auth-session-cache-'));
    store = new SqliteStore({ file: join(dir, 'db.sqlite') });
    other = new SqliteStore({ file: join(dir, 'db.sqlite') });
    await store.users.create(user);
    await store.sessions.insert(session('k1'), NO_CAPS, NOW);
  });
  afterEach(async () => {
    await store.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Reads k1 twice, expecting the second read from the cache. */
  async function cached() {
    const first = await store.sessions.getWithUser('k1', NOW);
    expect(await store.sessions.getWithUser('k1', NOW)).toBe(first);
    return first!;
  }

  it('answers a repeated read from the cache, frozen against changes by a caller', async () => {
    const found = await cached();
    expect(found).toEqual({ session: session('k1'), user, authzVersion: await store.authorization.version() });
    expect(Object.isFrozen(found) && Object.isFrozen(found.session) && Object.isFrozen(found.user)).toBe(true);
  });

  it('does not answer a cached session once it has expired', async () => {
    await cached();
    expect(await store.sessions.getWithUser('k1', NOW + 1000)).toBeUndefined();
  });

  it('sees a session deleted by another connection', async () => {
    await cached();
    await other.sessions.delete('k1', NOW);
    expect(await store.sessions.getWithUser('k1', NOW)).toBeUndefined();
  });

  it('sees a session deleted by its own connection', async () => {
    await cached();
    await store.sessions.delete('k1', NOW);
    expect(await store.sessions.getWithUser('k1', NOW)).toBeUndefined();
  });

  it('sees a user removed by another connection, and by its own', async () => {
    await store.sessions.insert(session('k2'), NO_CAPS, NOW);
    await cached();
    await other.users.delete(user.key);
    expect((await store.sessions.getWithUser('k1', NOW))?.user).toBeUndefined();
    await store.users.create(user);
    expect((await store.sessions.getWithUser('k2', NOW))?.user).toEqual(user);
    await store.users.delete(user.key);
    expect((await store.sessions.getWithUser('k2', NOW))?.user).toBeUndefined();
  });

  it('sees a permission changed by another connection, and by its own', async () => {
    const before = (await cached()).authzVersion;
    await other.authorization.setPermission({ principal: user.key, group: false, role: 'ReadOnly' });
    const changed = (await store.sessions.getWithUser('k1', NOW))!.authzVersion;
    expect(changed).toBeGreaterThan(before);
    await cached();
    await store.authorization.setPermission({ principal: user.key, group: false, role: 'Administrator' });
    expect((await store.sessions.getWithUser('k1', NOW))!.authzVersion).toBeGreaterThan(changed);
  });

  it('sees a directory session\'s groups read again by another connection', async () => {
    const directory = { name: 'ann', domain: 'example.com', groups: ['ops@example.com'], groupsReadAt: NOW };
    await store.sessions.insert(session('d1', { userKey: 'ann@example.com', directory }), NO_CAPS, NOW);
    const first = await store.sessions.getWithUser('d1', NOW);
    expect(Object.isFrozen(first!.session.directory!.groups)).toBe(true);
    await other.sessions.updateDirectoryAccount('d1', { ...directory, groups: ['admins@example.com'], groupsReadAt: NOW + 1 }, NOW);
    expect((await store.sessions.getWithUser('d1', NOW))?.session.directory?.groups).toEqual(['admins@example.com']);
  });

  it('sees a session touched by another connection with its new times', async () => {
    await cached();
    await other.sessions.touch('k1', NOW + 500, NOW + 1500);
    expect((await store.sessions.getWithUser('k1', NOW + 600))?.session).toMatchObject({ lastAccessedAt: NOW + 500, expiresAt: NOW + 1500 });
  });

  it('keeps its cache across its own touches and new sessions, with the touched times', async () => {
    await cached();
    await store.sessions.touch('k1', NOW + 500, NOW + 1500);
    const touched = await store.sessions.getWithUser('k1', NOW + 1200);
    expect(touched?.session).toMatchObject({ lastAccessedAt: NOW + 500, expiresAt: NOW + 1500 });
    await store.sessions.insert(session('k2'), NO_CAPS, NOW);
    expect(await store.sessions.getWithUser('k1', NOW + 1200)).toBe(touched);
  });

  it('still sees another connection\'s change made before its own touch', async () => {
    await cached();
    await other.users.delete(user.key);
    await store.sessions.touch('k1', NOW + 500, NOW + 1500);
    expect((await store.sessions.getWithUser('k1', NOW))?.user).toBeUndefined();
  });

  it('keeps at most its capacity, the oldest read leaving first', async () => {
    const small = new SqliteStore({ file: join(dir, 'db.sqlite'), cacheSize: 2 });
    for (const key of ['k2', 'k3']) await small.sessions.insert(session(key), NO_CAPS, NOW);
    const k1 = await small.sessions.getWithUser('k1', NOW);
    const k2 = await small.sessions.getWithUser('k2', NOW);
    await small.sessions.getWithUser('k3', NOW);
    expect(await small.sessions.getWithUser('k2', NOW)).toBe(k2);
    expect(await small.sessions.getWithUser('k1', NOW)).not.toBe(k1);
    await small.close();
  });
});
