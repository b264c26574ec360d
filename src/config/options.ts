import { isStoreSpec, type StoreSpec } from '../store/open-store.js';
import { parseDuration } from './duration.js';

/** Everything `vapi-auth serve` can be told. Each field is documented once, in OPTIONS below. */
export interface ServeConfig {
  host: string;
  port: number;
  dataDir: string;
  store: StoreSpec;
  http: boolean;
  cert: string | undefined;
  key: string | undefined;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  maxSessionsPerUser: number;
  maxSessions: number;
  touchIntervalMs: number;
  bodyLimit: number;
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
  stsMaxLifetimeMs: number;
  stsMaxRenewals: number;
  omivvMaxClients: number;
  omivvMaxTokens: number;
  omivvRate: number;
  omivvTokenRate: number;
}

/** Parsed command-line flags: a value, a switch, or the values of a repeated flag. */
export type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Parser<T> = (text: string) => T | undefined;

interface Option<K extends keyof ServeConfig = keyof ServeConfig> {
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
const BOOLEANS: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false };
const boolean: Parser<boolean> = (value) => BOOLEANS[value.toLowerCase()];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const storeSpec: Parser<StoreSpec> = (value) => (isStoreSpec(value) ? value : undefined);

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
  option({ key: 'samlBearer', flag: 'saml-bearer', value: 'true|false', default: true, parse: boolean, doc: 'Whether SAML bearer tokens are allowed at all.' }),
  option({ key: 'stsUrl', flag: 'sts-url', value: 'URL', default: undefined, parse: optionalText, doc: 'Token service named in the SIGN challenge.' }),
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

export function envName(flag: string): string {
  return `VAPI_AUTH_${flag.toUpperCase().replaceAll('-', '_')}`;
}

export function defaultConfig(): ServeConfig {
  return Object.fromEntries(OPTIONS.map((o) => [o.key, o.default])) as unknown as ServeConfig;
}

/**
 * Defaults, then `VAPI_AUTH_*` variables, then flags. Unknown flags and bad values are errors
 * that name the flag or variable.
 */
export function resolveConfig(flags: Flags, env: NodeJS.ProcessEnv): ServeConfig {
  const config: Record<string, unknown> = { ...defaultConfig() };
  const known = new Set(OPTIONS.map((o) => o.flag));
  for (const flag of Object.keys(flags)) {
    if (!known.has(flag)) throw new ConfigError(`unknown option --${flag}`);
  }
  for (const o of OPTIONS) {
    const fromFlag = flags[o.flag];
    const source = fromFlag !== undefined ? `--${o.flag}` : envName(o.flag);
    const raw = fromFlag !== undefined ? (Array.isArray(fromFlag) ? fromFlag.join(',') : String(fromFlag)) : env[envName(o.flag)];
    if (raw === undefined) continue;
    const value = o.parse(raw);
    if (value === undefined) {
      throw new ConfigError(`invalid value for ${source}: "${raw}"${o.value ? ` (expected ${o.value})` : ''}`);
    }
    config[o.key] = value;
  }
  const result = config as unknown as ServeConfig;
  if ((result.cert === undefined) !== (result.key === undefined)) throw new ConfigError('--cert and --key go together');
  if (result.store === 'memory' && typeof result.workers === 'number' && result.workers > 1) {
    throw new ConfigError('--workers must be 1 with --store memory: the memory store lives in one process (use sqlite or redis:// for several)');
  }
  return result;
}
