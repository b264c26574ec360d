import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processSandbox, runCli, startServerProcess } from './helpers/cli-process.js';
import { basic, http } from './helpers/http.js';
import { redisAvailable, REDIS_MISSING, redisPerBlock } from './helpers/redis-server.js';

/**
 * `vapi-auth role|permission|user` as real processes against the store the servers use: sqlite in
 * a fresh data dir per test, and once on a real Redis. A CLI process takes most of a second to
 * start, so independent commands (reads and refusals) run side by side.
 */

const PLUGIN = fileURLToPath(new URL('../examples/firmware-update.mjs', import.meta.url));
const ENV = { VAPI_AUTH_ADMIN_PASSWORD: 'Authz-cli1' };
const BASE = ['System.Anonymous', 'System.Read', 'System.View'];
const sandbox = processSandbox('vapi-auth-authz-cli-');

type CliResult = Awaited<ReturnType<typeof runCli>>;

/** The CLI on the test's sqlite data dir; new users get a password from the environment. */
const cli = (...args: string[]) => runCli([...args, '--data-dir', sandbox.dataDir], { env: { VAPI_AUTH_PASSWORD: 'Us3r-pass' } });

/** Several CLI commands at once (commands that do not depend on each other). */
const all = (...commands: string[][]): Promise<CliResult[]> => Promise.all(commands.map((args) => cli(...args)));

const json = (result: CliResult): unknown => {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
};

/** Starts a server with the firmware plugin on the store `storeArgs` name and stops it: the plugin's privileges are then published there. */
async function publishPluginPrivileges(storeArgs: string[]): Promise<void> {
  const server = sandbox.track(await startServerProcess(['--http', '--data-dir', sandbox.dataDir, '--plugin', PLUGIN, ...storeArgs], ENV));
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
}

describe('vapi-auth role', () => {
  it('adds roles with the base privileges added and sorted, shows them, and lists them after the system roles, in text and JSON', async () => {
    const added = await cli('role', 'add', 'Task Watchers', '--privilege', 'Task.ViewAll', '--privilege', 'System.Read');
    expect(added).toMatchObject({ code: 0, stdout: 'Added role Task Watchers: System.Anonymous, System.Read, System.View, Task.ViewAll\n' });
    expect((await cli('role', 'add', 'Cancellers', '--privilege', 'Global.CancelTask')).code).toBe(0);
    const [shown, shownJson, admin, adminJson, list, listJson] = await all(
      ['role', 'show', 'Task Watchers'],
      ['role', 'show', 'Task Watchers', '--json'],
      ['role', 'show', 'Administrator'],
      ['role', 'show', 'Administrator', '--json'],
      ['role', 'list'],
      ['role', 'list', '--json'],
    );
    expect(shown).toMatchObject({ code: 0, stdout: 'Task Watchers (custom role)\n  System.Anonymous\n  System.Read\n  System.View\n  Task.ViewAll\n' });
    expect(json(shownJson!)).toEqual({ name: 'Task Watchers', system: false, privileges: [...BASE, 'Task.ViewAll'] });
    expect(admin!.stdout).toBe('Administrator (system role)\n  (all privileges)\n');
    expect(json(adminJson!)).toEqual({ name: 'Administrator', system: true, privileges: 'all' });

    expect(list!.code).toBe(0);
    const lines = list!.stdout.trim().split('\n');
    expect(lines.map((line) => line.split('\t').slice(0, 2).join(' '))).toEqual([
      'Administrator system',
      'ReadOnly system',
      'NoAccess system',
      'Cancellers custom',
      'Task Watchers custom',
    ]);
    expect(lines[0]).toBe('Administrator\tsystem\t(all privileges)');
    expect(lines[2]).toBe('NoAccess\tsystem\t');
    expect(lines[3]).toBe('Cancellers\tcustom\tGlobal.CancelTask, System.Anonymous, System.Read, System.View');
    const roles = json(listJson!) as { name: string; system: boolean; privileges: string[] | 'all' }[];
    expect(roles).toEqual([
      { name: 'Administrator', system: true, privileges: 'all' },
      { name: 'ReadOnly', system: true, privileges: expect.any(Array) },
      { name: 'NoAccess', system: true, privileges: [] },
      { name: 'Cancellers', system: false, privileges: ['Global.CancelTask', ...BASE] },
      { name: 'Task Watchers', system: false, privileges: [...BASE, 'Task.ViewAll'] },
    ]);
    expect([...(roles[1]!.privileges as string[])].sort()).toEqual(BASE);
  });

  it('refuses an unknown or malformed privilege, a bad role name and a system role name with exit 2, and creates nothing', async () => {
    const [unknown, malformed, none, ...names] = await all(
      ['role', 'add', 'Ops', '--privilege', 'System.Read', '--privilege', 'No.Such.Privilege'],
      ['role', 'add', 'Ops', '--privilege', 'notdotted'],
      ['role', 'add', 'Ops'],
      ...['', 'a/b', 'x'.repeat(65), 'Administrator', 'noACCESS'].map((name) => ['role', 'add', name, '--privilege', 'Task.ViewAll']),
    );
    expect(unknown!.code).toBe(2);
    expect(unknown!.stderr).toContain('"No.Such.Privilege"');
    expect(unknown!.stderr).not.toContain('"System.Read"');
    expect(malformed!.code).toBe(2);
    expect(malformed!.stderr).toContain('notdotted');
    expect(none!.code).toBe(2);
    for (const result of names) expect(result.code, result.stderr).toBe(2);
    expect(json(await cli('role', 'list', '--json'))).toHaveLength(3);
    // The longest name is a name; a second role of that name is a conflict (exit 1).
    expect((await cli('role', 'add', 'x'.repeat(64), '--privilege', 'Task.ViewAll')).code).toBe(0);
    const again = await cli('role', 'add', 'x'.repeat(64), '--privilege', 'Task.ViewAll');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists already');
  });

  it("knows a plugin's privilege only once a server with that plugin has started on the store", async () => {
    const before = await cli('role', 'add', 'FirmwareOperator', '--privilege', 'Host.Config.Firmware');
    expect(before.code).toBe(2);
    expect(before.stderr).toContain('"Host.Config.Firmware"');
    await publishPluginPrivileges([]);
    const after = await cli('role', 'add', 'FirmwareOperator', '--privilege', 'Host.Config.Firmware');
    expect(after).toMatchObject({ code: 0, stdout: 'Added role FirmwareOperator: Host.Config.Firmware, System.Anonymous, System.Read, System.View\n' });
  });

  it('refuses to remove a role while a permission gives it (exit 1), and removes it once none does; never a system role', async () => {
    expect((await cli('role', 'add', 'Watchers', '--privilege', 'Task.ViewAll')).code).toBe(0);
    expect((await cli('permission', 'add', 'watchers@example.com', 'Watchers', '--group')).code).toBe(0);
    const [refused, system] = await all(['role', 'remove', 'Watchers'], ['role', 'remove', 'Administrator']);
    expect(refused!.code).toBe(1);
    expect(refused!.stderr).toContain('Watchers');
    expect(system!.code).toBe(2);
    expect((await cli('role', 'show', 'Watchers')).code).toBe(0);
    expect((await cli('permission', 'remove', 'watchers@example.com', '--group')).code).toBe(0);
    expect(await cli('role', 'remove', 'Watchers')).toMatchObject({ code: 0, stdout: 'Removed role Watchers\n' });
    const [show, removeAgain] = await all(['role', 'show', 'Watchers'], ['role', 'remove', 'Watchers']);
    expect(show!.code).toBe(1);
    expect(removeAgain!.code).toBe(1);
  });

  it('refuses stray flags and arguments of role, permission and user with exit 2, changing nothing', async () => {
    const commands = [
      ['role', 'list', '--group'],
      ['role', 'show', 'ReadOnly', '--privilege', 'Task.ViewAll'],
      ['role', 'add', 'X', '--privilege', 'Task.ViewAll', '--port', '1'],
      ['permission', 'list', '--group'],
      ['permission', 'add', 'ops@example.com', 'ReadOnly', '--privilege', 'Task.ViewAll'],
      ['permission', 'add', 'ops@example.com', 'ReadOnly', 'extra'],
      ['user', 'add', 'someone', '--group'],
    ];
    const results = await all(...commands);
    results.forEach((result, i) => expect(result.code, `${commands[i]!.join(' ')}: ${result.stderr}`).toBe(2));
    const [roles, permissions, memory] = await Promise.all([
      cli('role', 'list', '--json'),
      cli('permission', 'list', '--json'),
      runCli(['role', 'list', '--store', 'memory', '--data-dir', sandbox.dataDir]),
    ]);
    expect(json(roles)).toHaveLength(3);
    expect(json(permissions)).toEqual([]);
    // Roles live in the store the servers share: a memory store would lose them.
    expect(memory.code).toBe(2);
  });
});

describe('vapi-auth permission', () => {
  it('gives roles to local users, directory users and groups, replaces a principal\'s permission, and lists users first, in text and JSON', async () => {
    expect((await cli('user', 'add', 'alice', '--role', 'NoAccess')).code).toBe(0);
    const [ops, group] = await all(['permission', 'add', 'ops@example.com', 'ReadOnly'], ['permission', 'add', 'Admins@Example.com', 'Administrator', '--group']);
    expect(ops).toMatchObject({ code: 0, stdout: 'user ops@EXAMPLE.COM has role ReadOnly\n' });
    expect(group).toMatchObject({ code: 0, stdout: 'group admins@EXAMPLE.COM has role Administrator\n' });
    expect((await cli('permission', 'add', 'alice', 'ReadOnly')).code).toBe(0); // replaces alice's NoAccess
    const [text, listJson] = await all(['permission', 'list'], ['permission', 'list', '--json']);
    expect(text!.stdout).toBe('alice@VSPHERE.LOCAL\tuser\tReadOnly\nops@EXAMPLE.COM\tuser\tReadOnly\nadmins@EXAMPLE.COM\tgroup\tAdministrator\n');
    expect(json(listJson!)).toEqual([
      { principal: 'alice@VSPHERE.LOCAL', group: false, role: 'ReadOnly' },
      { principal: 'ops@EXAMPLE.COM', group: false, role: 'ReadOnly' },
      { principal: 'admins@EXAMPLE.COM', group: true, role: 'Administrator' },
    ]);
  });

  it('refuses an unknown role (exit 2, naming it), a bad principal (exit 2) and a local user that does not exist (exit 1)', async () => {
    const [role, ghost, qualifiedGhost, badName, localGroup] = await all(
      ['permission', 'add', 'ops@example.com', 'FirmwareOperator'],
      ['permission', 'add', 'ghost', 'ReadOnly'],
      ['permission', 'add', 'ghost@vsphere.local', 'ReadOnly'],
      ['permission', 'add', 'not a name!', 'ReadOnly'],
      // A local group needs no account.
      ['permission', 'add', 'operators@vsphere.local', 'ReadOnly', '--group'],
    );
    expect(role!.code).toBe(2);
    expect(role!.stderr).toContain('FirmwareOperator');
    expect(ghost!.code).toBe(1);
    expect(ghost!.stderr).toContain('ghost');
    expect(qualifiedGhost!.code).toBe(1);
    expect(badName!.code).toBe(2);
    expect(localGroup!.code).toBe(0);
    expect(json(await cli('permission', 'list', '--json'))).toEqual([{ principal: 'operators@VSPHERE.LOCAL', group: true, role: 'ReadOnly' }]);
  });

  it('removes a user permission and a group permission of the same name, each only as what it is', async () => {
    await all(['permission', 'add', 'ops@example.com', 'ReadOnly'], ['permission', 'add', 'ops@example.com', 'Administrator', '--group']);
    expect(await cli('permission', 'remove', 'ops@example.com')).toMatchObject({ code: 0, stdout: 'Removed the permission of user ops@example.com\n' });
    const [again, listed] = await all(['permission', 'remove', 'ops@example.com'], ['permission', 'list', '--json']);
    expect(again!.code).toBe(1);
    expect(json(listed!)).toEqual([{ principal: 'ops@EXAMPLE.COM', group: true, role: 'Administrator' }]);
    expect((await cli('permission', 'remove', 'OPS@example.com', '--group')).code).toBe(0);
    expect(json(await cli('permission', 'list', '--json'))).toEqual([]);
  });
});

describe('vapi-auth user with roles', () => {
  it('adds a user with a custom role, changes it, lists it, and removes the permission with the user', async () => {
    await publishPluginPrivileges([]); // also creates administrator@vsphere.local
    expect((await cli('role', 'add', 'FirmwareOperator', '--privilege', 'Host.Config.Firmware')).code).toBe(0);
    const [fw, plain, unknown] = await all(['user', 'add', 'fw', '--role', 'FirmwareOperator'], ['user', 'add', 'plain'], ['user', 'add', 'nobody', '--role', 'Boss']);
    expect(fw).toMatchObject({ code: 0, stdout: 'Added fw (FirmwareOperator)\n' });
    expect(plain).toMatchObject({ code: 0, stdout: 'Added plain (ReadOnly)\n' });
    expect(unknown!.code).toBe(2);
    expect(unknown!.stderr).toContain('Boss');
    expect((await cli('user', 'list')).stdout).toBe('administrator@VSPHERE.LOCAL\tAdministrator\nfw@VSPHERE.LOCAL\tFirmwareOperator\nplain@VSPHERE.LOCAL\tReadOnly\n');

    const [promoted, demoted, badRole, ghost] = await all(
      ['user', 'role', 'plain', 'FirmwareOperator'],
      ['user', 'role', 'fw', 'ReadOnly'],
      ['user', 'role', 'nobody', 'Boss'],
      ['user', 'role', 'ghost', 'ReadOnly'],
    );
    expect(promoted).toMatchObject({ code: 0, stdout: 'plain is now FirmwareOperator\n' });
    expect(demoted!.code).toBe(0);
    expect(badRole!.code).toBe(2);
    expect(ghost!.code).toBe(1);
    expect((await cli('permission', 'remove', 'fw')).code).toBe(0);
    expect((await cli('user', 'list')).stdout).toBe('administrator@VSPHERE.LOCAL\tAdministrator\nfw@VSPHERE.LOCAL\t(no permission)\nplain@VSPHERE.LOCAL\tFirmwareOperator\n');

    // Removing a user removes its permission, so the role can go then.
    expect((await cli('role', 'remove', 'FirmwareOperator')).code).toBe(1);
    expect((await cli('user', 'remove', 'plain')).code).toBe(0);
    expect(json(await cli('permission', 'list', '--json'))).toEqual([{ principal: 'administrator@VSPHERE.LOCAL', group: false, role: 'Administrator' }]);
    expect((await cli('role', 'remove', 'FirmwareOperator')).code).toBe(0);
  });

  it('does not hand a re-created user the permission of a removed one of the same name', async () => {
    expect((await cli('user', 'add', 'reused', '--role', 'Administrator')).code).toBe(0);
    expect((await cli('user', 'remove', 'reused')).code).toBe(0);
    expect((await cli('user', 'add', 'reused')).code).toBe(0);
    expect((await cli('user', 'list')).stdout).toBe('reused@VSPHERE.LOCAL\tReadOnly\n');
  });
});

const run = redisAvailable();

describe('vapi-auth user and the password policy', () => {
  it('refuses a weak password as the administration API does, changing nothing', async () => {
    const withPassword = (password: string, ...args: string[]) => runCli([...args, '--data-dir', sandbox.dataDir], { env: { VAPI_AUTH_PASSWORD: password } });
    expect(await withPassword('Sh0rt!', 'user', 'add', 'weak')).toMatchObject({ code: 1, stderr: 'vapi-auth: the password must have at least 8 characters\n' });
    expect(await withPassword('', 'user', 'add', 'weak')).toMatchObject({ code: 1 });
    expect((await cli('user', 'list')).stdout).toBe('');
    expect((await cli('user', 'add', 'strong')).code).toBe(0);
    expect(await withPassword('Strong', 'user', 'passwd', 'strong')).toMatchObject({ code: 1, stderr: 'vapi-auth: the password must have at least 8 characters\n' });
    expect(await withPassword('STRONG12', 'user', 'passwd', 'strong12')).toMatchObject({ code: 1, stderr: 'vapi-auth: no user strong12\n' });
  });
});

describe.runIf(run)('vapi-auth role, permission and user on a Redis store', () => {
  const redis = redisPerBlock();

  it('manages roles, permissions and users in Redis, plugin privileges included', async () => {
    const onRedis = (...args: string[]) => runCli([...args, '--store', redis.url], { env: { VAPI_AUTH_PASSWORD: 'Us3r-pass' } });
    expect((await onRedis('role', 'add', 'FirmwareOperator', '--privilege', 'Host.Config.Firmware')).code).toBe(2);
    await publishPluginPrivileges(['--store', redis.url]);
    expect((await onRedis('role', 'add', 'FirmwareOperator', '--privilege', 'Host.Config.Firmware')).code).toBe(0);
    const [shown, fw, group, ghost] = await Promise.all([
      onRedis('role', 'show', 'FirmwareOperator', '--json'),
      onRedis('user', 'add', 'fw', '--role', 'FirmwareOperator'),
      onRedis('permission', 'add', 'ops@example.com', 'FirmwareOperator', '--group'),
      onRedis('permission', 'add', 'ghost', 'ReadOnly'),
    ]);
    expect(json(shown)).toEqual({ name: 'FirmwareOperator', system: false, privileges: ['Host.Config.Firmware', ...BASE] });
    expect(fw.code).toBe(0);
    expect(group.code).toBe(0);
    expect(ghost.code).toBe(1);
    const [permissions, refused] = await Promise.all([onRedis('permission', 'list', '--json'), onRedis('role', 'remove', 'FirmwareOperator')]);
    expect(json(permissions)).toEqual([
      { principal: 'administrator@VSPHERE.LOCAL', group: false, role: 'Administrator' },
      { principal: 'fw@VSPHERE.LOCAL', group: false, role: 'FirmwareOperator' },
      { principal: 'ops@EXAMPLE.COM', group: true, role: 'FirmwareOperator' },
    ]);
    expect(refused.code).toBe(1);
    await Promise.all([onRedis('user', 'remove', 'fw'), onRedis('permission', 'remove', 'ops@example.com', '--group')]);
    expect((await onRedis('role', 'remove', 'FirmwareOperator')).code).toBe(0);
    const [roles, users] = await Promise.all([onRedis('role', 'list'), onRedis('user', 'list')]);
    expect(roles.stdout.trim().split('\n')).toHaveLength(3);
    expect(users.stdout).toBe('administrator@VSPHERE.LOCAL\tAdministrator\n');
  });
});

if (!run) describe('vapi-auth role, permission and user on a Redis store', () => it.skip(REDIS_MISSING, () => undefined));

describe('vapi-auth user unlock', () => {
  it('ends a lockout on the servers of the data dir: the right password works again at once', async () => {
    const server = sandbox.track(await startServerProcess(['--http', '--data-dir', sandbox.dataDir, '--lockout-failures', '3'], ENV));
    const login = (password: string) => http(`${server.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', password) });
    for (let i = 0; i < 3; i++) expect((await login('wrong')).status).toBe(401);
    expect((await login(ENV.VAPI_AUTH_ADMIN_PASSWORD)).status).toBe(401);
    expect(await cli('user', 'unlock', 'Administrator')).toMatchObject({ code: 0, stdout: 'Unlocked Administrator: its next login is checked as if it had never failed\n' });
    expect((await login(ENV.VAPI_AUTH_ADMIN_PASSWORD)).status).toBe(201);
    expect(await cli('user', 'unlock', 'bad name@')).toMatchObject({ code: 1 });
  });
});
