import { text } from 'node:stream/consumers';
import { envName, type Flags } from '../config/options.js';
import { systemClock } from '../core/clock.js';
import { isRole, ROLES, type Role } from '../core/principal.js';
import { generatePassword } from '../identity/bootstrap.js';
import { IdentityError, LocalIdentitySource } from '../identity/identity-source.js';
import { openPersistentStore } from './persistent-store.js';
import { UsageError } from './usage-error.js';


function parseRole(value: string): Role {
  if (!isRole(value)) throw new UsageError(`unknown role "${value}" (roles: ${ROLES.join(', ')})`);
  return value;
}

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

function requireName(args: string[], usage: string): string {
  const name = args[0];
  if (!name) throw new UsageError(`usage: ${usage}`);
  return name;
}

/** `vapi-auth user add|list|remove|passwd|role`, against the store the servers use (sqlite in the data dir by default). */
export async function userCommand(args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [verb, ...rest] = args;
  const dataDir = typeof flags['data-dir'] === 'string' ? flags['data-dir'] : (env[envName('data-dir')] ?? './data');
  const spec = typeof flags.store === 'string' ? flags.store : (env[envName('store')] ?? 'sqlite');
  const store = await openPersistentStore(spec, dataDir, 'user commands');
  const identity = new LocalIdentitySource(store.users, systemClock);
  const missing = (name: string) => new IdentityError(`no user ${name}`);
  try {
    switch (verb) {
      case 'add': {
        const name = requireName(rest, 'vapi-auth user add NAME [--role ROLE] [--password-stdin]');
        const role = parseRole(typeof flags.role === 'string' ? flags.role : 'ReadOnly');
        if (await identity.find(name)) throw new IdentityError(`user ${name} exists already`);
        const password = await newPassword(flags, env, out);
        if (!(await identity.add(name, password, [role]))) throw new IdentityError(`user ${name} exists already`);
        out.write(`Added ${name} (${role})\n`);
        return;
      }
      case 'list':
        for (const user of await identity.list()) {
          out.write(`${user.name}@${user.domain.toUpperCase()}\t${user.roles.join(',')}\n`);
        }
        return;
      case 'remove': {
        const name = requireName(rest, 'vapi-auth user remove NAME');
        if (!(await identity.remove(name))) throw missing(name);
        out.write(`Removed ${name}; its sessions end with it\n`);
        return;
      }
      case 'passwd': {
        const name = requireName(rest, 'vapi-auth user passwd NAME [--password-stdin]');
        if (!(await identity.find(name))) throw missing(name);
        const password = await newPassword(flags, env, out);
        if (!(await identity.setPassword(name, password))) throw missing(name);
        out.write(`Changed the password of ${name}\n`);
        return;
      }
      case 'role': {
        const name = requireName(rest, 'vapi-auth user role NAME ROLE');
        const role = parseRole(rest[1] ?? '');
        if (!(await identity.setRoles(name, [role]))) throw missing(name);
        out.write(`${name} is now ${role}\n`);
        return;
      }
      default:
        throw new UsageError('usage: vapi-auth user add|list|remove|passwd|role …');
    }
  } finally {
    await store.close();
  }
}
