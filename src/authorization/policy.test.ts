import { describe, expect, it } from 'vitest';
import { AuthorizationPolicy } from './policy.js';
import { customRolePrivileges, roleNameProblem } from './roles.js';

const snapshot = {
  version: 7,
  roles: [
    { name: 'Firmware', privileges: customRolePrivileges(['Host.Config.Firmware']) },
    { name: 'Tasks', privileges: customRolePrivileges(['Task.ViewAll']) },
  ],
  permissions: [
    { principal: 'ann@vsphere.local', group: false, role: 'Firmware' },
    { principal: 'bob@vsphere.local', group: false, role: 'NoAccess' },
    { principal: 'ops@example.com', group: true, role: 'Firmware' },
    { principal: 'audit@example.com', group: true, role: 'Tasks' },
    { principal: 'root@example.com', group: true, role: 'Administrator' },
  ],
};

describe('an authorization policy', () => {
  const policy = new AuthorizationPolicy(snapshot);

  it('gives a user the privileges of its own permission: a custom role always holds the base three', () => {
    const ann = policy.privilegesOf({ userKey: 'ann@vsphere.local' });
    for (const privilege of ['System.Anonymous', 'System.View', 'System.Read', 'Host.Config.Firmware']) expect(ann.has(privilege)).toBe(true);
    expect(ann.has('Task.ViewAll')).toBe(false);
    expect(policy.version).toBe(7);
  });

  it('gives a user without a permission nothing, and NoAccess nothing', () => {
    expect(policy.privilegesOf({ userKey: 'nobody@vsphere.local' }).has('System.Anonymous')).toBe(false);
    expect(policy.privilegesOf({ userKey: 'bob@vsphere.local' }).has('System.Read')).toBe(false);
  });

  it('gives a user without its own permission the union of its groups’ roles', () => {
    const carol = policy.privilegesOf({ userKey: 'carol@example.com', groups: ['ops@example.com', 'audit@example.com'] });
    expect(carol.has('Host.Config.Firmware')).toBe(true);
    expect(carol.has('Task.ViewAll')).toBe(true);
    expect(policy.rolesOf({ userKey: 'carol@example.com', groups: ['ops@example.com', 'audit@example.com'] })).toEqual(['Firmware', 'Tasks']);
  });

  it('lets a user permission win over group permissions, even a lesser one', () => {
    const bob = { userKey: 'bob@vsphere.local', groups: ['root@example.com'] };
    expect(policy.rolesOf(bob)).toEqual(['NoAccess']);
    expect(policy.privilegesOf(bob).has('System.Read')).toBe(false);
  });

  it('gives Administrator every privilege, also those declared after the role was given', () => {
    const root = policy.privilegesOf({ userKey: 'dan@example.com', groups: ['root@example.com'] });
    expect(root.has('Any.Plugin.Privilege')).toBe(true);
  });

  it('answers the same for the same principal and groups, whatever their order of asking', () => {
    const once = policy.privilegesOf({ userKey: 'carol@example.com', groups: ['ops@example.com'] });
    const again = policy.privilegesOf({ userKey: 'carol@example.com', groups: ['ops@example.com'] });
    expect(again).toBe(once);
    expect(policy.privilegesOf({ userKey: 'carol@example.com' }).has('Host.Config.Firmware')).toBe(false);
  });
});

describe('role names', () => {
  it('refuse system role names in any case, and names with odd characters', () => {
    expect(roleNameProblem('FirmwareOperator')).toBeUndefined();
    expect(roleNameProblem('Ops team.v2')).toBeUndefined();
    expect(roleNameProblem('administrator')).toMatch(/system role/);
    expect(roleNameProblem('NOACCESS')).toMatch(/system role/);
    expect(roleNameProblem('x'.repeat(64))).toBeUndefined();
    for (const bad of ['', ' lead', 'trail ', 'a/b', 'x'.repeat(65), 'tab\there']) expect(roleNameProblem(bad), bad).toMatch(/not a role name/);
  });
});
