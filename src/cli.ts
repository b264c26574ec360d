#!/usr/bin/env node
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatDuration } from './config/duration.js';
import { envName, OPTIONS } from './config/options.js';
import { UsageError } from './cli/usage-error.js';

/** Errors that mean the command was given wrong (exit 2), and those that mean what it names is wrong (exit 1), by name. */
const USAGE_ERRORS = new Set(['UsageError', 'ConfigError', 'AuthDefinitionError', 'IdentitySourcesError']);
const NAMED_ERRORS = new Set(['IdentityError', 'PluginError', 'AccessError']);

function help(): string {
  const lines = OPTIONS.map((o) => {
    const flag = `--${o.flag}${o.value ? ` ${o.value}` : ''}`;
    const shown = o.value === 'DURATION' ? formatDuration(o.default as number) : String(o.default);
    const fallback = o.default === undefined || shown === '' ? '' : ` [${shown}]`;
    return `  ${flag.padEnd(34)} ${o.doc}${fallback}\n  ${''.padEnd(34)} env ${envName(o.flag)}`;
  });
  return [
    'Usage:',
    '  vapi-auth serve [options]            run the server',
    '  vapi-auth user add NAME [--role ROLE] [--password-stdin]',
    '  vapi-auth user list | remove NAME | passwd NAME [--password-stdin] | role NAME ROLE',
    '                                       manage local users in --data-dir (or --store redis://…)',
    '  vapi-auth role add NAME --privilege P [--privilege P …] | list [--json] | show NAME [--json] | remove NAME',
    '                                       custom roles (system roles: Administrator, ReadOnly, NoAccess)',
    '  vapi-auth permission add PRINCIPAL ROLE [--group] | list [--json] | remove PRINCIPAL [--group]',
    '                                       the role of a user or a group',
    '  vapi-auth keys rotate | list | revoke KID',
    '                                       JWT signing keys: a new one in --data-dir, the ones every node',
    '                                       trusts, or one withdrawn (--store: the servers\' store)',
    '  vapi-auth sts rotate | list | revoke FINGERPRINT',
    '                                       STS signing keys, the same way',
    '  vapi-auth openapi                    print the OpenAPI document of the /api dialect',
    '',
    'serve options:',
    ...lines,
    '',
    'VAPI_AUTH_ADMIN_PASSWORD sets the password of administrator@vsphere.local on first start;',
    'without it one is generated and printed once. user commands read a new password from',
    'stdin (--password-stdin) or VAPI_AUTH_PASSWORD, or generate and print one.',
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Flags of every command; each command rejects the ones it does not know. */
function parse(argv: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    help: { type: 'boolean' },
    version: { type: 'boolean' },
    role: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    privilege: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    group: { type: 'boolean' },
  };
  for (const o of OPTIONS) options[o.flag] = { type: o.value ? 'string' : 'boolean', ...(o.multiple ? { multiple: true } : {}) };
  return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`vapi-auth: ${(error as Error).message}\n\n${help()}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${help()}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  const { help: _h, version: _v, role, 'password-stdin': passwordStdin, privilege, json, group, ...serveFlags } = values;
  const adminFlags = { privilege, json, group };
  try {
    switch (command) {
      case 'serve':
        if (role !== undefined || passwordStdin !== undefined || Object.values(adminFlags).some((v) => v !== undefined) || args.length > 0) {
          throw new UsageError('serve takes no arguments besides its options');
        }
        // Each command loads what it needs only: a CLI call starts in a fraction of the server's time.
        await (await import('./cli/serve.js')).serve(serveFlags, process.env);
        return -1; // keeps running until a signal
      case 'user': {
        const { 'data-dir': dataDir, store, ...others } = serveFlags;
        if (Object.keys(others).length > 0 || Object.values(adminFlags).some((v) => v !== undefined)) {
          throw new UsageError('user commands take --data-dir, --store, --role and --password-stdin only');
        }
        await (await import('./cli/user.js')).userCommand(args, { 'data-dir': dataDir, store, role, 'password-stdin': passwordStdin }, process.env, process.stdout);
        return 0;
      }
      case 'role':
      case 'permission': {
        const { 'data-dir': dataDir, store, ...others } = serveFlags;
        const allowed = command === 'role' ? ['privilege', 'json'] : ['json', 'group'];
        const stray = Object.entries(adminFlags).filter(([flag, value]) => value !== undefined && !allowed.includes(flag));
        if (Object.keys(others).length > 0 || role !== undefined || passwordStdin !== undefined || stray.length > 0) {
          throw new UsageError(`${command} commands take --data-dir, --store, ${allowed.map((f) => `--${f}`).join(' and ')} only`);
        }
        const run = command === 'role' ? (await import('./cli/role.js')).roleCommand : (await import('./cli/permission.js')).permissionCommand;
        await run(args, { 'data-dir': dataDir, store, privilege, json, group }, process.env, process.stdout);
        return 0;
      }
      case 'keys':
      case 'sts': {
        const lifetime = command === 'keys' ? 'token-lifetime' : 'sts-max-lifetime';
        const { 'data-dir': dataDir, store, [lifetime]: lifetimeFlag, ...others } = serveFlags;
        if (Object.keys(others).length > 0 || role !== undefined || passwordStdin !== undefined || Object.values(adminFlags).some((v) => v !== undefined)) {
          throw new UsageError(`${command} commands take --data-dir, --store and --${lifetime} only`);
        }
        const keys = await import('./cli/keys.js');
        const run = command === 'keys' ? keys.keysCommand : keys.stsCommand;
        await run(args, { 'data-dir': dataDir, store, [lifetime]: lifetimeFlag }, process.env, process.stdout);
        return 0;
      }
      case 'openapi': {
        const [{ createServer }, { MemoryStore }, { openApiDocument }] = await Promise.all([
          import('./server.js'),
          import('./store/memory-store.js'),
          import('./openapi/openapi-document.js'),
        ]);
        const server = createServer({ store: new MemoryStore(), logLevel: 'silent' });
        process.stdout.write(`${JSON.stringify(openApiDocument(server.table, version()), null, 2)}\n`);
        await server.close();
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const { name, message, kind } = error as { name?: string; message?: string; kind?: string };
    if (USAGE_ERRORS.has(name ?? '') || (name === 'AccessError' && kind === 'usage')) {
      process.stderr.write(`vapi-auth: ${message}\n`);
      return 2;
    }
    if (NAMED_ERRORS.has(name ?? '')) {
      process.stderr.write(`vapi-auth: ${message}\n`);
      return 1;
    }
    process.stderr.write(`vapi-auth: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// A worker's channel to its primary would keep it alive: a worker that cannot serve exits at once.
if (code > 0 && cluster.isWorker) process.exit(code);
if (code >= 0) process.exitCode = code;
