import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import type { UserRecord } from './store.js';

/**
 * The sqlite store's reads kept while the database is unchanged (users, key-value records, the
 * authorization and key versions): a change by this connection, or by another one (another process;
 * here a second store on the same file), is seen by the next read.
 */

const NOW = Date.UTC(2025, 0, 1);
const user: UserRecord = { key: 'a@vsphere.local', name: 'a', domain: 'vsphere.local', passwordHash: '$argon2id$x', createdAt: NOW };

describe('the sqlite store\'s cached reads', () => {
  let dir: string;
  let store: SqliteStore;
  let other: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vapi-auth-read-caches-'));
    store = new SqliteStore({ file: join(dir, 'db.sqlite') });
    other = new SqliteStore({ file: join(dir, 'db.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a user: created, changed and removed elsewhere or here, seen next; a caller\'s change to a result stays its own', async () => {
    expect(await store.users.get(user.key)).toBeUndefined();
    await other.users.create(user);
    const found = await store.users.get(user.key);
    expect(found).toEqual(user);
    found!.passwordHash = 'changed by the caller';
    expect(await store.users.get(user.key)).toEqual(user);
    await other.users.update(user.key, { passwordHash: '$argon2id$y' });
    expect((await store.users.get(user.key))?.passwordHash).toBe('$argon2id$y');
    await store.users.update(user.key, { passwordHash: '$argon2id$z' });
    expect((await store.users.get(user.key))?.passwordHash).toBe('$argon2id$z');
    await other.users.delete(user.key);
    expect(await store.users.get(user.key)).toBeUndefined();
  });

  it('a key-value record: written, expired and deleted, elsewhere or here, seen next', async () => {
    expect(await store.kv.get('revoked:j', NOW)).toBeUndefined();
    await other.kv.put('revoked:j', '1', NOW + 1000, NOW);
    expect(await store.kv.get('revoked:j', NOW)).toBe('1');
    expect(await store.kv.get('revoked:j', NOW + 1000)).toBeUndefined(); // expired, whatever was read before
    await store.kv.put('lock:a', '1', NOW + 50, NOW);
    expect(await store.kv.get('lock:a', NOW)).toBe('1');
    expect(await other.kv.increment('lock:a', 1000, NOW + 60)).toBe(1);
    expect(await store.kv.get('lock:a', NOW + 60)).toBe('1');
    await other.kv.delete('revoked:j');
    expect(await store.kv.get('revoked:j', NOW)).toBeUndefined();
    expect(await store.kv.increment('n', 1000, NOW)).toBe(1);
    expect(await store.kv.get('n', NOW)).toBe('1');
    expect(await store.kv.increment('n', 1000, NOW)).toBe(2);
    expect(await store.kv.get('n', NOW)).toBe('2');
  });

  it('the authorization version: a permission or role changed elsewhere or here, seen next', async () => {
    const first = await store.authorization.version();
    await other.authorization.setPermission({ principal: user.key, group: false, role: 'ReadOnly' });
    const second = await store.authorization.version();
    expect(second).toBeGreaterThan(first);
    await store.authorization.setPermission({ principal: user.key, group: false, role: 'Administrator' });
    expect(await store.authorization.version()).toBeGreaterThan(second);
  });

  it('the verification key version: a key published or withdrawn elsewhere, seen next', async () => {
    const first = await store.verificationKeys.version();
    await other.verificationKeys.publish({ use: 'jwt', id: 'k1', material: '{}', trustedUntil: NOW + 60_000, createdAt: NOW });
    const second = await store.verificationKeys.version();
    expect(second).toBeGreaterThan(first);
    await other.verificationKeys.withdraw('jwt', 'k1', NOW);
    expect(await store.verificationKeys.version()).toBeGreaterThan(second);
  });
});
