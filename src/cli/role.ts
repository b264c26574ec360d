import type { Flags } from '../config/options.js';
import type { RoleView } from '../authorization/access-control.js';
import { argument, noMoreArguments, UsageError, withAdminStore } from './admin-store.js';

const USAGE = {
  add: 'vapi-auth role add NAME --privilege P [--privilege P …]',
  show: 'vapi-auth role show NAME [--json]',
  remove: 'vapi-auth role remove NAME',
};

function privilegesText(role: RoleView): string {
  return role.privileges === 'all' ? '(all privileges)' : role.privileges.join(', ');
}

/** The repeated `--privilege` values. */
function privilegeFlags(flags: Flags): string[] {
  const value = flags.privilege;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

/** `vapi-auth role add|list|show|remove`: custom roles, beside the system roles Administrator, ReadOnly and NoAccess. */
export async function roleCommand(args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [verb, ...rest] = args;
  if (!verb || !['add', 'list', 'show', 'remove'].includes(verb)) throw new UsageError('usage: vapi-auth role add|list|show|remove …');
  if (verb !== 'add' && flags.privilege !== undefined) throw new UsageError(`--privilege belongs to role add; usage: ${USAGE.add}`);
  const json = flags.json === true;
  await withAdminStore(flags, env, 'role commands', async ({ access, audit }) => {
    switch (verb) {
      case 'add': {
        const name = argument(rest, 0, USAGE.add);
        noMoreArguments(rest, 1, USAGE.add);
        const privileges = privilegeFlags(flags);
        if (privileges.length === 0) throw new UsageError(`a role needs at least one --privilege; usage: ${USAGE.add}`);
        const role = await access.addRole(name, privileges);
        audit.record({ event: 'role.added', target: name });
        out.write(`Added role ${name}: ${privilegesText(role)}\n`);
        return;
      }
      case 'list': {
        noMoreArguments(rest, 0, 'vapi-auth role list [--json]');
        const roles = await access.roles();
        if (json) out.write(`${JSON.stringify(roles, null, 2)}\n`);
        else for (const role of roles) out.write(`${role.name}\t${role.system ? 'system' : 'custom'}\t${privilegesText(role)}\n`);
        return;
      }
      case 'show': {
        const name = argument(rest, 0, USAGE.show);
        noMoreArguments(rest, 1, USAGE.show);
        const role = await access.role(name);
        if (json) out.write(`${JSON.stringify(role, null, 2)}\n`);
        else out.write(`${role.name} (${role.system ? 'system' : 'custom'} role)\n${role.privileges === 'all' ? '  (all privileges)\n' : role.privileges.map((p) => `  ${p}\n`).join('')}`);
        return;
      }
      case 'remove': {
        const name = argument(rest, 0, USAGE.remove);
        noMoreArguments(rest, 1, USAGE.remove);
        await access.removeRole(name);
        audit.record({ event: 'role.removed', target: name });
        out.write(`Removed role ${name}\n`);
        return;
      }
    }
  });
}
