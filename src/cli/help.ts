import { envName, OPTIONS, shownDefault } from '../config/options.js';
import { ADMIN_FLAG_VALUES, COMMANDS, STORE_FLAGS, usageLine } from './commands.js';

/** `serve --help` shows the options in these groups, in this order; an option in none is shown under "Other". */
const SERVE_GROUPS: readonly (readonly [string, readonly string[]])[] = [
  ['Network', ['host', 'port', 'console', 'public-url', 'trust-proxy', 'body-limit', 'headers-timeout', 'body-timeout', 'request-timeout', 'max-connections', 'max-connections-per-client']],
  ['TLS', ['http', 'cert', 'key']],
  ['Sessions', ['idle-timeout', 'absolute-timeout', 'max-sessions-per-user', 'max-sessions', 'touch-interval']],
  ['Lockout', ['lockout-failures', 'lockout-window', 'lockout-duration', 'login-queue']],
  ['SAML and STS', ['trusted-sts-certs', 'saml-audience', 'saml-clock-tolerance', 'saml-bearer', 'sts-url', 'sts-max-lifetime', 'sts-max-renewals']],
  ['JWT and OMIVV login', ['token-lifetime', 'token-issuer', 'omivv-max-clients', 'omivv-max-tokens', 'omivv-rate', 'omivv-client-rate', 'omivv-token-rate']],
  ['Tasks', ['task-retention', 'task-heartbeat']],
  ['Operations and authorization', ['data-dir', 'store', 'workers', 'log-level', 'ops-port', 'ops-host', 'audit-log', 'realm', 'auth-config', 'plugin', 'privilege-checks', 'identity-sources', 'group-refresh']],
];

function optionLines(flags: readonly string[]): string[] {
  return OPTIONS.filter((o) => flags.includes(o.flag)).flatMap((o) => {
    const flag = o.value ? `--${o.flag} ${o.value}` : `--${o.flag}, --no-${o.flag}`;
    const shown = shownDefault(o);
    return [`  ${flag.padEnd(34)} ${o.doc}${shown === '—' ? '' : ` [${shown}]`}`, `  ${''.padEnd(34)} env ${envName(o.flag)}`];
  });
}

/** `vapi-auth --help`: the commands, each with its own --help. */
export function globalHelp(): string {
  const commands = Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(12)} ${spec.summary}`);
  return [
    'Usage: vapi-auth COMMAND [VERB] [ARGUMENTS] [OPTIONS]',
    '',
    'Commands:',
    ...commands,
    '',
    'vapi-auth COMMAND --help (or vapi-auth help COMMAND) shows what a command takes; vapi-auth --version its version.',
  ].join('\n');
}

function serveHelp(): string {
  const grouped = new Set(SERVE_GROUPS.flatMap(([, flags]) => flags));
  const others = OPTIONS.map((o) => o.flag).filter((flag) => !grouped.has(flag));
  const groups = [...SERVE_GROUPS, ...(others.length > 0 ? [['Other', others] as const] : [])];
  return [
    `Usage: ${usageLine('serve')}`,
    '',
    'Runs the server until SIGTERM or SIGINT. Every option is also a VAPI_AUTH_* variable and a key of',
    'the --config file (YAML, keys as the flags are named: "port: 8443"); a flag wins over a variable,',
    'a variable over the file. Switches: --X turns one on, --no-X off (true or false in a variable or the file).',
    '',
    `  ${'--config FILE'.padEnd(34)} Options from a YAML file`,
    `  ${''.padEnd(34)} env ${envName('config')}`,
    ...groups.flatMap(([title, flags]) => ['', `${title}:`, ...optionLines(flags)]),
    '',
    'VAPI_AUTH_ADMIN_PASSWORD sets the password of administrator@vsphere.local on first start;',
    'without it one is generated and printed once.',
  ].join('\n');
}

const sentence = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}.`;

function flagUsage(flag: string): string {
  const value = ADMIN_FLAG_VALUES[flag];
  return `--${flag}${value ? ` ${value}` : ''}`;
}

const STORE_NOTE = [
  'Every verb works on the servers\' store while they run: sqlite in --data-dir (./data), or --store',
  `redis://…; both also from ${envName('data-dir')}, ${envName('store')} or the --config file.`,
];

/** `vapi-auth COMMAND --help`, or `vapi-auth COMMAND VERB --help` for one verb. */
export function commandHelp(command: string, verb?: string): string {
  if (command === 'serve') return serveHelp();
  const spec = COMMANDS[command]!;
  if (!spec.verbs) return [`Usage: ${usageLine(command)}`, '', sentence(spec.summary)].join('\n');
  const common = `  ${STORE_FLAGS.map(flagUsage).join('  ')}`;
  if (verb !== undefined && Object.hasOwn(spec.verbs, verb)) {
    return [`Usage: ${usageLine(command, verb)}`, '', sentence(spec.verbs[verb]!.summary), '', 'Store options:', common, '', ...STORE_NOTE].join('\n');
  }
  const verbs = Object.keys(spec.verbs).flatMap((name) => [`  ${usageLine(command, name)}`, `      ${spec.verbs![name]!.summary}`]);
  return [`Usage: ${usageLine(command)}`, '', sentence(spec.summary), '', ...verbs, '', 'Store options:', common, '', ...STORE_NOTE].join('\n');
}
