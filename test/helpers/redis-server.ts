import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { freePort, stopSupervised } from './processes.js';

export const REDIS_MISSING = 'redis-server is not installed (apt-get install redis-server; .ci/run does)';

/** Whether a redis-server binary is on PATH. In CI its absence is a failure, not a skip. */
export function redisAvailable(): boolean {
  const found = spawnSync('redis-server', ['--version']).status === 0;
  if (!found && process.env.CI) throw new Error(REDIS_MISSING);
  return found;
}

export interface RedisProcess {
  url: string;
  port: number;
  /** Stops the server (SIGTERM); `start()` brings it back on the same port with the same data dir. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

/**
 * A real redis-server on 127.0.0.1 and a free port, its files in a temp dir. With `durable`, every
 * write is in the append-only file before Redis answers (appendfsync always).
 */
export async function startRedis(options: { durable?: boolean } = {}): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--protected-mode', 'no'];
  args.push(...(options.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  let child: ChildProcess | undefined;

  // redis-server runs under a shell that kills it when its stdin closes: when this process ends,
  // however it ends, the server ends with it.
  const supervised = 'redis-server "$@" & pid=$!; read _; kill $pid; wait $pid';
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn('sh', ['-c', supervised, 'sh', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      child = proc;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          proc.stdout!.resume();
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${out}`));
      });
    });
  const stop = () => stopSupervised(child);

  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Within a describe: one redis-server for the block, emptied before each test. Read `url` (or the
 * process, to stop and start it) inside the tests.
 */
export function redisPerBlock(): { readonly url: string; readonly process: RedisProcess } {
  let redis: RedisProcess | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.destroy());
  beforeEach(async () => {
    const client = new Redis(redis!.url);
    await client.flushdb();
    client.disconnect();
  });
  return {
    get url() {
      return redis!.url;
    },
    get process() {
      return redis!;
    },
  };
}
