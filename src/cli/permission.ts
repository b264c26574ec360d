import type { Flags } from '../config/options.js';
import { AccessError } from '../authorization/access-control.js';
import { argument, noMoreArguments, UsageError, withAdminStore } from './admin-store.js';

const USAGE = {
  add: 'vapi-auth permission add PRINCIPAL ROLE [--group]',
  remove: 'vapi-auth permission remove PRINCIPAL [--group]',
};

/**
 * `vapi-auth permission add|list|remove`: which role a user or a group has. A principal has one
 * permission; adding another replaces it. A user's own permission wins over its groups'.
 */
export async function permissionCommand(args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [verb, ...rest] = args;
  if (!verb || !['add', 'list', 'remove'].includes(verb)) throw new UsageError('usage: vapi-auth permission add|list|remove …');
  const group = flags.group === true;
  if (verb === 'list' && flags.group !== undefined) throw new UsageError('usage: vapi-auth permission list [--json]');
  const kind = group ? 'group' : 'user';
  await withAdminStore(flags, env, 'permission commands', async ({ access, audit }) => {
    switch (verb) {
      case 'add': {
        const principal = argument(rest, 0, USAGE.add);
        const role = argument(rest, 1, USAGE.add);
        noMoreArguments(rest, 2, USAGE.add);
        const permission = await access.grant(principal, role, group);
        audit.record({ event: 'permission.added', user: principal, target: role });
        out.write(`${kind} ${permission.display} has role ${role}\n`);
        return;
      }
      case 'list': {
        noMoreArguments(rest, 0, 'vapi-auth permission list [--json]');
        const permissions = await access.permissions();
        if (flags.json === true) {
          out.write(`${JSON.stringify(permissions.map(({ display, group: isGroup, role }) => ({ principal: display, group: isGroup, role })), null, 2)}\n`);
        } else {
          for (const permission of permissions) out.write(`${permission.display}\t${permission.group ? 'group' : 'user'}\t${permission.role}\n`);
        }
        return;
      }
      case 'remove': {
        const principal = argument(rest, 0, USAGE.remove);
        noMoreArguments(rest, 1, USAGE.remove);
        if (!(await access.revoke(principal, group))) throw new AccessError('missing', `${kind} ${principal} has no permission`);
        audit.record({ event: 'permission.removed', user: principal });
        out.write(`Removed the permission of ${kind} ${principal}\n`);
        return;
      }
    }
  });
}
