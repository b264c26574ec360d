import { text } from 'node:stream/consumers';
import type { Flags } from '../config/options.js';
import { generatePassword } from '../identity/bootstrap.js';
import { IdentityError } from '../identity/identity-source.js';
import { userKey } from '../identity/user-name.js';
import { argument, noMoreArguments, UsageError, withAdminStore } from './admin-store.js';

export { UsageError } from './admin-store.js';

/** The new password: stdin with --password-stdin, else VAPI_AUTH_PASSWORD, else generated and printed. */
async function newPassword(flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<string> {
  let password: string | undefined;
  if (flags['password-stdin'] === true) password = (await text(process.stdin)).replace(/\r?\n$/, '');
  else password = env.VAPI_AUTH_PASSWORD;
  if (password === undefined) {
    password = generatePassword();
    out.write(`Generated password: ${password}\n`);
  }
  if (password === '') throw new UsageError('the password must not be empty');
  return password;
}

const USAGE = {
  add: 'vapi-auth user add NAME [--role ROLE] [--password-stdin]',
  remove: 'vapi-auth user remove NAME',
  passwd: 'vapi-auth user passwd NAME [--password-stdin]',
  role: 'vapi-auth user role NAME ROLE',
};

/**
 * `vapi-auth user add|list|remove|passwd|role`, against the store the servers use (sqlite in the
 * data dir by default). A user's role is its user permission: `user role` is `permission add`.
 */
export async function userCommand(args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [verb, ...rest] = args;
  if (!verb || !['add', 'list', 'remove', 'passwd', 'role'].includes(verb)) throw new UsageError('usage: vapi-auth user add|list|remove|passwd|role …');
  await withAdminStore(flags, env, 'user commands', async ({ identity, access, audit }) => {
    const missing = (name: string) => new IdentityError(`no user ${name}`);
    switch (verb) {
      case 'add': {
        const name = argument(rest, 0, USAGE.add);
        noMoreArguments(rest, 1, USAGE.add);
        const role = typeof flags.role === 'string' ? flags.role : 'ReadOnly';
        await access.role(role).catch(() => {
          throw new UsageError(`unknown role "${role}"`);
        });
        if (await identity.find(name)) throw new IdentityError(`user ${name} exists already`);
        const password = await newPassword(flags, env, out);
        if (!(await identity.add(name, password))) throw new IdentityError(`user ${name} exists already`);
        await access.grant(name, role);
        audit.record({ event: 'user.added', user: name, target: role });
        out.write(`Added ${name} (${role})\n`);
        return;
      }
      case 'list': {
        noMoreArguments(rest, 0, 'vapi-auth user list');
        const roles = new Map((await access.permissions()).filter((p) => !p.group).map((p) => [p.principal, p.role]));
        for (const user of await identity.list()) {
          out.write(`${user.name}@${user.domain.toUpperCase()}\t${roles.get(userKey(user)) ?? '(no permission)'}\n`);
        }
        return;
      }
      case 'remove': {
        const name = argument(rest, 0, USAGE.remove);
        noMoreArguments(rest, 1, USAGE.remove);
        if (!(await identity.remove(name))) throw missing(name);
        await access.revoke(name);
        audit.record({ event: 'user.removed', user: name });
        out.write(`Removed ${name}; its sessions end with it\n`);
        return;
      }
      case 'passwd': {
        const name = argument(rest, 0, USAGE.passwd);
        noMoreArguments(rest, 1, USAGE.passwd);
        if (!(await identity.find(name))) throw missing(name);
        const password = await newPassword(flags, env, out);
        if (!(await identity.setPassword(name, password))) throw missing(name);
        audit.record({ event: 'user.password_changed', user: name });
        out.write(`Changed the password of ${name}\n`);
        return;
      }
      case 'role': {
        const name = argument(rest, 0, USAGE.role);
        const role = argument(rest, 1, USAGE.role);
        noMoreArguments(rest, 2, USAGE.role);
        await access.grant(name, role);
        audit.record({ event: 'user.role_changed', user: name, target: role });
        out.write(`${name} is now ${role}\n`);
        return;
      }
    }
  });
}
