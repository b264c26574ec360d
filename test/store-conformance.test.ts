import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRecord, Store, TaskRecord, UserRecord } from '../src/store/store.js';
import { storeFactories } from './helpers/test-server.js';

const NOW = Date.UTC(2025, 0, 1);
const NO_CAPS = { perUser: 0, total: 0 };

function session(key: string, userKey = 'a@vsphere.local', expiresAt = NOW + 1000): SessionRecord {
  return { key, userKey, createdAt: NOW, lastAccessedAt: NOW, absoluteExpiresAt: NOW + 10_000, expiresAt };
}

function user(name: string): UserRecord {
  return { key: `${name}@vsphere.local`, name, domain: 'vsphere.local', passwordHash: '$argon2id$x', createdAt: NOW };
}

function task(id: string, change: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    service: 'com.example.jobs',
    operation: 'run',
    description: { id: 'd', default_message: 'D', args: [] },
    status: 'RUNNING',
    cancelable: true,
    cancelRequested: false,
    userKey: 'a@vsphere.local',
    user: 'a@VSPHERE.LOCAL',
    createdAt: NOW,
    startTime: NOW,
    owner: 'node-1',
    heartbeatAt: NOW,
    ...change,
  };
}

for (const factory of storeFactories()) {
  describe(`the ${factory.kind} store`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => store.close());

    describe('sessions', () => {
      it('stores and reads a session until it expires', async () => {
        expect(await store.sessions.insert(session('k1'), NO_CAPS, NOW)).toBe('created');
        expect((await store.sessions.getWithUser('k1', NOW))?.session).toEqual(session('k1'));
        expect((await store.sessions.getWithUser('k1', NOW + 999))?.session).toBeDefined();
        expect((await store.sessions.getWithUser('k1', NOW + 1000))?.session).toBeUndefined();
        expect((await store.sessions.getWithUser('unknown', NOW))?.session).toBeUndefined();
      });

      it('reads a session together with its account and the authorization version, and without the account once it is gone', async () => {
        await store.users.create(user('a'));
        await store.sessions.insert(session('k1'), NO_CAPS, NOW);
        const version = await store.authorization.version();
        expect(await store.sessions.getWithUser('k1', NOW)).toEqual({ session: session('k1'), user: user('a'), authzVersion: version });
        await store.authorization.setPermission({ principal: 'a@vsphere.local', group: false, role: 'Administrator' });
        const changed = await store.authorization.version();
        expect(changed).toBeGreaterThan(version);
        expect((await store.sessions.getWithUser('k1', NOW))?.authzVersion).toBe(changed);
        await store.users.delete('a@vsphere.local');
        expect(await store.sessions.getWithUser('k1', NOW)).toEqual({ session: session('k1'), user: undefined, authzVersion: changed });
        expect(await store.sessions.getWithUser('k1', NOW + 1000)).toBeUndefined();
      });

      it('keeps the directory account of a directory session, without any user record', async () => {
        const directory = { name: 'Ann', domain: 'example.com', groups: ['admins@example.com', 'ops@example.com'], groupsReadAt: NOW };
        await store.sessions.insert({ ...session('d1', 'ann@example.com'), directory }, NO_CAPS, NOW);
        expect(await store.sessions.getWithUser('d1', NOW)).toEqual({
          session: { ...session('d1', 'ann@example.com'), directory },
          user: undefined,
          authzVersion: await store.authorization.version(),
        });
        expect((await store.sessions.getWithUser('d1', NOW))?.session.directory?.groups).not.toBe(directory.groups);
      });

      it('replaces the groups of a live directory session, and of no other session', async () => {
        const directory = { name: 'ann', domain: 'example.com', groups: ['admins@example.com'], groupsReadAt: NOW };
        await store.sessions.insert({ ...session('d1', 'ann@example.com'), directory }, NO_CAPS, NOW);
        await store.sessions.insert(session('k1'), NO_CAPS, NOW);
        const refreshed = { ...directory, groups: [], groupsReadAt: NOW + 300 };
        await store.sessions.updateDirectoryAccount('d1', refreshed, NOW + 300);
        await store.sessions.updateDirectoryAccount('k1', refreshed, NOW + 300);
        await store.sessions.updateDirectoryAccount('missing', refreshed, NOW + 300);
        await store.sessions.touch('d1', NOW + 400, NOW + 1400);
        expect((await store.sessions.getWithUser('d1', NOW + 400))?.session).toMatchObject({ directory: refreshed, lastAccessedAt: NOW + 400 });
        expect((await store.sessions.getWithUser('k1', NOW + 400))?.session.directory).toBeUndefined();
        expect((await store.sessions.getWithUser('missing', NOW + 400))?.session).toBeUndefined();
        await store.sessions.updateDirectoryAccount('d1', { ...directory, groupsReadAt: NOW + 2000 }, NOW + 2000);
        expect((await store.sessions.getWithUser('d1', NOW + 1000))?.session.directory).toEqual(refreshed);
      });

      it('moves last access and expiry on touch, and ignores a touch of a missing session', async () => {
        await store.sessions.insert(session('k1'), NO_CAPS, NOW);
        await store.sessions.touch('k1', NOW + 500, NOW + 1500);
        expect((await store.sessions.getWithUser('k1', NOW + 1200))?.session).toMatchObject({ lastAccessedAt: NOW + 500, expiresAt: NOW + 1500 });
        await store.sessions.touch('missing', NOW, NOW + 1000);
        expect((await store.sessions.getWithUser('missing', NOW))?.session).toBeUndefined();
      });

      it('never revives an expired session by touching it', async () => {
        await store.sessions.insert(session('k1', 'a', NOW + 100), NO_CAPS, NOW);
        await store.sessions.touch('k1', NOW + 100, NOW + 5000);
        expect((await store.sessions.getWithUser('k1', NOW + 200))?.session).toBeUndefined();
      });

      it('deletes a live session once, and reports an expired one as not deleted', async () => {
        await store.sessions.insert(session('k1'), NO_CAPS, NOW);
        await store.sessions.insert(session('k2'), NO_CAPS, NOW);
        expect(await store.sessions.delete('k1', NOW)).toBe(true);
        expect(await store.sessions.delete('k1', NOW)).toBe(false);
        expect((await store.sessions.getWithUser('k1', NOW))?.session).toBeUndefined();
        expect(await store.sessions.delete('k2', NOW + 1000)).toBe(false);
      });

      it('keeps the scheme and client address a session was created from, and a session without them', async () => {
        const origin = { ...session('k1'), scheme: 'com.vmware.vapi.std.security.user_pass', clientAddress: '::ffff:10.0.0.7' };
        await store.sessions.insert(origin, NO_CAPS, NOW);
        await store.sessions.insert(session('k2'), NO_CAPS, NOW);
        expect((await store.sessions.getWithUser('k1', NOW))?.session).toEqual(origin);
        expect((await store.sessions.getWithUser('k2', NOW))?.session).toEqual(session('k2'));
      });

      it('lists the live sessions, all or one user\'s, oldest first, with their last access', async () => {
        await store.sessions.insert({ ...session('b1', 'b'), createdAt: NOW - 20, scheme: 'oauth', clientAddress: '10.0.0.1' }, NO_CAPS, NOW);
        await store.sessions.insert({ ...session('a1', 'a'), createdAt: NOW - 10 }, NO_CAPS, NOW);
        await store.sessions.insert(session('a2', 'a', NOW + 50), NO_CAPS, NOW);
        await store.sessions.touch('a1', NOW + 5, NOW + 2000);
        expect((await store.sessions.list(NOW)).map((s) => s.key)).toEqual(['b1', 'a1', 'a2']);
        expect(await store.sessions.list(NOW, 'a')).toEqual([
          { ...session('a1', 'a'), createdAt: NOW - 10, lastAccessedAt: NOW + 5, expiresAt: NOW + 2000 },
          session('a2', 'a', NOW + 50),
        ]);
        expect(await store.sessions.list(NOW, 'b')).toEqual([{ ...session('b1', 'b'), createdAt: NOW - 20, scheme: 'oauth', clientAddress: '10.0.0.1' }]);
        // Expired and deleted sessions are not listed.
        expect((await store.sessions.list(NOW + 50, 'a')).map((s) => s.key)).toEqual(['a1']);
        await store.sessions.delete('b1', NOW);
        expect((await store.sessions.list(NOW)).map((s) => s.key)).toEqual(['a1', 'a2']);
        expect(await store.sessions.list(NOW, 'nobody')).toEqual([]);
      });

      it('enforces the per-user cap over live sessions only', async () => {
        const caps = { perUser: 2, total: 0 };
        expect(await store.sessions.insert(session('a1', 'a', NOW + 100), caps, NOW)).toBe('created');
        expect(await store.sessions.insert(session('a2', 'a'), caps, NOW)).toBe('created');
        expect(await store.sessions.insert(session('a3', 'a'), caps, NOW)).toBe('user_cap');
        expect(await store.sessions.insert(session('b1', 'b'), caps, NOW)).toBe('created');
        // a1 has expired by now: a's live count is 1 again.
        expect(await store.sessions.insert(session('a4', 'a', NOW + 1000), caps, NOW + 100)).toBe('created');
        expect((await store.sessions.getWithUser('a3', NOW))?.session).toBeUndefined();
      });

      it('enforces the total cap over live sessions only', async () => {
        const caps = { perUser: 0, total: 2 };
        expect(await store.sessions.insert(session('a1', 'a', NOW + 100), caps, NOW)).toBe('created');
        expect(await store.sessions.insert(session('b1', 'b'), caps, NOW)).toBe('created');
        expect(await store.sessions.insert(session('c1', 'c'), caps, NOW)).toBe('total_cap');
        expect(await store.sessions.insert(session('c2', 'c'), caps, NOW + 100)).toBe('created');
      });

      it('frees deleted sessions from the caps', async () => {
        const caps = { perUser: 1, total: 1 };
        await store.sessions.insert(session('a1', 'a'), caps, NOW);
        await store.sessions.delete('a1', NOW);
        expect(await store.sessions.insert(session('a2', 'a'), caps, NOW)).toBe('created');
      });

      it('counts the sessions live at a moment', async () => {
        expect(await store.sessions.countLive(NOW)).toBe(0);
        await store.sessions.insert(session('short', 'a', NOW + 10), NO_CAPS, NOW);
        await store.sessions.insert(session('long', 'b', NOW + 1000), NO_CAPS, NOW);
        await store.sessions.insert(session('gone', 'b', NOW + 1000), NO_CAPS, NOW);
        await store.sessions.delete('gone', NOW);
        expect(await store.sessions.countLive(NOW)).toBe(2);
        expect(await store.sessions.countLive(NOW + 10)).toBe(1);
      });

      it('purges expired sessions and keeps live ones', async () => {
        await store.sessions.insert(session('old', 'a', NOW + 10), NO_CAPS, NOW);
        await store.sessions.insert(session('live', 'a', NOW + 1000), NO_CAPS, NOW);
        await store.purgeExpired(NOW + 10);
        await store.sessions.touch('old', NOW + 20, NOW + 5000); // a purged session stays gone
        expect((await store.sessions.getWithUser('old', NOW + 20))?.session).toBeUndefined();
        expect((await store.sessions.getWithUser('live', NOW + 20))?.session).toBeDefined();
      });
    });

    describe('users', () => {
      it('creates a user once', async () => {
        expect(await store.users.create(user('ann'))).toBe(true);
        expect(await store.users.create({ ...user('ann'), passwordHash: 'other' })).toBe(false);
        expect(await store.users.get('ann@vsphere.local')).toEqual(user('ann'));
        expect(await store.users.get('bob@vsphere.local')).toBeUndefined();
      });

      it('lists, updates and deletes users', async () => {
        await store.users.create(user('bob'));
        await store.users.create(user('ann'));
        expect((await store.users.list()).map((u) => u.name).sort()).toEqual(['ann', 'bob']);
        expect(await store.users.update('ann@vsphere.local', { passwordHash: 'h2' })).toBe(true);
        expect(await store.users.get('ann@vsphere.local')).toMatchObject({ passwordHash: 'h2' });
        expect(await store.users.update('zed@vsphere.local', { passwordHash: 'h3' })).toBe(false);
        expect(await store.users.delete('ann@vsphere.local')).toBe(true);
        expect(await store.users.delete('ann@vsphere.local')).toBe(false);
        expect(await store.users.get('ann@vsphere.local')).toBeUndefined();
      });

      it('hands out copies, so a caller cannot change stored state by mutating a result', async () => {
        await store.users.create(user('ann'));
        const read = await store.users.get('ann@vsphere.local');
        read!.passwordHash = 'changed';
        expect((await store.users.get('ann@vsphere.local'))!.passwordHash).toBe('$argon2id$x');
      });

      it('finds a solution user by its certificate, and gives each certificate to one user only', async () => {
        const vpxd = { ...user('vpxd'), passwordHash: '', certificate: 'MIIBcert+A==' };
        expect(await store.users.create(vpxd)).toBe(true);
        expect(await store.users.create({ ...user('other'), passwordHash: '', certificate: vpxd.certificate })).toBe(false);
        expect(await store.users.get('other@vsphere.local')).toBeUndefined();
        expect(await store.users.findByCertificate(vpxd.certificate)).toEqual(vpxd);
        expect(await store.users.get('vpxd@vsphere.local')).toEqual(vpxd);
        expect(await store.users.findByCertificate('MIIBother==')).toBeUndefined();
        await store.users.create(user('ann'));
        expect(await store.users.findByCertificate('')).toBeUndefined();
        expect(await store.users.get('ann@vsphere.local')).not.toHaveProperty('certificate');
        expect(await store.users.delete('vpxd@vsphere.local')).toBe(true);
        expect(await store.users.findByCertificate(vpxd.certificate)).toBeUndefined();
        // Freed with its user: the certificate may be registered again.
        expect(await store.users.create({ ...user('again'), passwordHash: '', certificate: vpxd.certificate })).toBe(true);
        expect((await store.users.findByCertificate(vpxd.certificate))!.name).toBe('again');
      });

      it('reads a solution user with its session, as any other account', async () => {
        const vpxd = { ...user('vpxd'), passwordHash: '', certificate: 'MIIBcert+A==' };
        await store.users.create(vpxd);
        await store.sessions.insert(session('sv', 'vpxd@vsphere.local'), NO_CAPS, NOW);
        expect((await store.sessions.getWithUser('sv', NOW))!.user).toEqual(vpxd);
      });
    });
    describe('tasks', () => {
      it('stores a task and forgets it once its retention ends', async () => {
        await store.tasks.create(task('t1', { status: 'SUCCEEDED', endTime: NOW, expiresAt: NOW + 100 }));
        expect(await store.tasks.get('t1', NOW + 99)).toEqual(task('t1', { status: 'SUCCEEDED', endTime: NOW, expiresAt: NOW + 100 }));
        expect(await store.tasks.get('t1', NOW + 100)).toBeUndefined();
        await store.purgeExpired(NOW + 100);
        expect(await store.tasks.list({ ids: ['t1'] }, NOW, 10)).toEqual([]);
      });

      it('applies an update only while the status is one of those given', async () => {
        await store.tasks.create(task('t1'));
        expect(await store.tasks.update('t1', { status: 'SUCCEEDED', endTime: NOW + 5 }, ['RUNNING'])).toBe(true);
        expect(await store.tasks.update('t1', { status: 'FAILED' }, ['RUNNING'])).toBe(false);
        expect(await store.tasks.get('t1', NOW)).toMatchObject({ status: 'SUCCEEDED', endTime: NOW + 5 });
        expect(await store.tasks.update('missing', { status: 'FAILED' }, ['RUNNING'])).toBe(false);
      });

      it('records a cancel request once, and only for an unfinished cancelable task', async () => {
        await store.tasks.create(task('t1'));
        await store.tasks.create(task('t2', { cancelable: false }));
        await store.tasks.create(task('t3', { status: 'SUCCEEDED' }));
        expect(await store.tasks.requestCancel('t1', NOW)).toBe('requested');
        expect(await store.tasks.requestCancel('t1', NOW)).toBe('already_requested');
        expect((await store.tasks.get('t1', NOW))!.cancelRequested).toBe(true);
        expect(await store.tasks.requestCancel('t2', NOW)).toBe('not_cancelable');
        expect(await store.tasks.requestCancel('t3', NOW)).toBe('finished');
        expect(await store.tasks.requestCancel('t4', NOW)).toBe('missing');
      });

      it('lists tasks matching every given filter field, up to the limit', async () => {
        await store.tasks.create(task('a', { createdAt: NOW }));
        await store.tasks.create(task('b', { createdAt: NOW + 1, service: 'com.example.other', userKey: 'b@vsphere.local' }));
        await store.tasks.create(task('c', { createdAt: NOW + 2, operation: 'stop', status: 'FAILED', target: { type: 'Job', id: 'x' } }));
        const ids = async (filter: object, limit = 10) => (await store.tasks.list(filter, NOW, limit)).map((t) => t.id);
        expect(await ids({})).toEqual(['a', 'b', 'c']);
        expect(await ids({ ids: ['a', 'c', 'zzz'] })).toEqual(['a', 'c']);
        expect(await ids({ services: ['com.example.jobs'] })).toEqual(['a', 'c']);
        expect(await ids({ operations: ['stop'] })).toEqual(['c']);
        expect(await ids({ statuses: ['RUNNING'] })).toEqual(['a', 'b']);
        expect(await ids({ userKeys: ['b@vsphere.local'] })).toEqual(['b']);
        expect(await ids({ targets: [{ type: 'Job', id: 'x' }] })).toEqual(['c']);
        expect(await ids({ services: ['com.example.jobs'], statuses: ['RUNNING'] })).toEqual(['a']);
        expect(await ids({}, 2)).toEqual(['a', 'b']);
      });

      it('finds unfinished tasks whose owner has gone silent', async () => {
        await store.tasks.create(task('stale', { heartbeatAt: NOW - 1000 }));
        await store.tasks.create(task('fresh', { heartbeatAt: NOW }));
        await store.tasks.create(task('done', { heartbeatAt: NOW - 1000, status: 'SUCCEEDED' }));
        expect((await store.tasks.listOrphans(NOW - 500, 10)).map((t) => t.id)).toEqual(['stale']);
      });
    });
    describe('key-value records', () => {
      it('counts within a fixed window that starts with the first increment', async () => {
        expect(await store.kv.increment('c', 1000, NOW)).toBe(1);
        expect(await store.kv.increment('c', 1000, NOW + 500)).toBe(2);
        expect(await store.kv.increment('c', 1000, NOW + 999)).toBe(3);
        expect(await store.kv.increment('c', 1000, NOW + 1000)).toBe(1);
        expect(await store.kv.increment('other', 1000, NOW + 1000)).toBe(1);
      });

      it('loses no increment when many arrive at once', async () => {
        const counts = await Promise.all(Array.from({ length: 200 }, () => store.kv.increment('burst', 60_000, NOW)));
        expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      });

      it('keeps a value until it expires, and deletes values and counters', async () => {
        await store.kv.put('v', 'locked', NOW + 100, NOW);
        expect(await store.kv.get('v', NOW + 99)).toBe('locked');
        expect(await store.kv.get('v', NOW + 100)).toBeUndefined();
        await store.kv.put('v', 'again', NOW + 500, NOW);
        await store.kv.delete('v');
        expect(await store.kv.get('v', NOW)).toBeUndefined();
        await store.kv.increment('c', 1000, NOW);
        await store.kv.delete('c');
        expect(await store.kv.increment('c', 1000, NOW)).toBe(1);
      });
    });

    describe('bounded sets', () => {
      const member = (id: string, expiresIn: number, group = 'g') => ({ id, group, expiresAt: NOW + expiresIn });
      const noGroupCap = { members: 3, groups: 0 };

      it('admits members up to the cap, then tells when the earliest one frees; a member already in is admitted again', async () => {
        for (const [id, life] of [['a', 300], ['b', 100], ['c', 200]] as const) expect(await store.kv.claim('set', member(id, life), noGroupCap, NOW)).toEqual({ ok: true });
        expect(await store.kv.claim('set', member('d', 300), noGroupCap, NOW + 50)).toEqual({ ok: false, freesAt: NOW + 100 });
        expect(await store.kv.claim('set', member('a', 300), noGroupCap, NOW + 50)).toEqual({ ok: true });
        expect(await store.kv.claim('set', member('d', 300), noGroupCap, NOW + 100)).toEqual({ ok: true });
        expect(await store.kv.claim('other', member('d', 300), noGroupCap, NOW)).toEqual({ ok: true });
      });

      it('caps the distinct groups: a member of a new group is refused, one of a known group admitted', async () => {
        const caps = { members: 0, groups: 2 };
        expect(await store.kv.claim('ips', member('t1', 1000, '10.0.0.1'), caps, NOW)).toEqual({ ok: true });
        expect(await store.kv.claim('ips', member('t2', 500, '10.0.0.2'), caps, NOW)).toEqual({ ok: true });
        expect(await store.kv.claim('ips', member('t3', 1000, '10.0.0.3'), caps, NOW)).toEqual({ ok: false, freesAt: NOW + 500 });
        expect(await store.kv.claim('ips', member('t4', 1000, '10.0.0.1'), caps, NOW)).toEqual({ ok: true });
        expect(await store.kv.claim('ips', member('t3', 1000, '10.0.0.3'), caps, NOW + 500)).toEqual({ ok: true });
      });

      it('frees the place of a released member at once', async () => {
        const caps = { members: 1, groups: 1 };
        expect(await store.kv.claim('one', member('a', 1000, 'x'), caps, NOW)).toEqual({ ok: true });
        expect((await store.kv.claim('one', member('b', 1000, 'y'), caps, NOW)).ok).toBe(false);
        await store.kv.release('one', 'a');
        expect(await store.kv.claim('one', member('b', 1000, 'y'), caps, NOW)).toEqual({ ok: true });
      });

      it('admits exactly the cap when many claim at once', async () => {
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.kv.claim('race', member(`m${i}`, 60_000, `g${i % 7}`), { members: 10, groups: 0 }, NOW)));
        expect(results.filter((result) => result.ok)).toHaveLength(10);
      });
    });

    describe('roles and permissions', () => {
      const ops = { name: 'Ops', privileges: ['System.Read', 'Host.Config.Firmware'] };
      const permission = (principal: string, role: string, group = false) => ({ principal, group, role });

      it('starts empty at version 0 and moves the version on with every change, and only then', async () => {
        expect(await store.authorization.snapshot()).toEqual({ version: 0, roles: [], permissions: [] });
        const versions = [0];
        const moved = async () => {
          const version = await store.authorization.version();
          expect(version).toBeGreaterThan(versions.at(-1)!);
          versions.push(version);
        };
        const unchanged = async () => expect(await store.authorization.version()).toBe(versions.at(-1));
        expect(await store.authorization.createRole(ops)).toBe(true);
        await moved();
        expect(await store.authorization.createRole({ ...ops, privileges: [] })).toBe(false);
        await unchanged();
        expect(await store.authorization.updateRole({ ...ops, privileges: ['System.Read'] })).toBe(true);
        await moved();
        expect(await store.authorization.updateRole({ name: 'Missing', privileges: [] })).toBe(false);
        await unchanged();
        expect(await store.authorization.setPermission(permission('a@vsphere.local', 'Ops'))).toBe('set');
        await moved();
        expect(await store.authorization.setPermission(permission('admins@example.com', 'Administrator', true))).toBe('set');
        await moved();
        // At least the time in ms: a store that lost its data and starts again still moves past every earlier version.
        expect(versions.at(-1)).toBeGreaterThanOrEqual(NOW);
        expect(await store.authorization.snapshot()).toEqual({
          version: versions.at(-1),
          roles: [{ name: 'Ops', privileges: ['System.Read'] }],
          permissions: expect.arrayContaining([permission('a@vsphere.local', 'Ops'), permission('admins@example.com', 'Administrator', true)]),
        });
      });

      it('gives a principal one permission, replaced by the next; a user and a group of the same name are apart', async () => {
        await store.authorization.createRole(ops);
        await store.authorization.setPermission(permission('x@vsphere.local', 'ReadOnly'));
        await store.authorization.setPermission(permission('x@vsphere.local', 'Ops'));
        await store.authorization.setPermission(permission('x@vsphere.local', 'NoAccess', true));
        expect((await store.authorization.snapshot()).permissions).toHaveLength(2);
        expect(await store.authorization.removePermission('x@vsphere.local', false)).toBe('removed');
        expect(await store.authorization.removePermission('x@vsphere.local', false)).toBe('missing');
        expect((await store.authorization.snapshot()).permissions).toEqual([permission('x@vsphere.local', 'NoAccess', true)]);
      });

      it('refuses a permission for a role that does not exist, and the removal of a role still given', async () => {
        expect(await store.authorization.setPermission(permission('a@vsphere.local', 'Ghost'))).toBe('no_role');
        expect(await store.authorization.version()).toBe(0);
        await store.authorization.createRole(ops);
        await store.authorization.setPermission(permission('g@vsphere.local', 'Ops', true));
        expect(await store.authorization.removeRole('Ops')).toBe('in_use');
        await store.authorization.removePermission('g@vsphere.local', true);
        expect(await store.authorization.removeRole('Ops')).toBe('removed');
        expect(await store.authorization.removeRole('Ops')).toBe('missing');
      });

      it('keeps the last permission giving a role when asked, and changes nothing then', async () => {
        await store.authorization.setPermission(permission('a@vsphere.local', 'Administrator'));
        await store.authorization.setPermission(permission('r@vsphere.local', 'ReadOnly'));
        const version = await store.authorization.version();
        expect(await store.authorization.removePermission('a@vsphere.local', false, 'Administrator')).toBe('last_holder');
        expect(await store.authorization.setPermission(permission('a@vsphere.local', 'ReadOnly'), 'Administrator')).toBe('last_holder');
        expect(await store.authorization.version()).toBe(version);
        // Giving the role itself again, and changing others, is no loss.
        expect(await store.authorization.setPermission(permission('a@vsphere.local', 'Administrator'), 'Administrator')).toBe('set');
        expect(await store.authorization.removePermission('r@vsphere.local', false, 'Administrator')).toBe('removed');
        expect(await store.authorization.removePermission('ghost@vsphere.local', false, 'Administrator')).toBe('missing');
        await store.authorization.setPermission(permission('admins@example.com', 'Administrator', true));
        expect(await store.authorization.removePermission('a@vsphere.local', false, 'Administrator')).toBe('removed');
        expect(await store.authorization.removePermission('admins@example.com', true, 'Administrator')).toBe('last_holder');
        // Without `keep`, nothing is kept.
        expect(await store.authorization.removePermission('admins@example.com', true)).toBe('removed');
      });

      it('never lets concurrent changes take the last permission giving a role together', async () => {
        for (let round = 0; round < 10; round++) {
          await store.authorization.setPermission(permission('a@vsphere.local', 'Administrator'));
          await store.authorization.setPermission(permission('b@vsphere.local', 'Administrator'));
          const results = await Promise.all([
            store.authorization.removePermission('a@vsphere.local', false, 'Administrator'),
            store.authorization.setPermission(permission('b@vsphere.local', 'ReadOnly'), 'Administrator'),
          ]);
          const { permissions } = await store.authorization.snapshot();
          expect(permissions.filter((p) => p.role === 'Administrator'), `round ${round}: ${results.join('/')}`).toHaveLength(1);
          expect(results.filter((result) => result === 'last_holder')).toHaveLength(1);
        }
      });

      it('never lets a permission point at a role removed at the same moment', async () => {
        for (let round = 0; round < 10; round++) {
          await store.authorization.createRole(ops);
          const [removed, set] = await Promise.all([store.authorization.removeRole('Ops'), store.authorization.setPermission(permission('r@vsphere.local', 'Ops'))]);
          const { roles, permissions } = await store.authorization.snapshot();
          const dangling = permissions.filter((p) => p.role === 'Ops' && !roles.some((r) => r.name === 'Ops'));
          expect(dangling, `round ${round}: ${removed}/${set}`).toEqual([]);
          await store.authorization.removePermission('r@vsphere.local', false);
          await store.authorization.removeRole('Ops');
        }
      });

      it('keeps the catalog of published privileges, once each', async () => {
        await store.authorization.publishPrivileges(['B.Two', 'A.One']);
        await store.authorization.publishPrivileges(['A.One']);
        expect(await store.authorization.publishedPrivileges()).toEqual(['A.One', 'B.Two']);
        expect(await store.authorization.version()).toBe(0);
      });
    });

    describe('privilege checks', () => {
      const check = (privilege: string, opId = 'op-1') => ({
        principal: { name: 'ann', domain: 'vsphere.local' },
        session: 'hash',
        opId,
        privilege,
        object: { type: 'Folder', id: 'group-d1' },
      });

      it('numbers checks from 1 in the order appended, a check made again as a new one', async () => {
        expect(await store.privilegeChecks.latest()).toBe(0);
        expect(await store.privilegeChecks.after(0, 10)).toEqual({ oldest: 1, checks: [] });
        await store.privilegeChecks.append([check('System.Read'), check('A.B')], 100);
        await store.privilegeChecks.append([check('A.B'), check('A.B', 'op-2')], 100);
        expect(await store.privilegeChecks.latest()).toBe(4);
        expect(await store.privilegeChecks.after(0, 10)).toEqual({
          oldest: 1,
          checks: [{ ...check('System.Read'), seq: 1 }, { ...check('A.B'), seq: 2 }, { ...check('A.B'), seq: 3 }, { ...check('A.B', 'op-2'), seq: 4 }],
        });
        expect((await store.privilegeChecks.after(1, 1)).checks).toEqual([{ ...check('A.B'), seq: 2 }]);
      });

      it('keeps only the newest checks up to the capacity, numbers going on', async () => {
        await store.privilegeChecks.append(Array.from({ length: 7 }, (_, i) => check(`P.n${i}`)), 5);
        expect(await store.privilegeChecks.latest()).toBe(7);
        const { oldest, checks } = await store.privilegeChecks.after(0, 100);
        expect(oldest).toBe(3);
        expect(checks.map((c) => c.seq)).toEqual([3, 4, 5, 6, 7]);
        await store.privilegeChecks.append([check('P.n0')], 5);
        expect((await store.privilegeChecks.after(7, 10)).checks).toEqual([{ ...check('P.n0'), seq: 8 }]);
      });

      it('keeps an anonymous check, without principal or session', async () => {
        const anonymous = { opId: 'x', privilege: 'System.Anonymous', object: { type: 'Folder', id: 'group-d1' } };
        await store.privilegeChecks.append([anonymous], 10);
        expect((await store.privilegeChecks.after(0, 10)).checks).toEqual([{ ...anonymous, seq: 1 }]);
      });

      it('numbers checks appended at the same moment without a gap or a repeat', async () => {
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.privilegeChecks.append([check(`P.c${i}`), check(`P.d${i}`)], 1000)));
        const { checks } = await store.privilegeChecks.after(0, 1000);
        expect(checks.map((c) => c.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      });
    });

    describe('verification keys', () => {
      const key = (id: string, trustedUntil: number, use: 'jwt' | 'sts' = 'jwt') => ({ use, id, material: `public ${id}`, trustedUntil });
      const ids = async (now: number) => (await store.verificationKeys.list(now)).keys.map((k) => `${k.use}:${k.id}`).sort();

      it('lists published keys while they are trusted, each use apart', async () => {
        expect(await store.verificationKeys.publish(key('a', NOW + 100))).toBe('published');
        expect(await store.verificationKeys.publish(key('a', NOW + 500, 'sts'))).toBe('published');
        expect((await store.verificationKeys.list(NOW)).keys).toEqual(expect.arrayContaining([key('a', NOW + 100), key('a', NOW + 500, 'sts')]));
        expect(await ids(NOW + 99)).toEqual(['jwt:a', 'sts:a']);
        expect(await ids(NOW + 100)).toEqual(['sts:a']);
        await store.purgeExpired(NOW + 100);
        expect(await ids(NOW)).toEqual(['sts:a']);
      });

      it('keeps when a key was made, and lists a key published without it as it was', async () => {
        await store.verificationKeys.publish({ ...key('a', NOW + 500), createdAt: NOW - 7 });
        await store.verificationKeys.publish(key('b', NOW + 500));
        await store.verificationKeys.publish({ ...key('a', NOW + 900), createdAt: NOW - 7 });
        const listed = (await store.verificationKeys.list(NOW)).keys.sort((x, y) => x.id.localeCompare(y.id));
        expect(listed).toEqual([{ ...key('a', NOW + 900), createdAt: NOW - 7 }, key('b', NOW + 500)]);
      });

      it('moves trustedUntil later, never earlier', async () => {
        await store.verificationKeys.publish(key('a', NOW + 500));
        await store.verificationKeys.publish(key('a', NOW + 100));
        expect(await ids(NOW + 499)).toEqual(['jwt:a']);
        await store.verificationKeys.publish(key('a', NOW + 1000));
        expect(await ids(NOW + 999)).toEqual(['jwt:a']);
      });

      it('withdraws a key for good, and tells whether it was trusted', async () => {
        await store.verificationKeys.publish(key('a', NOW + 500));
        await store.verificationKeys.publish(key('b', NOW + 500));
        await store.verificationKeys.publish(key('old', NOW + 10));
        expect(await store.verificationKeys.withdraw('jwt', 'a', NOW)).toBe(true);
        expect(await ids(NOW)).toEqual(['jwt:b', 'jwt:old']);
        expect(await store.verificationKeys.publish(key('a', NOW + 5000))).toBe('withdrawn');
        expect(await ids(NOW)).toEqual(['jwt:b', 'jwt:old']);
        expect(await store.verificationKeys.withdraw('jwt', 'a', NOW)).toBe(false);
        expect(await store.verificationKeys.withdraw('jwt', 'old', NOW + 10)).toBe(false);
        // A key never published (its node is down) can be withdrawn before it is.
        expect(await store.verificationKeys.withdraw('sts', 'later', NOW)).toBe(false);
        expect(await store.verificationKeys.publish(key('later', NOW + 500, 'sts'))).toBe('withdrawn');
        await store.purgeExpired(NOW + 1000);
        expect(await store.verificationKeys.publish(key('a', NOW + 5000))).toBe('withdrawn');
      });

      it('moves the version with every change of the set, and only then', async () => {
        const start = await store.verificationKeys.version();
        expect((await store.verificationKeys.list(NOW)).version).toBe(start);
        await store.verificationKeys.publish(key('a', NOW + 500));
        const published = await store.verificationKeys.version();
        expect(published).not.toBe(start);
        await store.verificationKeys.publish(key('a', NOW + 400));
        expect(await store.verificationKeys.version()).toBe(published);
        await store.verificationKeys.publish(key('a', NOW + 600));
        const extended = await store.verificationKeys.version();
        expect(extended).not.toBe(published);
        await store.verificationKeys.withdraw('jwt', 'a', NOW);
        const withdrawn = (await store.verificationKeys.list(NOW)).version;
        expect(withdrawn).not.toBe(extended);
        expect(withdrawn).toBe(await store.verificationKeys.version());
      });

      it('keeps every publication when many nodes publish at once', async () => {
        await Promise.all(Array.from({ length: 50 }, (_, i) => store.verificationKeys.publish(key(`k${i}`, NOW + 1000 + i))));
        expect(await ids(NOW)).toHaveLength(50);
      });
    });
  });
}
