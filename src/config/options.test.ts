import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';
import { ConfigError, defaultConfig, envName, OPTIONS, resolveConfig, shownDefault } from './options.js';

describe('durations', () => {
  it('reads units and bare seconds', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('-5m')).toBeUndefined();
  });

  it('prints the shortest exact form', () => {
    expect(formatDuration(1_800_000)).toBe('30m');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1500)).toBe('1500ms');
  });
});

describe('resolveConfig', () => {
  it('has the documented defaults', () => {
    expect(defaultConfig()).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
      dataDir: './data',
      store: 'sqlite',
      http: false,
      idleTimeoutMs: 30 * 60_000,
      absoluteTimeoutMs: 24 * 3_600_000,
      maxSessionsPerUser: 550,
      maxSessions: 3000,
    });
  });

  it('takes VAPI_AUTH_* variables, and flags over them', () => {
    const config = resolveConfig({ port: '9000' }, { VAPI_AUTH_PORT: '8000', VAPI_AUTH_IDLE_TIMEOUT: '5m', VAPI_AUTH_HTTP: 'true' });
    expect(config.port).toBe(9000);
    expect(config.idleTimeoutMs).toBe(300_000);
    expect(config.http).toBe(true);
  });

  it('derives every variable name from its flag', () => {
    expect(envName('max-sessions-per-user')).toBe('VAPI_AUTH_MAX_SESSIONS_PER_USER');
    expect(new Set(OPTIONS.map((o) => envName(o.flag))).size).toBe(OPTIONS.length);
  });

  it('names the flag or variable of a bad value', () => {
    expect(() => resolveConfig({ port: '70000' }, {})).toThrow(/--port/);
    expect(() => resolveConfig({}, { VAPI_AUTH_STORE: 'postgres' })).toThrow(/VAPI_AUTH_STORE/);
    expect(() => resolveConfig({}, { VAPI_AUTH_IDLE_TIMEOUT: '0' })).toThrow(ConfigError);
    expect(() => resolveConfig({ cert: 'a.pem' }, {})).toThrow(/--cert and --key/);
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => resolveConfig({ 'headers-timeout': '2m', 'request-timeout': '1m' }, {})).toThrow(/--headers-timeout may not be longer than --request-timeout/);
  });

  it('takes a --public-url of scheme, host and port only, without its trailing slash', () => {
    expect(resolveConfig({ 'public-url': 'https://vapi.example.com:8443/' }, {}).publicUrl).toBe('https://vapi.example.com:8443');
    for (const bad of ['vapi.example.com', 'ftp://vapi.example.com', 'https://vapi.example.com/api', 'https://vapi.example.com/?a=1', 'https://u:p@vapi.example.com']) {
      expect(() => resolveConfig({ 'public-url': bad }, {}), bad).toThrow(/invalid value for --public-url/);
    }
  });

  it('reads the --config file (or VAPI_AUTH_CONFIG) below variables and flags, above the defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-config-'));
    try {
      const file = join(dir, 'config.yaml');
      writeFileSync(file, 'port: 7000\nrealm: file\nhost: 0.0.0.0\nhttp: true\nplugin:\n  - a.mjs\n  - b.mjs\n');
      const config = resolveConfig({ config: file, port: '9000' }, { VAPI_AUTH_PORT: '8000', VAPI_AUTH_REALM: 'env' });
      expect(config).toMatchObject({ port: 9000, realm: 'env', host: '0.0.0.0', http: true, plugins: ['a.mjs', 'b.mjs'], dataDir: './data' });
      expect(resolveConfig({}, { VAPI_AUTH_CONFIG: file }).port).toBe(7000);
      writeFileSync(file, 'port: 7000\n\nsaml-bearer: sometimes\n');
      expect(() => resolveConfig({ config: file }, {})).toThrow(`${file}:3: invalid value for saml-bearer: "sometimes" (expected true or false)`);
      writeFileSync(file, '- port\n');
      expect(() => resolveConfig({ config: file }, {})).toThrow(`${file}:1: a config file is a mapping of options to values`);
      writeFileSync(file, 'port: 1\nport: 2\n');
      expect(() => resolveConfig({ config: file }, {})).toThrow(new RegExp(`^${file}:2: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown option', () => {
    expect(() => resolveConfig({ colour: 'red' }, {})).toThrow(/unknown option --colour/);
  });
});

describe('the README', () => {
  /** Each row of the option table: the flags it documents and its default column, backticks removed. */
  async function optionRows(): Promise<{ flags: string[]; shown: string }[]> {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    return [...readme.matchAll(/^\| `(--[^`]*)` \| ([^|]*) \|/gm)].map((row) => ({
      flags: [...row[1]!.matchAll(/--([a-z-]+)/g)].map((flag) => flag[1]!),
      shown: row[2]!.trim().replaceAll('`', ''),
    }));
  }

  it('documents every option in its table, and no option that does not exist', async () => {
    const documented = (await optionRows()).flatMap((row) => row.flags);
    expect(documented.sort()).toEqual(OPTIONS.map((option) => option.flag).sort());
  });

  it('gives each option the default the code has, as --help shows it', async () => {
    for (const row of await optionRows()) {
      for (const flag of row.flags) expect(row.shown, `--${flag}`).toBe(shownDefault(OPTIONS.find((option) => option.flag === flag)!));
    }
  });
});
