// The peer: govmomi's vcsim (bench/vcsim/main.go), built once against Debian's govmomi sources
// (GOPATH mode) and cached in bench/.cache, so a bench run compiles only when main.go changes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCommand } from './processes.mjs';

const GOPATH_SOURCES = '/usr/share/gocode';
const GOVMOMI = `${GOPATH_SOURCES}/src/github.com/vmware/govmomi/vapi/simulator`;
const SOURCE_DIR = fileURLToPath(new URL('./vcsim/', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('./.cache/', import.meta.url));
const BINARY = join(CACHE_DIR, 'vcsim');

/** vcsim's default login (simulator.DefaultLogin); its vAPI session create takes any non-empty pair. */
export const VCSIM_USER = 'user';
export const VCSIM_PASSWORD = 'pass';

/**
 * `{ binary }`, the path of a built vcsim, built when missing or older than its source or the
 * installed govmomi; `{ skipped }`, the reason, without Go or govmomi.
 */
export function buildVcsim() {
  if (spawnSync('go', ['version']).status !== 0 || !existsSync(GOVMOMI)) {
    return { skipped: 'go or govmomi is not installed (apt-get install golang-go golang-github-vmware-govmomi-dev): the vcsim row is left out' };
  }
  const source = join(SOURCE_DIR, 'main.go');
  const newestInput = Math.max(statSync(source).mtimeMs, statSync(GOVMOMI).mtimeMs);
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= newestInput) return { binary: BINARY };
  mkdirSync(CACHE_DIR, { recursive: true });
  console.log('building bench/vcsim (once; cached in bench/.cache)');
  const env = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: `${GOPATH_SOURCES}:${join(CACHE_DIR, 'gopath')}`,
    GOFLAGS: '',
    GOCACHE: join(CACHE_DIR, 'gocache'),
  };
  const build = spawnSync('go', ['build', '-o', BINARY, 'main.go'], { cwd: SOURCE_DIR, env, encoding: 'utf8', timeout: 600_000 });
  if (build.status !== 0) throw new Error(`building bench/vcsim failed:\n${build.stderr}`);
  return { binary: BINARY };
}

export function startVcsim(binary) {
  return startCommand(binary, []);
}

/** Logs into vcsim's /rest session service (Basic credentials) and answers the session id. */
export async function vcsimLogin(url) {
  const basic = `Basic ${Buffer.from(`${VCSIM_USER}:${VCSIM_PASSWORD}`).toString('base64')}`;
  const response = await fetch(`${url}/rest/com/vmware/cis/session`, { method: 'POST', headers: { authorization: basic, 'vmware-use-header-authn': 'true' } });
  if (response.status !== 200) throw new Error(`vcsim login failed: ${response.status}`);
  return (await response.json()).value;
}
