#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatDuration } from './config/duration.js';
import { ConfigError, envName, OPTIONS } from './config/options.js';
import { IdentityError } from './identity/identity-source.js';
import { PluginError } from './plugins/load-plugins.js';
import { AuthDefinitionError } from './auth-config/auth-definition.js';
import { serve } from './cli/serve.js';
import { keysCommand, stsCommand } from './cli/keys.js';
import { userCommand } from './cli/user.js';
import { UsageError } from './cli/usage-error.js';
import { openApiDocument } from './openapi/openapi-document.js';
import { createServer } from './server.js';
import { MemoryStore } from './store/memory-store.js';

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
    '  vapi-auth user add NAME [--role Administrator|ReadOnly] [--password-stdin]',
    '  vapi-auth user list | remove NAME | passwd NAME [--password-stdin] | role NAME ROLE',
    '                                       manage local users in --data-dir (or --store redis://…)',
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
  const { help: _h, version: _v, role, 'password-stdin': passwordStdin, ...serveFlags } = values;
  try {
    switch (command) {
      case 'serve':
        if (role !== undefined || passwordStdin !== undefined || args.length > 0) {
          throw new UsageError('serve takes no arguments besides its options');
        }
        await serve(serveFlags, process.env);
        return -1; // keeps running until a signal
      case 'user': {
        const { 'data-dir': dataDir, store, ...others } = serveFlags;
        if (Object.keys(others).length > 0) {
          throw new UsageError('user commands take --data-dir, --store, --role and --password-stdin only');
        }
        await userCommand(args, { 'data-dir': dataDir, store, role, 'password-stdin': passwordStdin }, process.env, process.stdout);
        return 0;
      }
      case 'keys':
      case 'sts': {
        const lifetime = command === 'keys' ? 'token-lifetime' : 'sts-max-lifetime';
        const { 'data-dir': dataDir, store, [lifetime]: lifetimeFlag, ...others } = serveFlags;
        if (Object.keys(others).length > 0 || role !== undefined || passwordStdin !== undefined) {
          throw new UsageError(`${command} commands take --data-dir, --store and --${lifetime} only`);
        }
        const run = command === 'keys' ? keysCommand : stsCommand;
        await run(args, { 'data-dir': dataDir, store, [lifetime]: lifetimeFlag }, process.env, process.stdout);
        return 0;
      }
      case 'openapi': {
        const server = createServer({ store: new MemoryStore(), logLevel: 'silent' });
        process.stdout.write(`${JSON.stringify(openApiDocument(server.table, version()), null, 2)}\n`);
        await server.close();
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof AuthDefinitionError) {
      process.stderr.write(`vapi-auth: ${error.message}\n`);
      return 2;
    }
    if (error instanceof IdentityError || error instanceof PluginError) {
      process.stderr.write(`vapi-auth: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`vapi-auth: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
