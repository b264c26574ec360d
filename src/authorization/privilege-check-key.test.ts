import { describe, expect, it } from 'vitest';
import type { PrivilegeCheck } from '../store/store.js';
import { privilegeCheckKey } from './privilege-check-key.js';

const check: PrivilegeCheck = {
  principal: { name: 'Ops', domain: 'vsphere.local' },
  session: 'abc',
  opId: 'op-1',
  privilege: 'System.Read',
  object: { type: 'Folder', id: 'group-d1' },
};

describe('privilegeCheckKey', () => {
  it('is the same for the same check (the principal compared without case), and differs when any field does', () => {
    expect(privilegeCheckKey({ ...check, principal: { name: 'OPS', domain: 'VSPHERE.LOCAL' } })).toBe(privilegeCheckKey(check));
    const variants: PrivilegeCheck[] = [
      { ...check, principal: { name: 'ops2', domain: 'vsphere.local' } },
      { ...check, session: undefined },
      { ...check, opId: 'op-2' },
      { ...check, privilege: 'Task.ViewAll' },
      { ...check, object: { type: 'Datacenter', id: 'group-d1' } },
      { ...check, object: { type: 'Folder', id: 'group-d2' } },
    ];
    const keys = new Set([check, ...variants].map(privilegeCheckKey));
    expect(keys.size).toBe(variants.length + 1);
  });

  it('collision by moving text between fields: a separator typed into a field does not make two checks one', () => {
    const split = privilegeCheckKey({ ...check, opId: 'op', privilege: '-1System.Read' });
    const shifted = privilegeCheckKey({ ...check, opId: 'op-1System.Read', privilege: '' });
    expect(new Set([privilegeCheckKey(check), split, shifted]).size).toBe(3);
    const forged = privilegeCheckKey({ ...check, opId: `op-1${'11:System.Read'}`, privilege: '' });
    expect(forged).not.toBe(privilegeCheckKey(check));
  });
});
