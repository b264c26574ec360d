import type { Flags } from '../config/options.js';
import type { RoleView } from '../authorization/access-control.js';
import { printList, UsageError, withAdminStore } from './admin-store.js';
import { usageLine } from './commands.js';

function privilegesText(role: RoleView): string {
  return role.privileges === 'all' ? '(all privileges)' : role.privileges.join(', ');
}

/** The repeated `--privilege` values. */
function privilegeFlags(flags: Flags): string[] {
  const value = flags.privilege;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

/** `vapi-auth role add|list|show|remove`: custom roles, beside the system roles Administrator, ReadOnly and NoAccess. */
export async function roleCommand(verb: string, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [name = ''] = args;
  const privileges = privilegeFlags(flags);
  if (verb === 'add' && privileges.length === 0) throw new UsageError(`a role needs at least one --privilege; usage: ${usageLine('role', 'add')}`);
  const json = flags.json === true;
  await withAdminStore(flags, env, 'role commands', async ({ access, audit }) => {
    switch (verb) {
      case 'add': {
        const role = await access.addRole(name, privileges);
        audit.record({ event: 'role.added', target: name });
        out.write(`Added role ${name}: ${privilegesText(role)}\n`);
        return;
      }
      case 'list':
        printList(out, flags, await access.roles(), (role) => `${role.name}\t${role.system ? 'system' : 'custom'}\t${privilegesText(role)}`);
        return;
      case 'show': {
        const role = await access.role(name);
        if (json) out.write(`${JSON.stringify(role, null, 2)}\n`);
        else out.write(`${role.name} (${role.system ? 'system' : 'custom'} role)\n${role.privileges === 'all' ? '  (all privileges)\n' : role.privileges.map((p) => `  ${p}\n`).join('')}`);
        return;
      }
      case 'remove': {
        await access.removeRole(name);
        audit.record({ event: 'role.removed', target: name });
        out.write(`Removed role ${name}\n`);
        return;
      }
    }
  });
}
