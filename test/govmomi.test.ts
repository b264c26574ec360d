import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { processSandbox, runCli, startServerProcess } from './helpers/cli-process.js';
import { testIssuer } from './helpers/saml.js';

const GOPATH_SOURCES = '/usr/share/gocode';
const GOVMOMI = `${GOPATH_SOURCES}/src/github.com/vmware/govmomi/vapi/rest`;
const MISSING = 'go or govmomi is not installed (apt-get install golang-go golang-github-vmware-govmomi-dev; .ci/run does)';
const PROGRAM_DIR = fileURLToPath(new URL('./govmomi/', import.meta.url));
const SSO_PROGRAM_DIR = fileURLToPath(new URL('./govmomi/sso/', import.meta.url));
const SOLUTION_PROGRAM_DIR = fileURLToPath(new URL('./govmomi/solution/', import.meta.url));
/** The package the programs share (govmomitest), in a GOPATH of its own. */
const SHARED_GOPATH = fileURLToPath(new URL('./govmomi/gopath', import.meta.url));

function available(): boolean {
  const found = spawnSync('go', ['version']).status === 0 && existsSync(GOVMOMI);
  if (!found && process.env.CI) throw new Error(MISSING);
  return found;
}

const run = available();
const sandbox = processSandbox('vapi-auth-govmomi-');

/** Runs one of the Go programs (with `programArgs` after the URL, user, password and CA) against a fresh HTTPS server; answers what it printed. */
async function runAgainstServer(directory: string, programArgs: string[] = [], serverArgs: string[] = []): Promise<string[]> {
  const server = sandbox.track(await startServerProcess(['--data-dir', sandbox.dataDir, ...serverArgs], { VAPI_AUTH_ADMIN_PASSWORD: 'Gov-m0mi!' }));
  expect(server.url).toMatch(/^https:/);
  const env = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: `${GOPATH_SOURCES}:${mkdtempSync(join(tmpdir(), 'vapi-auth-gopath-'))}:${SHARED_GOPATH}`,
    GOFLAGS: '',
    // go needs a build cache directory; without HOME (a bare CI environment) it has none by default.
    GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'vapi-auth-gocache'),
  };
  const { stdout } = await promisify(execFile)(
    'go',
    ['run', 'main.go', server.url, 'administrator@vsphere.local', 'Gov-m0mi!', join(sandbox.dataDir, 'tls', 'cert.pem'), ...programArgs],
    { cwd: directory, env, timeout: 240_000 },
  );
  return stdout.trim().split('\n');
}

describe.runIf(run)("govmomi's own clients", () => {
  it('vapi/rest: logs in, reads the session, logs out, and is refused with the old id and with a wrong password', async () => {
    const lines = await runAgainstServer(PROGRAM_DIR);
    expect(lines).toEqual([
      'ok login',
      'ok session administrator@VSPHERE.LOCAL',
      'ok logout',
      'ok old id refused',
      'ok wrong password refused',
    ]);
  }, 300_000);

  it('lookup, sts and vapi/rest: finds the STS, issues a bearer and a holder-of-key token, logs in with each, reads the session, logs out', async () => {
    const lines = await runAgainstServer(SSO_PROGRAM_DIR);
    expect(lines).toEqual([
      'ok lookup',
      'ok issue bearer',
      'ok wrong password refused',
      'ok bearer session administrator@VSPHERE.LOCAL',
      'ok issue holder-of-key',
      'ok holder-of-key session administrator@VSPHERE.LOCAL',
      'ok renew holder-of-key',
      'ok renewed holder-of-key session administrator@VSPHERE.LOCAL',
      'ok renew refused without the holder\'s key',
      'ok holder-of-key token refused without its key',
    ]);
  }, 300_000);

  it('sts: a solution user gets a holder-of-key token with its certificate alone, acts for a user with their delegatable token, renews it; the audit log names the actor', async () => {
    const solution = await testIssuer('vpxd-extension');
    const certFile = join(sandbox.dataDir, 'vpxd.crt');
    const keyFile = join(sandbox.dataDir, 'vpxd.key');
    writeFileSync(certFile, solution.cert);
    writeFileSync(keyFile, solution.key, { mode: 0o600 });
    const added = await runCli(['solution-user', 'add', 'vpxd', '--cert', certFile, '--role', 'ReadOnly', '--data-dir', sandbox.dataDir]);
    expect(added.stdout + added.stderr).toMatch(/^Added solution user vpxd@VSPHERE.LOCAL \(ReadOnly/);
    const auditLog = join(sandbox.dataDir, 'audit.log');
    const lines = await runAgainstServer(SOLUTION_PROGRAM_DIR, ['vpxd@vsphere.local', certFile, keyFile], ['--audit-log', auditLog]);
    expect(lines).toEqual([
      'ok solution user token',
      'ok solution user session vpxd@VSPHERE.LOCAL',
      'ok unregistered certificate refused',
      'ok act as',
      'ok act-as session administrator@VSPHERE.LOCAL',
      'ok renew act-as token',
      'ok renewed act-as session administrator@VSPHERE.LOCAL',
      'ok non-delegatable token refused in ActAs',
      'ok act as refused to a user',
    ]);
    const events = readFileSync(auditLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(events).toContainEqual(expect.objectContaining({ event: 'sts.issued', user: 'vpxd', scheme: 'sts_certificate' }));
    expect(events).toContainEqual(expect.objectContaining({ event: 'sts.issued', user: 'administrator', actor: 'vpxd@vsphere.local' }));
    expect(events).toContainEqual(expect.objectContaining({ event: 'login.success', user: 'administrator', scheme: 'saml_hok_token', actor: 'vpxd@vsphere.local' }));
  }, 300_000);
});

if (!run) describe("govmomi's own clients", () => it.skip(MISSING, () => undefined));
