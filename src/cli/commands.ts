import { OPTIONS } from '../config/options.js';
import { didYouMean } from '../core/did-you-mean.js';
import { UsageError } from './usage-error.js';

/** One verb of an administration command: what it takes, for checking and for its help. */
export interface VerbSpec {
  /** What follows `vapi-auth COMMAND VERB` in its usage line. */
  usage: string;
  summary: string;
  /** Fewest and most positional arguments. */
  args: readonly [number, number];
  /** Flags it takes besides those every administration command takes (STORE_FLAGS). */
  flags: readonly string[];
}

export interface CommandSpec {
  summary: string;
  /** Absent for a command without verbs (serve, openapi). */
  verbs?: Readonly<Record<string, VerbSpec>>;
  /** Flags of a command without verbs. */
  flags?: readonly string[];
  /** Lines after the usage in its help. */
  notes?: readonly string[];
}

/** Where an administration command finds the servers' store, and where it records its changes (the audit log). */
export const STORE_FLAGS = ['data-dir', 'store', 'config', 'audit-log'] as const;

/** The value of a flag in usage lines; flags absent here are switches. */
export const ADMIN_FLAG_VALUES: Readonly<Record<string, string>> = {
  role: 'ROLE',
  cert: 'FILE',
  privilege: 'P',
  user: 'NAME',
  config: 'FILE',
  'data-dir': 'DIR',
  'audit-log': 'FILE|-',
  store: 'sqlite|redis://…',
  'token-lifetime': 'DURATION',
  'sts-max-lifetime': 'DURATION',
};

const keyVerbs = (idName: string, lifetime: string, what: string): Record<string, VerbSpec> => ({
  rotate: {
    usage: `[--${lifetime} DURATION]`,
    summary: `a new ${what} for this node (--data-dir), trusted by every node at once and signing here within seconds; the old one stays trusted until its tokens expire`,
    args: [0, 0],
    flags: [lifetime],
  },
  list: { usage: '[--json]', summary: `the ${what}s every node trusts: id, created, trusted until, and the one that signs on this node`, args: [0, 0], flags: ['json'] },
  revoke: { usage: idName, summary: `withdraws a ${what} for good: every node refuses its tokens at their next use`, args: [1, 1], flags: [] },
});

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  serve: { summary: 'run the server', flags: [...OPTIONS.map((o) => o.flag), 'config'] },
  user: {
    summary: 'local users (vsphere.local) of the store the servers use',
    verbs: {
      add: {
        usage: 'NAME [--role ROLE] [--password-stdin]',
        summary: 'adds a user with role ROLE (ReadOnly by default); the password comes from stdin (--password-stdin), VAPI_AUTH_PASSWORD, or is generated and printed; it must have 8 to 256 characters, none a control character, and not be the user name',
        args: [1, 1],
        flags: ['role', 'password-stdin'],
      },
      list: { usage: '[--json]', summary: 'the users and their roles', args: [0, 0], flags: ['json'] },
      remove: { usage: 'NAME', summary: 'removes a user; its sessions and tokens stop working at once', args: [1, 1], flags: [] },
      passwd: { usage: 'NAME [--password-stdin]', summary: 'sets a new password, read like add', args: [1, 1], flags: ['password-stdin'] },
      role: { usage: 'NAME ROLE', summary: "gives the user ROLE (its user permission: the same as permission add)", args: [2, 2], flags: [] },
      unlock: { usage: 'NAME', summary: 'ends a lockout of NAME (a local user, or name@domain of a directory user) on every node at once', args: [1, 1], flags: [] },
    },
  },
  'solution-user': {
    summary: 'solution users (vsphere.local): principals identified by a certificate, which get holder-of-key tokens from the STS by signing with its key',
    verbs: {
      add: {
        usage: 'NAME --cert FILE [--role ROLE]',
        summary: 'registers NAME with the certificate of FILE (PEM; one solution user per certificate), with role ROLE if given',
        args: [1, 1],
        flags: ['cert', 'role'],
      },
      list: { usage: '[--json]', summary: 'the solution users: name, role, certificate subject, SHA-256 fingerprint and end of validity', args: [0, 0], flags: ['json'] },
      remove: { usage: 'NAME', summary: 'removes a solution user; its sessions end and the STS refuses its certificate at once', args: [1, 1], flags: [] },
    },
  },
  role: {
    summary: 'custom roles, beside the system roles Administrator, ReadOnly and NoAccess',
    verbs: {
      add: { usage: 'NAME --privilege P [--privilege P …]', summary: 'adds a role granting these privileges (and System.Anonymous, System.View, System.Read)', args: [1, 1], flags: ['privilege'] },
      list: { usage: '[--json]', summary: 'every role with its privileges', args: [0, 0], flags: ['json'] },
      show: { usage: 'NAME [--json]', summary: 'one role with its privileges', args: [1, 1], flags: ['json'] },
      remove: { usage: 'NAME', summary: 'removes a custom role no permission gives', args: [1, 1], flags: [] },
    },
  },
  permission: {
    summary: 'the role of a user or a group',
    verbs: {
      add: { usage: 'PRINCIPAL ROLE [--group]', summary: "gives PRINCIPAL (a user, or a group with --group) ROLE, replacing its permission", args: [2, 2], flags: ['group'] },
      list: { usage: '[--json]', summary: 'every permission', args: [0, 0], flags: ['json'] },
      remove: { usage: 'PRINCIPAL [--group]', summary: 'removes the permission of a user or group', args: [1, 1], flags: ['group'] },
    },
  },
  session: {
    summary: 'the live sessions of the store the servers use',
    verbs: {
      list: {
        usage: '[--user NAME] [--json]',
        summary: "live sessions, all or one user's: id (a prefix of the SHA-256 of the session id, which is all the store keeps), user, created, last access, scheme, client address",
        args: [0, 0],
        flags: ['user', 'json'],
      },
      revoke: {
        usage: 'ID-PREFIX | --user NAME',
        summary: 'ends the session whose id (as session list shows it) starts with ID-PREFIX (6 characters at least, matching one session only), or every session of a user; refused on its next request on every node',
        args: [0, 1],
        flags: ['user'],
      },
    },
  },
  keys: { summary: 'the JWT signing keys (OMIVV login and bearer tokens)', verbs: keyVerbs('KID', 'token-lifetime', 'JWT key') },
  sts: { summary: 'the STS signing keys (certificates of SAML tokens)', verbs: keyVerbs('FINGERPRINT', 'sts-max-lifetime', 'STS certificate') },
  openapi: {
    summary: 'print the OpenAPI document of the /api dialect, with the operations of each --plugin FILE (as a server with them serves it at /api/openapi.json)',
    flags: ['plugin'],
  },
};

/** `vapi-auth user add NAME …` */
export function usageLine(command: string, verb?: string): string {
  const spec = COMMANDS[command]!;
  if (verb === undefined) {
    if (!spec.verbs) return `vapi-auth ${command}${({ serve: ' [--config FILE] [options]', openapi: ' [--plugin FILE]…' } as Record<string, string>)[command] ?? ''}`;
    return `vapi-auth ${command} ${Object.keys(spec.verbs).join(' | ')} …`;
  }
  return `vapi-auth ${command} ${verb} ${spec.verbs![verb]!.usage}`.trimEnd();
}

/**
 * Refuses a command given wrong, before anything is opened or created: an unknown command or
 * verb, too few or too many arguments, a flag the verb does not take.
 */
export function checkUsage(command: string, args: readonly string[], flags: readonly string[]): { verb: string | undefined; rest: string[] } {
  // Own keys only: `vapi-auth toString` names no command.
  const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!spec) throw new UsageError(`unknown command "${command}"${didYouMean(command, Object.keys(COMMANDS))}; vapi-auth --help lists them`);
  if (!spec.verbs) {
    if (args.length > 0) throw new UsageError(`${command} takes no arguments besides its options; usage: ${usageLine(command)}`);
    refuseFlags(flags, spec.flags ?? [], command, usageLine(command));
    return { verb: undefined, rest: [] };
  }
  const [verb, ...rest] = args;
  if (verb === undefined || !Object.hasOwn(spec.verbs, verb)) {
    const what = verb === undefined ? `${command} needs a verb` : `unknown ${command} verb "${verb}"${didYouMean(verb, Object.keys(spec.verbs))}`;
    throw new UsageError(`${what}; usage: ${usageLine(command)} (vapi-auth ${command} --help)`);
  }
  const verbSpec = spec.verbs[verb]!;
  const usage = usageLine(command, verb);
  const [min, max] = verbSpec.args;
  if (rest.length < min) throw new UsageError(`usage: ${usage}`);
  if (rest.length > max) throw new UsageError(`unexpected argument "${rest[max]}"; usage: ${usage}`);
  refuseFlags(flags, [...verbSpec.flags, ...STORE_FLAGS], `${command} ${verb}`, usage);
  return { verb, rest };
}

function refuseFlags(given: readonly string[], allowed: readonly string[], what: string, usage: string): void {
  const stray = given.find((flag) => !allowed.includes(flag));
  if (stray === undefined) return;
  const takes = allowed.length === 0 ? 'takes no options' : `takes ${allowed.map((f) => `--${f}`).join(', ')} only`;
  throw new UsageError(`${what} ${takes}, not --${stray}${didYouMean(stray, allowed, (f) => `--${f}`)}; usage: ${usage}`);
}
