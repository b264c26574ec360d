#!/usr/bin/env node
import cluster from 'node:cluster';
import { packageVersion } from './package-version.js';
import { parseArgs } from 'node:util';
import { OPTIONS, type Flags } from './config/options.js';
import { checkUsage, COMMANDS } from './cli/commands.js';
import { didYouMean } from './core/did-you-mean.js';
import { commandHelp, globalHelp } from './cli/help.js';
import { extractSwitches } from './cli/switches.js';
import { UsageError } from './cli/usage-error.js';

/** Errors that mean the command was given wrong (exit 2), and those that mean what it names is wrong (exit 1), by name. */
const USAGE_ERRORS = new Set(['UsageError', 'ConfigError', 'AuthDefinitionError', 'IdentitySourcesError']);
const NAMED_ERRORS = new Set(['IdentityError', 'PluginError', 'AccessError']);

/** The serve options that are switches (`--http`, `--no-http`), taken out before parseArgs. */
const SWITCHES = new Set(OPTIONS.filter((o) => !o.value).map((o) => o.flag));

/** Flags of every command (the serve options and the administration flags); each command refuses those it does not take. */
const PARSED_FLAGS: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  config: { type: 'string' },
  role: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  privilege: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  group: { type: 'boolean' },
  user: { type: 'string' },
  ...Object.fromEntries(OPTIONS.filter((o) => o.value).map((o) => [o.flag, { type: 'string' as const, ...(o.multiple ? { multiple: true } : {}) }])),
};

function parse(argv: string[]): { values: Flags; positionals: string[] } {
  const switches = extractSwitches(argv, SWITCHES);
  try {
    const { values, positionals } = parseArgs({ args: switches.rest, options: PARSED_FLAGS, allowPositionals: true, strict: true });
    return { values: { ...values, ...switches.values }, positionals };
  } catch (error) {
    const unknown = /^Unknown option '(--?[^']+)'/.exec((error as Error).message)?.[1];
    if (unknown === undefined) throw new UsageError((error as Error).message);
    const known = [...Object.keys(PARSED_FLAGS), ...SWITCHES].map((flag) => `--${flag}`);
    throw new UsageError(`unknown option ${unknown}${didYouMean(unknown, known)}`);
  }
}

/** Help asked for: `--help`/`-h` anywhere, or `vapi-auth help [COMMAND [VERB]]`. */
function helpFor(positionals: readonly string[]): string {
  const [command, verb] = positionals[0] === 'help' ? positionals.slice(1) : positionals;
  return command !== undefined && Object.hasOwn(COMMANDS, command) ? commandHelp(command, verb) : globalHelp();
}

type AdminCommand = (verb: string, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream) => Promise<void>;

/** Each command loads what it needs only: a CLI call starts in a fraction of the server's time. */
const ADMIN_COMMANDS: Record<string, () => Promise<AdminCommand>> = {
  user: async () => (await import('./cli/user.js')).userCommand,
  'solution-user': async () => (await import('./cli/solution-user.js')).solutionUserCommand,
  role: async () => (await import('./cli/role.js')).roleCommand,
  permission: async () => (await import('./cli/permission.js')).permissionCommand,
  session: async () => (await import('./cli/session.js')).sessionCommand,
  keys: async () => (await import('./cli/keys.js')).keysCommand,
  sts: async () => (await import('./cli/keys.js')).stsCommand,
};

async function run(command: string, verb: string | undefined, args: string[], flags: Flags): Promise<number> {
  const admin = Object.hasOwn(ADMIN_COMMANDS, command) ? ADMIN_COMMANDS[command] : undefined;
  if (admin) {
    await (await admin())(verb!, args, flags, process.env, process.stdout);
    return 0;
  }
  switch (command) {
    case 'serve':
      await (await import('./cli/serve.js')).serve(flags, process.env);
      return -1; // keeps running until a signal
    case 'openapi': {
      const [{ createServer }, { MemoryStore }, { openApiDocument }, { loadPlugins }] = await Promise.all([
        import('./server.js'),
        import('./store/memory-store.js'),
        import('./openapi/openapi-document.js'),
        import('./plugins/load-plugins.js'),
      ]);
      const plugins = flags.plugin === undefined ? [] : [flags.plugin].flat().map(String);
      const server = createServer({ store: new MemoryStore(), logLevel: 'silent', services: await loadPlugins(plugins) });
      process.stdout.write(`${JSON.stringify(openApiDocument(server.table, packageVersion()), null, 2)}\n`);
      await server.close();
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    if (values.version) {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    if (values.help || positionals[0] === 'help') {
      process.stdout.write(`${helpFor(positionals)}\n`);
      return 0;
    }
    const [command, ...args] = positionals;
    if (command === undefined) {
      process.stderr.write(`${globalHelp()}\n`);
      return 2;
    }
    const flags = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
    // Every usage error is found here, before a store is opened or a data dir created.
    const { verb, rest } = checkUsage(command, args, Object.keys(flags));
    return await run(command, verb, rest, flags);
  } catch (error) {
    const { name, message, kind } = error as { name?: string; message?: string; kind?: string };
    const usage = USAGE_ERRORS.has(name ?? '') || (name === 'AccessError' && (kind === 'usage' || kind === 'system_role'));
    const text = `vapi-auth: ${NAMED_ERRORS.has(name ?? '') || usage ? message : ((error as Error).message ?? String(error))}\n`;
    // Workers that cannot start all fail alike: their primary prints the first one's error, once.
    if (cluster.isWorker) await (await import('./cli/serve-cluster.js')).reportStartFailure(text);
    else process.stderr.write(text);
    return usage ? 2 : 1;
  }
}

const code = await main(process.argv.slice(2));
// A worker's channel to its primary would keep it alive: a worker that cannot serve exits at once.
if (code > 0 && cluster.isWorker) process.exit(code);
if (code >= 0) process.exitCode = code;
