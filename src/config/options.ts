import { isStoreSpec, type StoreSpec } from '../store/open-store.js';
import { ConfigError } from './config-error.js';
import { readConfigFile, type FileValue } from './config-file.js';
import { formatDuration, parseDuration } from './duration.js';
import { parseCidr } from '../http/trusted-proxies.js';

/** Everything `vapi-auth serve` can be told. Each field is documented once, in OPTIONS below. */
export interface ServeConfig {
  host: string;
  port: number;
  dataDir: string;
  store: StoreSpec;
  http: boolean;
  console: boolean;
  cert: string | undefined;
  key: string | undefined;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  maxSessionsPerUser: number;
  maxSessions: number;
  touchIntervalMs: number;
  bodyLimit: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
  logLevel: string;
  realm: string;
  taskRetentionMs: number;
  taskHeartbeatMs: number;
  privilegeChecks: number;
  loginQueue: number;
  workers: number | 'auto';
  plugins: string[];
  tokenLifetimeMs: number;
  tokenIssuer: string;
  lockoutFailures: number;
  lockoutWindowMs: number;
  lockoutDurationMs: number;
  authConfig: string | undefined;
  identitySources: string | undefined;
  groupRefreshMs: number;
  trustedStsCerts: string | undefined;
  samlAudience: string | undefined;
  samlClockToleranceMs: number;
  samlBearer: boolean;
  stsUrl: string | undefined;
  publicUrl: string | undefined;
  stsMaxLifetimeMs: number;
  stsMaxRenewals: number;
  omivvMaxClients: number;
  omivvMaxTokens: number;
  omivvRate: number;
  omivvClientRate: number;
  omivvTokenRate: number;
  opsPort: number | undefined;
  opsHost: string;
  auditLog: string | undefined;
  trustProxy: string[];
}

/** Parsed command-line flags: a value, a switch, or the values of a repeated flag. */
export type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

export { ConfigError };

type Parser<T> = (text: string) => T | undefined;

export interface Option<K extends keyof ServeConfig = keyof ServeConfig> {
  key: K;
  flag: string;
  /** The value's shape in help text; absent for a switch. */
  value?: string;
  /** May be given several times (the variable then holds a comma-separated list). */
  multiple?: boolean;
  default: ServeConfig[K];
  parse: Parser<ServeConfig[K]>;
  doc: string;
}

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (value) => {
    const n = Number(value);
    return /^\d+$/.test(value.trim()) && n >= min && n <= max ? n : undefined;
  };
const text: Parser<string> = (value) => (value === '' ? undefined : value);
const optionalText: Parser<string | undefined> = (value) => (value === '' ? undefined : value);
const duration: Parser<number> = (value) => {
  const ms = parseDuration(value);
  return ms !== undefined && ms > 0 ? ms : undefined;
};
const BOOLEANS: Record<string, boolean> = { true: true, '1': true, yes: true, on: true, false: false, '0': false, no: false, off: false };
const boolean: Parser<boolean> = (value) => BOOLEANS[value.toLowerCase()];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const storeSpec: Parser<StoreSpec> = (value) => (isStoreSpec(value) ? value : undefined);
/** An http(s) URL of a host (and port), no path, query or fragment; written without a trailing slash. */
const originUrl: Parser<string | undefined> = (value) => {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.hash && !url.username ? url.origin : undefined;
  } catch {
    return undefined;
  }
};

function option<K extends keyof ServeConfig>(spec: Option<K>): Option<K> {
  return spec;
}

/** Every option: its flag, its `VAPI_AUTH_*` variable (derived from the flag), default and meaning. */
export const OPTIONS: readonly Option[] = [
  option({ key: 'host', flag: 'host', value: 'ADDR', default: '127.0.0.1', parse: text, doc: 'Address to listen on.' }),
  option({
    key: 'port',
    flag: 'port',
    value: 'N',
    default: 8443,
    parse: integer(0, 65535),
    doc: 'Port to listen on (0 = any free port).',
  }),
  option({
    key: 'dataDir',
    flag: 'data-dir',
    value: 'DIR',
    default: './data',
    parse: text,
    doc: "Where the sqlite store, the TLS certificate and its key, and this node's JWT and STS signing keys live.",
  }),
  option({
    key: 'store',
    flag: 'store',
    value: 'sqlite|memory|redis://HOST:PORT/DB',
    default: 'sqlite',
    parse: storeSpec,
    doc: 'State store: sqlite (a file in the data dir; survives restarts), memory (lost on exit), or a redis:// or rediss:// URL shared by several nodes.',
  }),
  option({
    key: 'workers',
    flag: 'workers',
    value: 'N|auto',
    default: 'auto',
    parse: (value) => (value === 'auto' ? 'auto' : integer(1, 256)(value)),
    doc: 'Processes serving requests on the one port: auto = one per core (1 with the memory store, which lives in one process).',
  }),
  option({ key: 'http', flag: 'http', default: false, parse: boolean, doc: 'Serve plain HTTP instead of HTTPS (local testing only).' }),
  option({
    key: 'console',
    flag: 'console',
    default: true,
    parse: boolean,
    doc: 'The web console at /ui/, its API explorer and /api/openapi.json (--no-console: none of them).',
  }),
  option({
    key: 'cert',
    flag: 'cert',
    value: 'FILE',
    default: undefined,
    parse: optionalText,
    doc: 'TLS certificate chain (PEM). Default: a self-signed one, generated into the data dir on first start.',
  }),
  option({ key: 'key', flag: 'key', value: 'FILE', default: undefined, parse: optionalText, doc: 'TLS private key (PEM); goes with --cert.' }),
  option({
    key: 'idleTimeoutMs',
    flag: 'idle-timeout',
    value: 'DURATION',
    default: 30 * 60_000,
    parse: duration,
    doc: 'A session ends after this long without a request (e.g. 90s, 30m, 2h).',
  }),
  option({
    key: 'absoluteTimeoutMs',
    flag: 'absolute-timeout',
    value: 'DURATION',
    default: 24 * 3_600_000,
    parse: duration,
    doc: 'A session ends this long after it was created, however busy.',
  }),
  option({
    key: 'maxSessionsPerUser',
    flag: 'max-sessions-per-user',
    value: 'N',
    default: 550,
    parse: integer(0),
    doc: 'Live sessions one user may hold; 0 = no limit. Over it, create answers 503.',
  }),
  option({
    key: 'maxSessions',
    flag: 'max-sessions',
    value: 'N',
    default: 3000,
    parse: integer(0),
    doc: 'Live sessions in total; 0 = no limit. Over it, create answers 503.',
  }),
  option({
    key: 'touchIntervalMs',
    flag: 'touch-interval',
    value: 'DURATION',
    default: 5_000,
    parse: duration,
    doc: 'Last access is written at most this often per session; idle expiry is accurate to within it.',
  }),
  option({
    key: 'bodyLimit',
    flag: 'body-limit',
    value: 'BYTES',
    default: 1_048_576,
    parse: integer(1),
    doc: 'Largest request body accepted; a larger one gets 413.',
  }),
  option({
    key: 'headersTimeoutMs',
    flag: 'headers-timeout',
    value: 'DURATION',
    default: 10_000,
    parse: duration,
    doc: 'Time to receive the headers of a request (and to finish a TLS handshake); then 408 and the connection is closed.',
  }),
  option({
    key: 'bodyTimeoutMs',
    flag: 'body-timeout',
    value: 'DURATION',
    default: 10_000,
    parse: duration,
    doc: 'Longest silence while a request body arrives; then the connection is closed.',
  }),
  option({
    key: 'requestTimeoutMs',
    flag: 'request-timeout',
    value: 'DURATION',
    default: 60_000,
    parse: duration,
    doc: 'Time to receive a whole request, headers and body; then 408 and the connection is closed.',
  }),
  option({
    key: 'maxConnections',
    flag: 'max-connections',
    value: 'N',
    default: 1000,
    parse: integer(0),
    doc: 'Open connections in total; more are closed as they arrive. 0 = no limit.',
  }),
  option({
    key: 'maxConnectionsPerClient',
    flag: 'max-connections-per-client',
    value: 'N',
    default: 100,
    parse: integer(0),
    doc: 'Open connections from one client address (a proxy in front counts as one client); more are closed as they arrive. 0 = no limit.',
  }),
  option({
    key: 'logLevel',
    flag: 'log-level',
    value: LOG_LEVELS.join('|'),
    default: 'info',
    parse: (value) => (LOG_LEVELS.includes(value) ? value : undefined),
    doc: 'Log level; logs are JSON lines on stdout.',
  }),
  option({ key: 'realm', flag: 'realm', value: 'TEXT', default: 'VAPI endpoint', parse: text, doc: 'Realm named in WWW-Authenticate challenges.' }),
  option({
    key: 'taskRetentionMs',
    flag: 'task-retention',
    value: 'DURATION',
    default: 24 * 3_600_000,
    parse: duration,
    doc: 'A finished task is kept this long, then forgotten.',
  }),
  option({
    key: 'taskHeartbeatMs',
    flag: 'task-heartbeat',
    value: 'DURATION',
    default: 10_000,
    parse: duration,
    doc: 'A running task is marked alive this often; one silent for three intervals (its server died) is reported FAILED.',
  }),
  option({
    key: 'tokenLifetimeMs',
    flag: 'token-lifetime',
    value: 'DURATION',
    default: 60 * 60_000,
    parse: duration,
    doc: 'JWT bearer tokens from the OMIVV login expire this long after issue.',
  }),
  option({ key: 'tokenIssuer', flag: 'token-issuer', value: 'TEXT', default: 'vapi-auth', parse: text, doc: 'iss of issued JWTs, and the only one accepted.' }),
  option({
    key: 'lockoutFailures',
    flag: 'lockout-failures',
    value: 'N',
    default: 6,
    parse: integer(0),
    doc: 'Wrong passwords within the window that lock an account; 0 = no lockout.',
  }),
  option({
    key: 'omivvMaxClients',
    flag: 'omivv-max-clients',
    value: 'N',
    default: 3,
    parse: integer(0),
    doc: 'OMIVV login: client addresses holding live tokens at once (more get 503); 0 = no limit.',
  }),
  option({
    key: 'omivvMaxTokens',
    flag: 'omivv-max-tokens',
    value: 'N',
    default: 10,
    parse: integer(0),
    doc: 'OMIVV login: live tokens at once (more get 503); 0 = no limit.',
  }),
  option({
    key: 'omivvRate',
    flag: 'omivv-rate',
    value: 'N',
    default: 100,
    parse: integer(0),
    doc: 'OMIVV login paths: requests in any minute, all clients together (more get 429); 0 = no limit.',
  }),
  option({
    key: 'omivvClientRate',
    flag: 'omivv-client-rate',
    value: 'N',
    default: 20,
    parse: integer(0),
    doc: 'OMIVV login paths: requests in any minute from one client address (more get 429), counted before the shared rate; 0 = no limit.',
  }),
  option({
    key: 'omivvTokenRate',
    flag: 'omivv-token-rate',
    value: 'N',
    default: 10,
    parse: integer(0),
    doc: 'OMIVV login paths: requests in any minute with one token (more get 429); 0 = no limit.',
  }),
  option({
    key: 'loginQueue',
    flag: 'login-queue',
    value: 'N',
    default: 64,
    parse: integer(0, 100_000),
    doc: 'Password checks that may wait for a hashing slot in each process (half the cores hash at once); more get 503.',
  }),
  option({
    key: 'privilegeChecks',
    flag: 'privilege-checks',
    value: 'N',
    default: 10_000,
    parse: integer(0, 1_000_000),
    doc: 'Privilege checks the shared recorder keeps (the newest); 0 = record none.',
  }),
  option({ key: 'lockoutWindowMs', flag: 'lockout-window', value: 'DURATION', default: 3 * 60_000, parse: duration, doc: 'The window in which failures are counted.' }),
  option({ key: 'lockoutDurationMs', flag: 'lockout-duration', value: 'DURATION', default: 60_000, parse: duration, doc: 'How long a lock lasts.' }),
  option({
    key: 'authConfig',
    flag: 'auth-config',
    value: 'FILE',
    default: undefined,
    parse: optionalText,
    doc: 'Authentication definition (YAML or JSON): schemes per package, service or operation; checked at start.',
  }),
  option({
    key: 'identitySources',
    flag: 'identity-sources',
    value: 'FILE',
    default: undefined,
    parse: optionalText,
    doc: 'LDAP and Active Directory sources beside the local domain (YAML); checked at start.',
  }),
  option({
    key: 'groupRefreshMs',
    flag: 'group-refresh',
    value: 'DURATION',
    default: 5 * 60_000,
    parse: duration,
    doc: 'How old the directory groups of a live session or token may get before they are read again.',
  }),
  option({
    key: 'trustedStsCerts',
    flag: 'trusted-sts-certs',
    value: 'FILE',
    default: undefined,
    parse: optionalText,
    doc: 'PEM certificates of further SAML token issuers to trust, beside the STS of every node sharing the store.',
  }),
  option({ key: 'samlAudience', flag: 'saml-audience', value: 'TEXT', default: undefined, parse: optionalText, doc: 'When set, SAML tokens must name this audience.' }),
  option({
    key: 'samlClockToleranceMs',
    flag: 'saml-clock-tolerance',
    value: 'DURATION',
    default: 60_000,
    parse: duration,
    doc: 'Allowed clock skew for the validity of SAML tokens.',
  }),
  option({ key: 'samlBearer', flag: 'saml-bearer', default: true, parse: boolean, doc: 'Whether SAML bearer tokens are allowed at all (--no-saml-bearer: not).' }),
  option({ key: 'stsUrl', flag: 'sts-url', value: 'URL', default: undefined, parse: optionalText, doc: 'Token service named in the SIGN challenge.' }),
  option({
    key: 'publicUrl',
    flag: 'public-url',
    value: 'URL',
    default: undefined,
    parse: originUrl,
    doc: 'Where clients reach this server (https://host[:port]): the base of the endpoint URLs the lookup service publishes. Without it they are built from each request\'s Host header.',
  }),
  option({
    key: 'stsMaxLifetimeMs',
    flag: 'sts-max-lifetime',
    value: 'DURATION',
    default: 24 * 3_600_000,
    parse: duration,
    doc: 'Longest lifetime of a token the STS issues or renews, whatever is asked for.',
  }),
  option({
    key: 'stsMaxRenewals',
    flag: 'sts-max-renewals',
    value: 'N',
    default: 10,
    parse: integer(0),
    doc: 'How often a token issued as renewable may be renewed; 0 = never.',
  }),
  option({
    key: 'opsPort',
    flag: 'ops-port',
    value: 'N',
    default: undefined,
    parse: integer(0, 65535),
    doc: 'Port of the operations listener (plain HTTP): /metrics in Prometheus text, /healthz and /readyz. Off unless set.',
  }),
  option({ key: 'opsHost', flag: 'ops-host', value: 'ADDR', default: '127.0.0.1', parse: text, doc: 'Address of the operations listener.' }),
  option({
    key: 'auditLog',
    flag: 'audit-log',
    value: 'FILE|-',
    default: undefined,
    parse: optionalText,
    doc: 'Audit log of logins, logouts, lockouts, tokens and CLI changes: JSON lines appended to FILE (reopened on SIGHUP), or stdout (-).',
  }),
  option({
    key: 'trustProxy',
    flag: 'trust-proxy',
    value: 'CIDR[,CIDR...]',
    default: [],
    parse: (value) => {
      const ranges = value.split(',').map((range) => range.trim()).filter(Boolean);
      return ranges.length > 0 && ranges.every((range) => parseCidr(range)) ? ranges : undefined;
    },
    doc: 'Reverse proxies whose X-Forwarded-For names the client (audit log, logs, OMIVV per-client limits); their connections are not capped per client.',
  }),
  option({
    key: 'plugins',
    flag: 'plugin',
    value: 'FILE',
    multiple: true,
    default: [],
    parse: (value) => {
      const files = value.split(',').map((file) => file.trim()).filter(Boolean);
      return files.length > 0 ? files : undefined;
    },
    doc: 'An ES module whose default export is a service definition or a list of them; may be repeated.',
  }),
];

/** An option's default as help and README show it: `30m`, `on`, `—` for none. */
export function shownDefault(option: Option): string {
  const value = option.default;
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return '—';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (option.value === 'DURATION') return formatDuration(value as number);
  return String(value);
}

export function envName(flag: string): string {
  return `VAPI_AUTH_${flag.toUpperCase().replaceAll('-', '_')}`;
}

export function defaultConfig(): ServeConfig {
  return Object.fromEntries(OPTIONS.map((o) => [o.key, o.default])) as unknown as ServeConfig;
}

/** The flag naming the YAML config file; its variable is VAPI_AUTH_CONFIG. */
export const CONFIG_FLAG = 'config';

/** The options of the config file `--config` (or VAPI_AUTH_CONFIG) names; none without one. */
function configFile(flags: Flags, env: NodeJS.ProcessEnv): Map<string, FileValue> {
  const file = typeof flags[CONFIG_FLAG] === 'string' ? flags[CONFIG_FLAG] : env[envName(CONFIG_FLAG)];
  if (file === undefined || file === '') return new Map();
  return readConfigFile(file, new Map(OPTIONS.map((o) => [o.flag, { multiple: o.multiple === true }])));
}

/** An option's raw text and the start of the error a bad one gets: from the flag, else its variable, else the config file. */
function rawValue(o: Option, flags: Flags, env: NodeJS.ProcessEnv, file: ReadonlyMap<string, FileValue>): { raw: string; invalid: string } | undefined {
  const fromFlag = flags[o.flag];
  if (fromFlag !== undefined) return { raw: Array.isArray(fromFlag) ? fromFlag.join(',') : String(fromFlag), invalid: `invalid value for --${o.flag}` };
  const fromEnv = env[envName(o.flag)];
  if (fromEnv !== undefined) return { raw: fromEnv, invalid: `invalid value for ${envName(o.flag)}` };
  const fromFile = file.get(o.flag);
  return fromFile && { raw: fromFile.text, invalid: `${fromFile.where}: invalid value for ${o.flag}` };
}

/**
 * Defaults, then the `--config` file, then `VAPI_AUTH_*` variables, then flags. Unknown flags and
 * keys, and bad values, are errors that name the flag, the variable or the file and line.
 */
export function resolveConfig(flags: Flags, env: NodeJS.ProcessEnv): ServeConfig {
  const config: Record<string, unknown> = { ...defaultConfig() };
  const known = new Set([...OPTIONS.map((o) => o.flag), CONFIG_FLAG]);
  for (const flag of Object.keys(flags)) {
    if (!known.has(flag)) throw new ConfigError(`unknown option --${flag}`);
  }
  const file = configFile(flags, env);
  for (const o of OPTIONS) {
    const given = rawValue(o, flags, env, file);
    if (given === undefined) continue;
    const value = o.parse(given.raw);
    if (value === undefined) {
      throw new ConfigError(`${given.invalid}: "${given.raw}"${o.value ? ` (expected ${o.value})` : ' (expected true or false)'}`);
    }
    config[o.key] = value;
  }
  const result = config as unknown as ServeConfig;
  if ((result.cert === undefined) !== (result.key === undefined)) throw new ConfigError('--cert and --key go together');
  if (result.store === 'memory' && typeof result.workers === 'number' && result.workers > 1) {
    throw new ConfigError('--workers must be 1 with --store memory: the memory store lives in one process (use sqlite or redis:// for several)');
  }
  if (result.headersTimeoutMs > result.requestTimeoutMs) throw new ConfigError('--headers-timeout may not be longer than --request-timeout');
  return result;
}
