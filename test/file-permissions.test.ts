import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { basic, http } from './helpers/http.js';
import { processSandbox, startServerProcess, type ServerProcess } from './helpers/cli-process.js';

const ENV = { VAPI_AUTH_ADMIN_PASSWORD: 'Perm1ssions!' };
const sandbox = processSandbox('vapi-auth-perm-');

const modeOf = (file: string) => statSync(file).mode & 0o777;

async function start(args: string[] = ['--http']): Promise<ServerProcess> {
  return sandbox.track(await startServerProcess(['--data-dir', sandbox.dataDir, ...args], ENV));
}

/** A login writes to the database, so that its -wal and -shm files exist. */
async function login(server: ServerProcess, ca = readFileSync(join(sandbox.dataDir, 'tls', 'cert.pem'), 'utf8')): Promise<void> {
  const response = await http(`${server.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Perm1ssions!'), ca });
  expect(response.status).toBe(201);
}

/** Every file of the data dir that holds a secret or session state. */
function secretFiles(): string[] {
  return ['vapi-auth.sqlite', 'vapi-auth.sqlite-wal', 'vapi-auth.sqlite-shm', 'tls/key.pem', 'sts/signing.pem', 'jwt/keys.json'].map((file) => join(sandbox.dataDir, file));
}

describe('file permissions: secrets and session state are readable by their owner only', () => {
  it('a fresh data dir: the sqlite database, its -wal and -shm files and every private key are 0600', async () => {
    // HTTPS, so that the TLS key is generated too.
    await login(await start([]));
    for (const file of secretFiles()) {
      expect(existsSync(file), file).toBe(true);
      expect(modeOf(file), file).toBe(0o600);
    }
  });

  it('files found readable by others (copied in, restored from a backup) are narrowed to 0600 on start', async () => {
    const first = await start([]);
    await login(first);
    // Killed, so that the -wal and -shm files stay behind as well.
    first.child.kill('SIGKILL');
    await first.exited;
    for (const file of secretFiles()) chmodSync(file, 0o644);
    await login(await start([]));
    for (const file of secretFiles()) expect(modeOf(file), file).toBe(0o600);
  });

  it('a --key file readable by others is narrowed to 0600 on start', async () => {
    await login(await start([]));
    const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-perm-key-'));
    try {
      const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
      copyFileSync(join(sandbox.dataDir, 'tls', 'cert.pem'), cert);
      copyFileSync(join(sandbox.dataDir, 'tls', 'key.pem'), key);
      chmodSync(key, 0o644);
      await start(['--cert', cert, '--key', key]);
      expect(modeOf(key)).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
