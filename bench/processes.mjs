import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts a node script and resolves once it prints the URL it listens on. */
export function startProcess(args, env = {}) {
  return startCommand(process.execPath, args, env);
}

/** Starts a program and resolves once it prints the URL it listens on ("Server listening at …"). */
export function startCommand(command, args, env = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line from ${command} ${args.join(' ')}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/Server listening at (https?:\/\/[^"\s]+)/);
      if (match) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve({ url: match[1], stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }) });
      }
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)));
  });
}

export const ADMIN_PASSWORD = 'Bench-pa55';

/** A redis-server on a free port, for the duration of the run. */
export async function startRedisServer() {
  const { createServer } = await import('node:net');
  const port = await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) {
        child.stdout.resume();
        resolve();
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  const stop = () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); });
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => stop().then(() => rmSync(dir, { recursive: true, force: true })) };
}

/**
 * vapi-auth over plain HTTP on the given store, with the session caps off so load can create freely;
 * `extra` adds options (`--workers 1`, …); without `--workers` it runs its default (auto). Its data dir
 * is removed when it stops.
 */
export async function startVapiAuth(store, extra = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vapi-auth-bench-'));
  const server = await startProcess(
    ['dist/cli.js', 'serve', '--http', '--port', '0', '--store', store, '--data-dir', dataDir, '--max-sessions', '0', '--max-sessions-per-user', '0', '--log-level', 'info', ...extra],
    { VAPI_AUTH_ADMIN_PASSWORD: ADMIN_PASSWORD },
  );
  return { url: server.url, stop: () => server.stop().then(() => rmSync(dataDir, { recursive: true, force: true })) };
}
