import type { Flags } from '../config/options.js';
import { AccessError } from '../authorization/access-control.js';
import { printList, withAdminStore } from './admin-store.js';

/**
 * `vapi-auth permission add|list|remove`: which role a user or a group has. A principal has one
 * permission; adding another replaces it. A user's own permission wins over its groups'.
 */
export async function permissionCommand(verb: string, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [principal = '', role = ''] = args;
  const group = flags.group === true;
  const kind = group ? 'group' : 'user';
  await withAdminStore(flags, env, 'permission commands', async ({ access, audit }) => {
    switch (verb) {
      case 'add': {
        const permission = await access.grant(principal, role, group);
        audit.record({ event: 'permission.added', user: principal, target: role });
        out.write(`${kind} ${permission.display} has role ${role}\n`);
        return;
      }
      case 'list':
        printList(
          out,
          flags,
          await access.permissions(),
          (permission) => `${permission.display}\t${permission.group ? 'group' : 'user'}\t${permission.role}`,
          ({ display, group: isGroup, role: held }) => ({ principal: display, group: isGroup, role: held }),
        );
        return;
      case 'remove': {
        if (!(await access.revoke(principal, group))) throw new AccessError('missing', `${kind} ${principal} has no permission`);
        audit.record({ event: 'permission.removed', user: principal });
        out.write(`Removed the permission of ${kind} ${principal}\n`);
        return;
      }
    }
  });
}
