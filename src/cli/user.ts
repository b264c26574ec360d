import { text } from 'node:stream/consumers';
import type { Flags } from '../config/options.js';
import { generatePassword } from '../identity/bootstrap.js';
import { IdentityError } from '../identity/identity-source.js';
import { userKey } from '../identity/user-name.js';
import { printList, UsageError, withAdminStore } from './admin-store.js';

export { UsageError } from './admin-store.js';

/** The new password: stdin with --password-stdin, else VAPI_AUTH_PASSWORD, else generated and printed; the password policy applies to it. */
async function newPassword(flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<string> {
  let password: string | undefined;
  if (flags['password-stdin'] === true) password = (await text(process.stdin)).replace(/\r?\n$/, '');
  else password = env.VAPI_AUTH_PASSWORD;
  if (password === undefined) {
    password = generatePassword();
    out.write(`Generated password: ${password}\n`);
  }
  return password;
}

/**
 * `vapi-auth user add|list|remove|passwd|role`, against the store the servers use (sqlite in the
 * data dir by default); `verb` and `args` are checked already. A user's role is its user
 * permission: `user role` is `permission add`.
 */
export async function userCommand(verb: string, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [name = '', role = ''] = args;
  await withAdminStore(flags, env, 'user commands', async ({ identity, access, users, audit }) => {
    switch (verb) {
      case 'add': {
        const granted = typeof flags.role === 'string' ? flags.role : 'ReadOnly';
        await access.role(granted).catch(() => {
          throw new UsageError(`unknown role "${granted}"`);
        });
        if (await identity.find(name)) throw new IdentityError(`user ${name} exists already`, 'exists');
        await users.add(name, await newPassword(flags, env, out));
        await access.grant(name, granted);
        audit.record({ event: 'user.added', user: name, target: granted });
        out.write(`Added ${name} (${granted})\n`);
        return;
      }
      case 'list': {
        const roles = new Map((await access.permissions()).filter((p) => !p.group).map((p) => [p.principal, p.role]));
        const users = (await identity.list()).map((user) => ({ user: `${user.name}@${user.domain.toUpperCase()}`, role: roles.get(userKey(user)) ?? null }));
        printList(out, flags, users, ({ user, role: held }) => `${user}\t${held ?? '(no permission)'}`);
        return;
      }
      case 'remove': {
        await users.remove(name);
        audit.record({ event: 'user.removed', user: name });
        out.write(`Removed ${name}; its sessions end with it\n`);
        return;
      }
      case 'passwd': {
        // Refused before a password is asked for (or generated and shown).
        await users.passwordUser(name);
        await users.setPassword(name, await newPassword(flags, env, out));
        audit.record({ event: 'user.password_changed', user: name });
        out.write(`Changed the password of ${name}\n`);
        return;
      }
      case 'role': {
        await access.grant(name, role);
        audit.record({ event: 'user.role_changed', user: name, target: role });
        out.write(`${name} is now ${role}\n`);
        return;
      }
    }
  });
}
