import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processSandbox, runCli, startServerProcess } from './helpers/cli-process.js';
import { http } from './helpers/http.js';

/** The CLI's help, its refusals (before any side effect), its switches and the --config file, as real processes. */

const sandbox = processSandbox('vapi-auth-cli-usage-');

describe('vapi-auth help', () => {
  it('gives every command and verb its own text, with --help, -h or help COMMAND', async () => {
    const [global, user, userAdd, roleH, helpSession, keysList, serve] = await Promise.all([
      runCli(['--help']),
      runCli(['user', '--help']),
      runCli(['user', 'add', '--help']),
      runCli(['role', '-h']),
      runCli(['help', 'session']),
      runCli(['keys', 'list', '--help']),
      runCli(['serve', '--help']),
    ]);
    for (const result of [global, user, userAdd, roleH, helpSession, keysList, serve]) expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(global.stdout).toMatch(/^Usage: vapi-auth COMMAND/);
    expect(global.stdout).toContain('  session      the live sessions of the store the servers use');
    expect(global.stdout).not.toContain('--idle-timeout');
    expect(user.stdout).toMatch(/^Usage: vapi-auth user add \| list \| remove \| passwd \| role \| unlock …\n/);
    expect(user.stdout).toContain('  vapi-auth user passwd NAME [--password-stdin]\n');
    expect(user.stdout).not.toContain('vapi-auth role');
    expect(userAdd.stdout).toMatch(/^Usage: vapi-auth user add NAME \[--role ROLE\] \[--password-stdin\]\n\nAdds a user/);
    expect(userAdd.stdout).not.toContain('user list');
    expect(roleH.stdout).toContain('vapi-auth role add NAME --privilege P [--privilege P …]');
    expect(helpSession.stdout).toContain('vapi-auth session revoke ID-PREFIX | --user NAME');
    expect(keysList.stdout).toMatch(/^Usage: vapi-auth keys list \[--json\]\n/);
    const groups = [...serve.stdout.matchAll(/^([A-Z][A-Za-z /]+):$/gm)].map((match) => match[1]);
    expect(groups).toEqual(['Network', 'TLS', 'Sessions', 'Lockout', 'SAML and STS', 'JWT and OMIVV login', 'Tasks', 'Operations and authorization']);
    expect(serve.stdout).toContain('--saml-bearer, --no-saml-bearer');
    expect(serve.stdout).toMatch(/--idle-timeout DURATION +A session ends after .* \[30m\]\n +env VAPI_AUTH_IDLE_TIMEOUT/);
  });

  it('without a command, prints the overview on stderr and exits 2', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Usage: vapi-auth COMMAND/);
  });
});

describe('vapi-auth refusals', () => {
  it('refuses a command given wrong before it opens or creates anything', async () => {
    const dataDir = join(sandbox.dataDir, 'never');
    const refused = await Promise.all(
      [
        ['user'],
        ['user', 'frobnicate'],
        ['user', 'add'],
        ['user', 'list', 'extra'],
        ['user', 'list', '--group'],
        ['role', 'add', 'R'],
        ['permission', 'list', '--group'],
        ['session', 'revoke'],
        ['session', 'revoke', 'abc'],
        ['keys', 'revoke'],
        ['sts', 'list', '--token-lifetime', '1h'],
        ['keys', 'list', '--port', '1'],
      ].map((args) => runCli([...args, '--data-dir', dataDir])),
    );
    for (const result of refused) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^vapi-auth: /);
    }
    expect(refused[0]!.stderr).toBe('vapi-auth: user needs a verb; usage: vapi-auth user add | list | remove | passwd | role | unlock … (vapi-auth user --help)\n');
    expect(refused[2]!.stderr).toBe('vapi-auth: usage: vapi-auth user add NAME [--role ROLE] [--password-stdin]\n');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('suggests the flag, command or verb that was probably meant', async () => {
    const [flag, command, verb, verbFlag, far, inherited] = await Promise.all([
      runCli(['serve', '--idel-timeout', '5m']),
      runCli(['sesion', 'list']),
      runCli(['user', 'lsit']),
      runCli(['session', 'list', '--usr', 'ops']),
      runCli(['serve', '--frobnicate']),
      runCli(['user', 'toString']),
    ]);
    expect(flag).toMatchObject({ code: 2, stderr: 'vapi-auth: unknown option --idel-timeout (did you mean --idle-timeout?)\n' });
    expect(command).toMatchObject({ code: 2, stderr: 'vapi-auth: unknown command "sesion" (did you mean session?); vapi-auth --help lists them\n' });
    expect(verb).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown user verb "lsit" (did you mean list?)') });
    expect(verbFlag).toMatchObject({ code: 2, stderr: 'vapi-auth: unknown option --usr (did you mean --user?)\n' });
    expect(far).toMatchObject({ code: 2, stderr: 'vapi-auth: unknown option --frobnicate\n' });
    expect(inherited).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown user verb "toString"') });
  });
});

describe('vapi-auth serve options', () => {
  it('takes switches as --X and --no-X, and the older --saml-bearer true|false', async () => {
    const file = join(sandbox.dataDir, 'bad.yaml');
    writeFileSync(file, 'saml-bearer: maybe\n');
    // Each refusal names the value it read, so each shows how its spelling was understood.
    const [negatedWithValue, older, fromFile] = await Promise.all([
      runCli(['serve', '--no-http=1']),
      runCli(['serve', '--saml-bearer', 'false', '--port', 'x']),
      runCli(['serve', '--config', file]),
    ]);
    expect(negatedWithValue).toMatchObject({ code: 2, stderr: 'vapi-auth: --no-http takes no value\n' });
    expect(older).toMatchObject({ code: 2, stderr: 'vapi-auth: invalid value for --port: "x" (expected N)\n' });
    expect(fromFile).toMatchObject({ code: 2, stderr: `vapi-auth: ${file}:1: invalid value for saml-bearer: "maybe" (expected true or false)\n` });
    const server = sandbox.track(await startServerProcess(['--data-dir', sandbox.dataDir, '--http', '--no-saml-bearer', '--store', 'memory'], { VAPI_AUTH_ADMIN_PASSWORD: 'Sw1tches!' }));
    expect(server.url).toMatch(/^http:/);
  });
});

describe('vapi-auth --config', () => {
  it('reads options from YAML under their flag names; a variable wins over the file, a flag over both', async () => {
    const file = join(sandbox.dataDir, 'vapi-auth.yaml');
    writeFileSync(file, ['# a comment', 'http: true', 'port: 1', 'store: memory', 'realm: from the file', 'idle-timeout: 90', ''].join('\n'));
    const server = sandbox.track(
      await startServerProcess(['--data-dir', sandbox.dataDir, '--config', file], { VAPI_AUTH_ADMIN_PASSWORD: 'C0nfig-file', VAPI_AUTH_REALM: 'from the environment' }),
    );
    // --port 0 (the helper's flag) won over the file's port 1; http came from the file.
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:1$/);
    const challenge = await http(`${server.url}/api/session`, { method: 'POST' });
    expect(challenge.headers['www-authenticate']).toContain('realm="from the environment"');
  });

  it('names the file and line of an unknown key, a bad value and broken YAML', async () => {
    const write = (name: string, text: string) => {
      const file = join(sandbox.dataDir, name);
      writeFileSync(file, text);
      return file;
    };
    const unknown = write('unknown.yaml', 'port: 8443\n\nidel-timeout: 5m\n');
    const bad = write('bad.yaml', 'port: 8443\nhttp: true\nmax-sessions: many\n');
    const list = write('list.yaml', 'port:\n  - 1\n  - 2\n');
    const broken = write('broken.yaml', 'port: 8443\nhttp: [true\n');
    const plugins = write('plugins.yaml', 'plugin: [a.mjs, b.mjs]\n');
    const results = await Promise.all([
      runCli(['serve', '--config', unknown]),
      runCli(['serve', '--config', bad]),
      runCli(['serve', '--config', list]),
      runCli(['serve', '--config', broken]),
      runCli(['serve', '--config', join(sandbox.dataDir, 'missing.yaml')]),
      runCli(['serve', '--config', plugins, '--data-dir', sandbox.dataDir, '--http', '--store', 'memory']),
      runCli(['user', 'list', '--config', bad]),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBeGreaterThan(0);
    expect(results[0]!.stderr).toBe(`vapi-auth: ${unknown}:3: unknown option "idel-timeout" (did you mean idle-timeout?)\n`);
    expect(results[1]!.stderr).toBe(`vapi-auth: ${bad}:3: invalid value for max-sessions: "many" (expected N)\n`);
    expect(results[2]!.stderr).toBe(`vapi-auth: ${list}:1: port needs one value\n`);
    expect(results[3]!.stderr).toMatch(new RegExp(`^vapi-auth: ${broken.replaceAll('.', '\\.')}:\\d: `));
    expect(results[4]!.stderr).toContain('cannot read --config');
    // A list of plugins is read as the list: the first one named is the one that cannot be loaded.
    expect(results[5]!.stderr).toContain('a.mjs');
    expect(results[6]).toMatchObject({ code: 2, stderr: `vapi-auth: ${bad}:3: invalid value for max-sessions: "many" (expected N)\n` });
  });
});

describe('vapi-auth openapi', () => {
  it("prints the document of the built-in operations, and with --plugin those of the plugin too, as its server serves it", async () => {
    const paths = async (args: string[]) => Object.keys((JSON.parse((await runCli(['openapi', ...args])).stdout) as { paths: object }).paths);
    const plugin = fileURLToPath(new URL('../examples/firmware-update.mjs', import.meta.url));
    const [plain, withPlugin] = await Promise.all([paths([]), paths(['--plugin', plugin])]);
    expect(plain).toContain('/session');
    expect(plain.filter((path) => path.startsWith('/example/'))).toEqual([]);
    expect(withPlugin.filter((path) => !plain.includes(path))).toEqual(['/example/firmware/{host}?action=apply', '/example/firmware/{host}?action=apply&vmw-task=true']);
    expect((await runCli(['openapi', '--help'])).stdout).toContain('vapi-auth openapi [--plugin FILE]…');
  });
});
