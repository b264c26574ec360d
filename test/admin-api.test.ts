import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiBindings } from '../src/core/operations.js';
import type { AuditEvent } from '../src/observability/audit-trail.js';
import { ADMIN_PACKAGE } from '../src/services/admin/admin-services.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { basic, http, type HttpResponse } from './helpers/http.js';
import { ADMIN, ADMIN_PASSWORD, addUser, startTestServer, storeFactories, type TestServer } from './helpers/test-server.js';

const BASE = '/api/vapi-auth';
const PASSWORD = 'Adm1n-api-pw';

/** What a refusal looks like in `/api`: its status and error type. */
function refusal(response: HttpResponse): { status: number; type: string; text: string } {
  const body = response.json as { error_type: string; messages: { default_message: string }[] };
  return { status: response.status, type: body.error_type, text: body.messages.map((m) => m.default_message).join(' ') };
}

describe.each(storeFactories())('the administration API on the $kind store', (factory) => {
  let t: TestServer;
  const audited: AuditEvent[] = [];

  beforeAll(async () => {
    t = await startTestServer(await factory.open(), { onAuditEvent: (event) => audited.push(event), lockout: { maxFailures: 3 } });
    await addUser(t.server, 'nobody@vsphere.local', PASSWORD, 'NoAccess');
  });
  afterAll(async () => t.close());

  async function login(name: string, password = PASSWORD): Promise<string> {
    const response = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(name, password) });
    expect(response.status, `login of ${name}`).toBe(201);
    return response.json as string;
  }

  function call(session: string, method: string, path: string, body?: unknown): Promise<HttpResponse> {
    return http(`${t.url}${BASE}${path}`, { method, headers: { 'vmware-api-session-id': session }, ...(body === undefined ? {} : { body }) });
  }

  /** A fresh user with a role, and a session of it. */
  async function userWith(name: string, role: string): Promise<string> {
    await addUser(t.server, `${name}@vsphere.local`, PASSWORD, role);
    return login(`${name}@vsphere.local`);
  }

  describe('vapi_auth.sessions', () => {
    it('lists every live session with its handle, owner, times, scheme and address, marking the caller\'s own', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      const reader = await login('reader@vsphere.local', 'Read0nly');
      const response = await call(admin, 'GET', '/sessions');
      expect(response.status).toBe(200);
      const sessions = response.json as Record<string, unknown>[];
      const own = sessions.filter((session) => session.current === true);
      expect(own).toHaveLength(1);
      expect(own[0]).toMatchObject({ user: 'administrator@VSPHERE.LOCAL', scheme: 'com.vmware.vapi.std.security.user_pass', client_address: '127.0.0.1' });
      expect(own[0]!.session).toMatch(/^[0-9a-f]{12}$/);
      expect(Date.parse(own[0]!.created_time as string)).toBe(t.clock.now());
      expect(sessions.some((session) => session.user === 'reader@VSPHERE.LOCAL' && session.current === false)).toBe(true);
      // The reader sees the same sessions; only its own is current.
      const seen = (await call(reader, 'GET', '/sessions')).json as Record<string, unknown>[];
      expect(seen.find((session) => session.current)!.user).toBe('reader@VSPHERE.LOCAL');
    });

    it('the session list never shows a usable session id', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      const victim = await login('reader@vsphere.local', 'Read0nly');
      const response = await call(admin, 'GET', '/sessions');
      expect(response.text).not.toContain(victim);
      expect(response.text).not.toContain(admin);
      for (const { session } of response.json as { session: string }[]) {
        expect((await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': session } })).status).toBe(401);
      }
    });

    it('ends another user\'s session, which is refused on its next request; a second end is NOT_FOUND', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      const victim = await login('reader@vsphere.local', 'Read0nly');
      const { session } = ((await call(victim, 'GET', '/sessions')).json as { session: string; current: boolean }[]).find((s) => s.current)!;
      expect((await call(admin, 'DELETE', `/sessions/${session.slice(0, 8)}`)).status).toBe(204);
      expect((await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': victim } })).status).toBe(401);
      expect(refusal(await call(admin, 'DELETE', `/sessions/${session}`))).toMatchObject({ status: 404, type: 'NOT_FOUND' });
      const event = audited.findLast((e) => e.event === 'session.revoked')!;
      expect(event).toMatchObject({ user: 'reader@vsphere.local', target: session, operator: 'administrator@VSPHERE.LOCAL', scheme: 'session_id', client: '127.0.0.1', dialect: 'api' });
    });

    it('refuses a handle that is no hex prefix, or too short to name one session, with INVALID_ARGUMENT', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      for (const handle of ['12345', 'zzzzzzzz', 'a'.repeat(65)]) {
        expect(refusal(await call(admin, 'DELETE', `/sessions/${handle}`))).toMatchObject({ status: 400, type: 'INVALID_ARGUMENT' });
      }
    });

    it('refuses a prefix that several sessions start with, saying how many, and ends the one a longer prefix names', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      const now = t.clock.now();
      const record = (key: string) => ({ key, userKey: 'reader@vsphere.local', createdAt: now, lastAccessedAt: now, absoluteExpiresAt: now + 3_600_000, expiresAt: now + 1_800_000 });
      for (const tail of ['0', '1']) await t.server.store.sessions.insert(record(`abcdef${tail}${'0'.repeat(57)}`), { perUser: 0, total: 0 }, now);
      expect(refusal(await call(admin, 'DELETE', '/sessions/abcdef'))).toEqual({ status: 400, type: 'INVALID_ARGUMENT', text: '2 sessions start with abcdef: give more of the handle.' });
      expect((await call(admin, 'DELETE', '/sessions/ABCDEF1')).status).toBe(204);
      expect((await call(admin, 'DELETE', '/sessions/abcdef')).status).toBe(204);
    });

    it('a ReadOnly user can list sessions but cannot end another user\'s', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      const reader = await login('reader@vsphere.local', 'Read0nly');
      const handle = ((await call(admin, 'GET', '/sessions')).json as { session: string; current: boolean }[]).find((s) => s.current)!.session;
      expect(refusal(await call(reader, 'DELETE', `/sessions/${handle}`))).toMatchObject({ status: 403, type: 'UNAUTHORIZED' });
      expect((await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': admin } })).status).toBe(200);
    });
  });

  describe('over /rest with the session cookie, as a browser calls it', () => {
    it('lists sessions and ends one in the legacy form', async () => {
      const created = await http(`${t.url}/rest/com/vmware/cis/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) });
      const cookie = String(created.headers['set-cookie']).split(';')[0]!;
      const listed = await http(`${t.url}/rest/vapi_auth/sessions`, { headers: { cookie } });
      expect(listed.status).toBe(200);
      const own = (listed.json as { value: { session: string; current: boolean }[] }).value.find((s) => s.current)!;
      expect(own.session).toMatch(/^[0-9a-f]{12}$/);
      const victim = await login('reader@vsphere.local', 'Read0nly');
      const handle = ((await call(victim, 'GET', '/sessions')).json as { session: string; current: boolean }[]).find((s) => s.current)!.session;
      expect((await http(`${t.url}/rest/vapi_auth/sessions/id:${handle}`, { method: 'DELETE', headers: { cookie } })).status).toBe(200);
      expect((await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': victim } })).status).toBe(401);
    });
  });

  describe('vapi_auth.users', () => {
    it('creates a user who can log in, lists it, changes its password and removes it with its sessions', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect((await call(admin, 'POST', '/users', { user: 'Carol@vsphere.local', password: 'Car0l-first' })).status).toBe(204);
      const listed = (await call(admin, 'GET', '/users')).json as { user: string; created_time: string; locked: boolean }[];
      expect(listed.find((user) => user.user === 'Carol@VSPHERE.LOCAL')).toEqual({ user: 'Carol@VSPHERE.LOCAL', created_time: new Date(t.clock.now()).toISOString(), locked: false });
      const carol = await login('carol', 'Car0l-first');
      expect((await call(admin, 'POST', '/users/carol?action=set-password', { password: 'Car0l-second' })).status).toBe(204);
      expect((await http(`${t.url}/api/session`, { method: 'POST', headers: basic('carol', 'Car0l-first') })).status).toBe(401);
      await login('carol', 'Car0l-second');
      expect((await call(admin, 'DELETE', '/users/VSPHERE.LOCAL%5Ccarol')).status).toBe(204);
      expect((await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': carol } })).status).toBe(401);
      expect(refusal(await call(admin, 'DELETE', '/users/carol'))).toMatchObject({ status: 404, type: 'NOT_FOUND' });
      const events = audited.filter((e) => e.user === 'carol@vsphere.local' && e.operator === 'administrator@VSPHERE.LOCAL').map((e) => e.event);
      expect(events).toEqual(['user.added', 'user.password_changed', 'user.removed']);
      expect(JSON.stringify(audited)).not.toContain('Car0l');
    });

    it('refuses an existing user with ALREADY_EXISTS, and a missing one with NOT_FOUND', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect(refusal(await call(admin, 'POST', '/users', { user: 'READER', password: 'Whatever-1' }))).toMatchObject({ status: 400, type: 'ALREADY_EXISTS' });
      expect(refusal(await call(admin, 'POST', '/users/ghost?action=set-password', { password: 'Whatever-1' }))).toMatchObject({ status: 404, type: 'NOT_FOUND' });
      expect(refusal(await call(admin, 'POST', '/users/ghost?action=unlock'))).toMatchObject({ status: 404, type: 'NOT_FOUND' });
    });

    it('refuses a weak password or a name outside the local domain with INVALID_ARGUMENT, saying why', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect(refusal(await call(admin, 'POST', '/users', { user: 'dave', password: 'short' }))).toEqual({ status: 400, type: 'INVALID_ARGUMENT', text: 'the password must have at least 8 characters' });
      expect(refusal(await call(admin, 'POST', '/users', { user: 'davesmith', password: 'DaveSmith' })).text).toBe('the password must not be the user name');
      expect(refusal(await call(admin, 'POST', '/users/reader?action=set-password', { password: '' })).type).toBe('INVALID_ARGUMENT');
      expect(refusal(await call(admin, 'POST', '/users', { user: 'dave@example.com', password: 'Dave-pass1' })).text).toBe('"dave@example.com" is not a user name of domain vsphere.local');
      expect(refusal(await call(admin, 'POST', '/users', { user: 'ｄａｖｅ', password: 'Dave-pass1' })).type).toBe('INVALID_ARGUMENT');
      expect(((await call(admin, 'GET', '/users')).json as { user: string }[]).some((user) => user.user.toLowerCase().includes('dave'))).toBe(false);
    });

    it('shows a locked-out user as locked, and unlock lets it log in at once', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      await addUser(t.server, 'erin@vsphere.local', PASSWORD, 'ReadOnly');
      for (let i = 0; i < 3; i++) await http(`${t.url}/api/session`, { method: 'POST', headers: basic('erin', 'wrong-password') });
      expect((await http(`${t.url}/api/session`, { method: 'POST', headers: basic('erin', PASSWORD) })).status).toBe(401);
      const locked = () => call(admin, 'GET', '/users').then((r) => (r.json as { user: string; locked: boolean }[]).find((u) => u.user === 'erin@VSPHERE.LOCAL')!.locked);
      expect(await locked()).toBe(true);
      expect((await call(admin, 'POST', '/users/erin?action=unlock')).status).toBe(204);
      expect(await locked()).toBe(false);
      await login('erin');
      expect(audited.findLast((e) => e.event === 'user.unlocked')).toMatchObject({ user: 'erin@vsphere.local', operator: 'administrator@VSPHERE.LOCAL' });
    });

    it('leaves solution users alone: not listed, no password to set, removed with their own command', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect(await t.server.identity.addSolutionUser('vpxd@vsphere.local', Buffer.from('not a real certificate').toString('base64'))).toBe(true);
      expect(((await call(admin, 'GET', '/users')).json as { user: string }[]).map((u) => u.user)).not.toContain('vpxd@VSPHERE.LOCAL');
      expect(refusal(await call(admin, 'POST', '/users/vpxd?action=set-password', { password: 'Vpxd-pass1' }))).toEqual({
        status: 400,
        type: 'INVALID_ARGUMENT',
        text: 'vpxd is a solution user: it has a certificate, not a password',
      });
      expect(refusal(await call(admin, 'DELETE', '/users/vpxd')).text).toBe('vpxd is a solution user: use solution-user remove');
      expect(refusal(await call(admin, 'POST', '/users', { user: 'vpxd', password: 'Vpxd-pass1' })).type).toBe('ALREADY_EXISTS');
    });

    it('a user manager cannot set an administrator\'s password', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect((await call(admin, 'POST', '/roles', { role: 'UserManager', privileges: ['VapiAuth.ManageUsers'] })).status).toBe(204);
      const manager = await userWith('manager', 'UserManager');
      expect(refusal(await call(manager, 'POST', `/users/${encodeURIComponent(ADMIN)}?action=set-password`, { password: 'Taken-over1' }))).toMatchObject({ status: 403, type: 'UNAUTHORIZED' });
      expect(refusal(await call(manager, 'DELETE', `/users/${encodeURIComponent(ADMIN)}`)).status).toBe(403);
      await login(ADMIN, ADMIN_PASSWORD);
      // Users that hold nothing it lacks, it manages.
      expect((await call(manager, 'POST', '/users', { user: 'frank', password: 'Frank-pass1' })).status).toBe(204);
      expect((await call(manager, 'POST', '/users/reader?action=unlock')).status).toBe(204);
      expect((await call(manager, 'DELETE', '/users/frank')).status).toBe(204);
    });
  });

  describe('vapi_auth.roles and vapi_auth.privileges', () => {
    it('creates, lists, updates and removes a custom role, always with the base privileges', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect((await call(admin, 'POST', '/roles', { role: 'Task Watchers', privileges: ['Task.ViewAll'] })).status).toBe(204);
      const roles = () => call(admin, 'GET', '/roles').then((r) => r.json as { role: string; system: boolean; privileges: string[] }[]);
      expect((await roles()).find((role) => role.role === 'Task Watchers')).toEqual({ role: 'Task Watchers', system: false, privileges: ['System.Anonymous', 'System.Read', 'System.View', 'Task.ViewAll'] });
      const administrator = (await roles()).find((role) => role.role === 'Administrator')!;
      expect(administrator.system).toBe(true);
      expect(administrator.privileges).toEqual(expect.arrayContaining(['VapiAuth.ManageUsers', 'Authorization.ModifyRoles', 'Sessions.TerminateSession']));
      expect((await roles()).find((role) => role.role === 'NoAccess')).toEqual({ role: 'NoAccess', system: true, privileges: [] });
      expect((await call(admin, 'PUT', '/roles/Task%20Watchers', { privileges: ['Global.CancelTask'] })).status).toBe(204);
      expect((await roles()).find((role) => role.role === 'Task Watchers')!.privileges).toContain('Global.CancelTask');
      expect((await call(admin, 'DELETE', '/roles/Task%20Watchers')).status).toBe(204);
      expect(refusal(await call(admin, 'DELETE', '/roles/Task%20Watchers'))).toMatchObject({ status: 404, type: 'NOT_FOUND' });
      expect(audited.filter((e) => e.target === 'Task Watchers').map((e) => e.event)).toEqual(['role.added', 'role.changed', 'role.removed']);
    });

    it('names unknown privileges with INVALID_ARGUMENT, and refuses an existing role with ALREADY_EXISTS', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect(refusal(await call(admin, 'POST', '/roles', { role: 'Typo', privileges: ['Task.ViewAll', 'Host.Nope', 'bad id'] }))).toEqual({
        status: 400,
        type: 'INVALID_ARGUMENT',
        text: 'unknown privilege "Host.Nope", "bad id"',
      });
      expect(refusal(await call(admin, 'POST', '/roles', { role: 'UserManager', privileges: [] })).type).toBe('ALREADY_EXISTS');
      expect(refusal(await call(admin, 'POST', '/roles', { role: ' bad', privileges: [] })).type).toBe('INVALID_ARGUMENT');
      expect(refusal(await call(admin, 'PUT', '/roles/Ghost', { privileges: [] })).type).toBe('NOT_FOUND');
    });

    it('refuses changing or removing a system role with UNSUPPORTED, and a role still given with RESOURCE_IN_USE', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect(refusal(await call(admin, 'PUT', '/roles/ReadOnly', { privileges: ['VapiAuth.ReadAudit'] }))).toMatchObject({ status: 400, type: 'UNSUPPORTED' });
      expect(refusal(await call(admin, 'DELETE', '/roles/Administrator'))).toMatchObject({ status: 400, type: 'UNSUPPORTED' });
      expect(refusal(await call(admin, 'DELETE', '/roles/UserManager'))).toMatchObject({ status: 400, type: 'RESOURCE_IN_USE' });
    });

    it('a role manager cannot create or widen a role with privileges it lacks', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect((await call(admin, 'POST', '/roles', { role: 'RoleManager', privileges: ['Authorization.ModifyRoles'] })).status).toBe(204);
      const manager = await userWith('rolemanager', 'RoleManager');
      expect(refusal(await call(manager, 'POST', '/roles', { role: 'Mine', privileges: ['Authorization.ModifyPermissions'] }))).toMatchObject({ status: 403, type: 'UNAUTHORIZED' });
      expect(refusal(await call(manager, 'PUT', '/roles/RoleManager', { privileges: ['Authorization.ModifyRoles', 'VapiAuth.ManageUsers'] })).status).toBe(403);
      expect((await call(manager, 'POST', '/roles', { role: 'Mine', privileges: ['Authorization.ModifyRoles'] })).status).toBe(204);
    });

    it('lists every privilege the server knows, with what the built-in ones allow', async () => {
      const reader = await login('reader@vsphere.local', 'Read0nly');
      const privileges = (await call(reader, 'GET', '/privileges')).json as { privilege: string; description?: string }[];
      const ids = privileges.map((p) => p.privilege);
      for (const id of ['System.Read', 'Sessions.TerminateSession', 'VapiAuth.ManageUsers', 'VapiAuth.ReadAudit', 'Authorization.ModifyRoles', 'Authorization.ModifyPermissions', 'Task.ViewAll']) expect(ids).toContain(id);
      expect(privileges.every((p) => typeof p.description === 'string' && p.description.length > 0)).toBe(true);
      expect(ids).toEqual([...ids].sort());
    });
  });

  describe('vapi_auth.permissions', () => {
    it('gives, lists and removes the role of a user and of a group', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      await addUser(t.server, 'gina@vsphere.local', PASSWORD, 'NoAccess');
      expect((await call(admin, 'PUT', '/permissions/gina', { role: 'ReadOnly' })).status).toBe(204);
      expect((await call(admin, 'PUT', '/permissions/Ops%40example.com', { group: true, role: 'UserManager' })).status).toBe(204);
      const listed = (await call(admin, 'GET', '/permissions')).json as unknown[];
      expect(listed).toContainEqual({ principal: 'gina@VSPHERE.LOCAL', group: false, role: 'ReadOnly' });
      expect(listed).toContainEqual({ principal: 'ops@EXAMPLE.COM', group: true, role: 'UserManager' });
      // A permission change applies on the next request.
      const gina = await login('gina');
      expect((await call(gina, 'GET', '/users')).status).toBe(200);
      expect((await call(admin, 'DELETE', '/permissions/ops%40example.com?group=true')).status).toBe(204);
      expect((await call(admin, 'DELETE', '/permissions/gina')).status).toBe(204);
      expect(refusal(await call(gina, 'GET', '/users')).status).toBe(403);
      expect(refusal(await call(admin, 'DELETE', '/permissions/gina'))).toMatchObject({ status: 404, type: 'NOT_FOUND' });
      expect(refusal(await call(admin, 'PUT', '/permissions/ghost', { role: 'ReadOnly' }))).toMatchObject({ status: 404, type: 'NOT_FOUND' });
      expect(refusal(await call(admin, 'PUT', '/permissions/gina', { role: 'Boss' }))).toMatchObject({ status: 400, type: 'INVALID_ARGUMENT' });
      expect(audited.filter((e) => e.user === 'ops@example.com').map((e) => [e.event, e.target])).toEqual([['permission.added', 'UserManager'], ['permission.removed', undefined]]);
    });

    it('a user cannot delete the last Administrator permission, nor downgrade it, nor remove its user', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      const path = `/permissions/${encodeURIComponent(ADMIN)}`;
      expect(refusal(await call(admin, 'DELETE', path))).toMatchObject({ status: 400, type: 'NOT_ALLOWED_IN_CURRENT_STATE' });
      expect(refusal(await call(admin, 'PUT', path, { role: 'ReadOnly' })).type).toBe('NOT_ALLOWED_IN_CURRENT_STATE');
      expect(refusal(await call(admin, 'DELETE', `/users/${encodeURIComponent(ADMIN)}`)).type).toBe('NOT_ALLOWED_IN_CURRENT_STATE');
      expect((await call(admin, 'GET', '/users')).status).toBe(200);
      // With a second administrator, the first may step down.
      await addUser(t.server, 'heidi@vsphere.local', PASSWORD, 'Administrator');
      expect((await call(admin, 'PUT', path, { role: 'ReadOnly' })).status).toBe(204);
      const heidi = await login('heidi');
      expect(refusal(await call(heidi, 'DELETE', '/users/heidi')).type).toBe('NOT_ALLOWED_IN_CURRENT_STATE');
      expect((await call(heidi, 'PUT', path, { role: 'Administrator' })).status).toBe(204);
      expect((await call(heidi, 'DELETE', '/users/heidi')).status).toBe(204);
    });

    it('a ReadOnly user cannot grant itself Administrator', async () => {
      const reader = await login('reader@vsphere.local', 'Read0nly');
      expect(refusal(await call(reader, 'PUT', '/permissions/reader', { role: 'Administrator' }))).toMatchObject({ status: 403, type: 'UNAUTHORIZED' });
      expect((await call(reader, 'GET', '/permissions')).json).toContainEqual({ principal: 'reader@VSPHERE.LOCAL', group: false, role: 'ReadOnly' });
    });

    it('a permission manager cannot grant itself Administrator, nor take an administrator\'s permission', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect((await call(admin, 'POST', '/roles', { role: 'PermissionManager', privileges: ['Authorization.ModifyPermissions'] })).status).toBe(204);
      const manager = await userWith('permmanager', 'PermissionManager');
      expect(refusal(await call(manager, 'PUT', '/permissions/permmanager', { role: 'Administrator' }))).toMatchObject({ status: 403, type: 'UNAUTHORIZED' });
      expect(refusal(await call(manager, 'PUT', '/permissions/permmanager', { role: 'UserManager' })).status).toBe(403);
      expect(refusal(await call(manager, 'DELETE', `/permissions/${encodeURIComponent(ADMIN)}`)).status).toBe(403);
      expect((await call(manager, 'PUT', '/permissions/nobody', { role: 'ReadOnly' })).status).toBe(204);
    });
  });

  describe('the privilege-check recorder', () => {
    it('records the privileges a caller needed to hand on, so that a recorded role can do what the script did', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      const marker = (await http(`${t.url}/api/vcenter/authorization/privilege-checks/latest`, { headers: { 'vmware-api-session-id': admin } })).json as string;
      const manager = await login('permmanager');
      const refused = await http(`${t.url}${BASE}/permissions/nobody`, { method: 'PUT', headers: { 'vmware-api-session-id': manager, 'vmware-api-operation-id': 'hand-on-1' }, body: { role: 'UserManager' } });
      expect(refusal(refused).type).toBe('UNAUTHORIZED');
      const listed = await http(`${t.url}/api/vcenter/authorization/privilege-checks`, {
        method: 'POST',
        headers: { 'vmware-api-session-id': admin },
        body: { iteration: { marker, timeout_ms: 5000 }, filter: { op_ids: ['hand-on-1'] } },
      });
      const privileges = (listed.json as { items: { privilege: string }[] }).items.map((item) => item.privilege).sort();
      expect(privileges).toEqual(['Authorization.ModifyPermissions', 'System.Anonymous', 'System.Read', 'System.View', 'VapiAuth.ManageUsers']);
    });
  });

  describe('refusals by role', () => {
    it('a ReadOnly user can list everything but the audit trail, and change nothing', async () => {
      const reader = await login('reader@vsphere.local', 'Read0nly');
      for (const path of ['/sessions', '/users', '/roles', '/permissions', '/privileges']) expect((await call(reader, 'GET', path)).status, path).toBe(200);
      expect(refusal(await call(reader, 'GET', '/audit')).type).toBe('UNAUTHORIZED');
      const changes: [string, string, unknown?][] = [
        ['POST', '/users', { user: 'mallory', password: 'Mall0ry-pw' }],
        ['POST', '/users/reader?action=set-password', { password: 'Mall0ry-pw' }],
        ['POST', '/users/reader?action=unlock'],
        ['DELETE', '/users/nobody'],
        ['POST', '/roles', { role: 'Mallory', privileges: [] }],
        ['PUT', '/roles/UserManager', { privileges: [] }],
        ['DELETE', '/roles/RoleManager'],
        ['PUT', '/permissions/nobody', { role: 'ReadOnly' }],
        ['DELETE', '/permissions/nobody'],
      ];
      for (const [method, path, body] of changes) expect(refusal(await call(reader, method, path, body)), `${method} ${path}`).toMatchObject({ status: 403, type: 'UNAUTHORIZED' });
    });

    it('a NoAccess user gets UNAUTHORIZED everywhere, and an unauthenticated caller UNAUTHENTICATED', async () => {
      const nobody = await login('nobody@vsphere.local');
      await t.server.access.grant('nobody@vsphere.local', 'NoAccess');
      for (const path of ['/sessions', '/users', '/roles', '/permissions', '/privileges', '/audit']) {
        expect(refusal(await call(nobody, 'GET', path)), path).toMatchObject({ status: 403, type: 'UNAUTHORIZED' });
        expect((await http(`${t.url}${BASE}${path}`)).status).toBe(401);
      }
    });
  });

  describe('vapi_auth.audit', () => {
    it('lists the latest events newest first, filtered by event and user, bounded by limit', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      await http(`${t.url}/api/session`, { method: 'POST', headers: basic('reader@vsphere.local', 'not-it') });
      const all = (await call(admin, 'GET', '/audit')).json as { enabled: boolean; events: Record<string, string>[] };
      expect(all.enabled).toBe(true);
      expect(all.events[0]).toMatchObject({ event: 'login.failure', user: 'reader@vsphere.local', reason: 'bad_credentials', dialect: 'api', client: '127.0.0.1' });
      expect(all.events[0]!.request_id).toBeTypeOf('string');
      const failures = (await call(admin, 'GET', '/audit?event=login.failure&user=VSPHERE.LOCAL%5CREADER&limit=1')).json as { events: Record<string, string>[] };
      expect(failures.events).toHaveLength(1);
      const viaPost = await call(admin, 'POST', '/audit?action=list', { filter: { event: 'user.unlocked' } });
      expect((viaPost.json as { events: { user: string }[] }).events.map((e) => e.user)).toContain('erin@vsphere.local');
      expect(refusal(await call(admin, 'GET', '/audit?limit=0')).type).toBe('INVALID_ARGUMENT');
      expect(refusal(await call(admin, 'GET', '/audit?limit=1001')).type).toBe('INVALID_ARGUMENT');
    });

    it('answers every field an event carries, the actor of a delegation too', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      t.server.audit.record({ event: 'sts.issued', user: 'ann', domain: 'example.com', actor: 'vpxd@vsphere.local', scheme: 'sts_act_as' });
      const events = ((await call(admin, 'GET', '/audit?event=sts.issued&user=ann%40example.com')).json as { events: Record<string, string>[] }).events;
      expect(events).toEqual([{ event: 'sts.issued', user: 'ann', domain: 'example.com', actor: 'vpxd@vsphere.local', scheme: 'sts_act_as', time: expect.any(String) }]);
    });

    it('the audit trail never holds a password or session id given to the API', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      await call(admin, 'POST', '/users', { user: 'ivan', password: 'Iv4n-secret-pw' });
      const text = (await call(admin, 'GET', '/audit?limit=1000')).text;
      expect(text).not.toContain('Iv4n-secret-pw');
      expect(text).not.toContain(admin);
      expect(text).not.toContain(ADMIN_PASSWORD);
    });

    it('needs VapiAuth.ReadAudit, which ReadOnly does not hold', async () => {
      const admin = await login(ADMIN, ADMIN_PASSWORD);
      expect((await call(admin, 'POST', '/roles', { role: 'Auditor', privileges: ['VapiAuth.ReadAudit'] })).status).toBe(204);
      const auditor = await userWith('auditor', 'Auditor');
      expect((await call(auditor, 'GET', '/audit')).status).toBe(200);
      expect(refusal(await call(auditor, 'GET', '/users?x=1')).type).toBe('UNEXPECTED_INPUT');
    });
  });
});

describe('the administration API of two servers on one store', () => {
  it('a change made through one server applies on the next request at the other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-admin-'));
    const file = join(dir, 'vapi-auth.sqlite');
    const a = await startTestServer(new SqliteStore({ file }));
    const b = await startTestServer(new SqliteStore({ file }));
    try {
      const login = async (url: string, name: string, password: string) =>
        (await http(`${url}/api/session`, { method: 'POST', headers: basic(name, password) })).json as string;
      const call = (url: string, session: string, method: string, path: string, body?: unknown) =>
        http(`${url}${BASE}${path}`, { method, headers: { 'vmware-api-session-id': session }, ...(body === undefined ? {} : { body }) });
      const admin = await login(a.url, ADMIN, ADMIN_PASSWORD);
      expect((await call(a.url, admin, 'POST', '/users', { user: 'judy', password: 'Judy-pass1' })).status).toBe(204);
      const judy = await login(b.url, 'judy', 'Judy-pass1');
      expect((await call(b.url, judy, 'GET', '/users')).status).toBe(403);
      expect((await call(a.url, admin, 'PUT', '/permissions/judy', { role: 'ReadOnly' })).status).toBe(204);
      expect((await call(b.url, judy, 'GET', '/users')).status).toBe(200);
      // Both servers list the same sessions; ending one at a is refused at b.
      const listed = (await call(b.url, admin, 'GET', '/sessions')).json as { session: string; user: string }[];
      expect(listed.map((s) => s.session).sort()).toEqual(((await call(a.url, admin, 'GET', '/sessions')).json as { session: string }[]).map((s) => s.session).sort());
      const handle = listed.find((s) => s.user === 'judy@VSPHERE.LOCAL')!.session;
      expect((await call(a.url, admin, 'DELETE', `/sessions/${handle}`)).status).toBe(204);
      expect((await call(b.url, judy, 'GET', '/users')).status).toBe(401);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the administration API and the log', () => {
  it('a password given to the API reaches neither the log nor an error, accepted or refused', async () => {
    const [memory] = storeFactories();
    const log = new PassThrough();
    let logged = '';
    log.on('data', (chunk: Buffer) => (logged += chunk.toString('utf8')));
    const t = await startTestServer(await memory!.open(), { logLevel: 'debug', logStream: log });
    try {
      const session = (await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).json as string;
      const headers = { 'vmware-api-session-id': session };
      const answers = [
        await http(`${t.url}${BASE}/users`, { method: 'POST', headers, body: { user: 'kim', password: 'Kim-secret-1' } }),
        await http(`${t.url}${BASE}/users`, { method: 'POST', headers, body: { user: 'kim', password: 'Kim-secret-2' } }),
        await http(`${t.url}${BASE}/users/kim?action=set-password`, { method: 'POST', headers, body: { password: 'kim' } }),
        await http(`${t.url}/api`, {
          method: 'POST',
          body: { jsonrpc: '2.0', method: 'invoke', id: '1', params: { serviceId: 'vapi_auth.users', operationId: 'set_password', input: { STRUCTURE: { 'operation-input': { user: 'kim', password: { SECRET: 'sh0rt' } } } }, ctx: { appCtx: {}, securityCtx: { schemeId: 'com.vmware.vapi.std.security.session_id', sessionId: session } } } },
        }),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([204, 400, 400, 200]);
      expect(logged).toContain('INVALID_ARGUMENT');
      for (const secret of ['Kim-secret-1', 'Kim-secret-2', 'sh0rt']) {
        expect(logged).not.toContain(secret);
        for (const answer of answers) expect(answer.text).not.toContain(secret);
      }
    } finally {
      await t.close();
    }
  });
});

describe('the administration API without an audit log', () => {
  it('answers the audit list as not enabled and empty', async () => {
    const [memory] = storeFactories();
    const t = await startTestServer(await memory!.open());
    try {
      const session = (await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).json as string;
      const response = await http(`${t.url}${BASE}/audit`, { headers: { 'vmware-api-session-id': session } });
      expect(response.json).toEqual({ enabled: false, events: [] });
    } finally {
      await t.close();
    }
  });
});

describe('docs/admin-api.md and docs/authorization.md', () => {
  it('name every administration operation with its /api binding and privileges, as the table declares them', async () => {
    const [memory] = storeFactories();
    const t = await startTestServer(await memory!.open());
    try {
      const contract = readFileSync('docs/admin-api.md', 'utf8');
      const authorization = readFileSync('docs/authorization.md', 'utf8');
      const operations = t.server.table.operations().filter(({ service }) => service.id.startsWith(`${ADMIN_PACKAGE}.`));
      expect(operations).toHaveLength(16);
      // The contract table names a service in its first row only.
      const rows = new Map<string, string>();
      let service = '';
      for (const line of contract.split('\n').filter((l) => l.startsWith('| '))) {
        const [, first, second] = line.split('|').map((cell) => cell.trim());
        if (first) service = first.replaceAll('`', '');
        if (second) rows.set(`${service}.${second.replaceAll('`', '')}`, line);
      }
      for (const { service: s, operation, privileges } of operations) {
        const row = rows.get(`${s.id}.${operation.id}`);
        expect(row, `${s.id}.${operation.id} in admin-api.md`).toBeDefined();
        const binding = apiBindings(operation)[0]!;
        expect(row).toContain(`\`${binding.method} /api${binding.path}`);
        expect(row).toContain(privileges.map((p) => `\`${p}\``).join(', '));
        // A row names the service, then its operations (`vapi_auth.users` create, set_password, …).
        const reason = authorization.split('\n').find((line) => line.startsWith('| ') && (line.split(`\`${s.id}\``)[1]?.split(/[`|]/)[0] ?? '').split(/[ ,;]+/).includes(operation.id));
        expect(reason, `${s.id}.${operation.id} in authorization.md`).toBeDefined();
        for (const privilege of privileges) expect(reason).toContain(`\`${privilege}\``);
      }
    } finally {
      await t.close();
    }
  });
});
