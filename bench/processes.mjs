import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts a node script and resolves once it prints the URL it listens on. */
export function startProcess(args, env = {}) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line from ${args.join(' ')}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/Server listening at (http:\/\/[^"\s]+)/);
      if (match) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve({ url: match[1], stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }) });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

export const ADMIN_PASSWORD = 'Bench-pa55';

/** vapi-auth over plain HTTP on the given store, with the session caps off so load can create freely. */
export function startVapiAuth(store) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vapi-auth-bench-'));
  return startProcess(
    ['dist/cli.js', 'serve', '--http', '--port', '0', '--store', store, '--data-dir', dataDir, '--max-sessions', '0', '--max-sessions-per-user', '0', '--log-level', 'info'],
    { VAPI_AUTH_ADMIN_PASSWORD: ADMIN_PASSWORD },
  );
}
