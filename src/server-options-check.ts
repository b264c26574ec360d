import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from './config/config-error.js';
import { OPTIONS, type Option } from './config/options.js';
import { didYouMean } from './core/did-you-mean.js';

/** A value's rule: the flag of the CLI option it is (checked as that option), a check of its own, or an object's fields. */
type Rule = string | Check | Shape;
interface Check {
  expected: string;
  accepts(value: unknown): boolean;
}
interface Shape {
  fields: Readonly<Record<string, Rule>>;
}

const check = (expected: string, accepts: (value: unknown) => boolean): Check => ({ expected, accepts });
const shape = (fields: Record<string, Rule>): Shape => ({ fields });
const OBJECT = check('an object', (v) => typeof v === 'object' && v !== null);
const TEXT = check('a non-empty string', (v) => typeof v === 'string' && v !== '');
const PEM = check('a string or a Buffer', (v) => typeof v === 'string' || Buffer.isBuffer(v));
const MILLISECONDS = check('a number of milliseconds > 0', (v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
const COUNT = check('an integer ≥ 1', (v) => Number.isSafeInteger(v) && (v as number) >= 1);
const BOOLEAN = check('true or false', (v) => typeof v === 'boolean');
const LIST = check('an array', Array.isArray);
const TEXTS = check('an array of strings', (v) => Array.isArray(v) && v.every((item) => typeof item === 'string'));

/**
 * createServer's options. A leaf that is also a `vapi-auth serve` option names its flag, so that
 * both take exactly the same values (durations in milliseconds here).
 */
const SERVER_OPTIONS = shape({
  store: OBJECT,
  clock: OBJECT,
  sessions: shape({
    idleTimeoutMs: 'idle-timeout',
    absoluteTimeoutMs: 'absolute-timeout',
    maxSessionsPerUser: 'max-sessions-per-user',
    maxSessions: 'max-sessions',
    touchIntervalMs: 'touch-interval',
  }),
  tasks: shape({ retentionMs: 'task-retention', heartbeatMs: 'task-heartbeat', shutdownGraceMs: MILLISECONDS }),
  lockout: shape({ maxFailures: 'lockout-failures', windowMs: 'lockout-window', durationMs: 'lockout-duration' }),
  saml: shape({
    trustedCertificates: TEXTS,
    allowBearer: 'saml-bearer',
    audience: 'saml-audience',
    clockToleranceMs: 'saml-clock-tolerance',
    maxBytes: COUNT,
    stsUrl: 'sts-url',
  }),
  sts: shape({
    keys: OBJECT,
    policy: shape({ maxLifetimeMs: 'sts-max-lifetime', defaultLifetimeMs: MILLISECONDS, maxRenewals: 'sts-max-renewals', issuer: TEXT, audience: TEXT }),
  }),
  jwt: shape({
    keys: OBJECT,
    policy: shape({ issuer: 'token-issuer', audience: TEXT, lifetimeMs: 'token-lifetime' }),
    limits: shape({
      maxClients: 'omivv-max-clients',
      maxTokens: 'omivv-max-tokens',
      requestsPerMinute: 'omivv-rate',
      requestsPerClientPerMinute: 'omivv-client-rate',
      requestsPerTokenPerMinute: 'omivv-token-rate',
    }),
  }),
  realm: 'realm',
  publicUrl: 'public-url',
  bodyLimit: 'body-limit',
  connections: shape({
    headersTimeoutMs: 'headers-timeout',
    bodyTimeoutMs: 'body-timeout',
    requestTimeoutMs: 'request-timeout',
    maxConnections: 'max-connections',
    maxConnectionsPerClient: 'max-connections-per-client',
  }),
  https: shape({ key: PEM, cert: PEM }),
  logLevel: 'log-level',
  logStream: OBJECT,
  announceListening: BOOLEAN,
  console: 'console',
  services: LIST,
  passwordHashing: shape({ concurrency: COUNT, maxWaiting: 'login-queue' }),
  privilegeRecorder: shape({ capacity: 'privilege-checks', flushIntervalMs: MILLISECONDS }),
  authDefinition: shape({ text: check('a string', (v) => typeof v === 'string'), file: TEXT }),
  onAuditEvent: check('a function', (v) => typeof v === 'function'),
  identitySources: shape({ text: check('a string', (v) => typeof v === 'string'), file: TEXT }),
  groupRefreshMs: 'group-refresh',
  trustProxy: TEXTS,
});

const REQUIRED = ['store'];

/** A CLI option's check of a typed value: what its flag would have parsed to. */
function optionCheck(flag: string): Check {
  const option = OPTIONS.find((o) => o.flag === flag) as Option;
  if (option.value === 'DURATION') return { ...MILLISECONDS, expected: `${MILLISECONDS.expected}, as --${flag}` };
  return {
    expected: `${option.value ?? 'true or false'}, as --${flag}`,
    accepts: (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && isDeepStrictEqual(option.parse(String(v)), v),
  };
}

function checkValue(rule: Rule, value: unknown, path: string): void {
  if (typeof rule !== 'string' && 'fields' in rule) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`createServer: ${path} must be an object`);
    checkFields(rule, value as Record<string, unknown>, `${path}.`);
    return;
  }
  const { expected, accepts } = typeof rule === 'string' ? optionCheck(rule) : rule;
  if (!accepts(value)) throw new ConfigError(`createServer: invalid ${path}: ${shown(value)} (expected ${expected})`);
}

function checkFields(rule: Shape, value: Record<string, unknown>, prefix: string): void {
  for (const [key, field] of Object.entries(value)) {
    if (!Object.hasOwn(rule.fields, key)) throw new ConfigError(`createServer: unknown option ${prefix}${key}${didYouMean(key, Object.keys(rule.fields))}`);
    // An absent optional value may be spelled undefined (`{ audience: config.audience }`).
    if (field !== undefined) checkValue(rule.fields[key]!, field, `${prefix}${key}`);
  }
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
}

/** Throws a ConfigError naming the first unknown option or bad value of createServer's `options`. */
export function checkServerOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) throw new ConfigError('createServer: options must be an object');
  for (const key of REQUIRED) if ((options as Record<string, unknown>)[key] === undefined) throw new ConfigError(`createServer: options.${key} is required`);
  checkFields(SERVER_OPTIONS, options as Record<string, unknown>, '');
}
