import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { basic, http } from './helpers/http.js';
import { processSandbox, runCli, startServerProcess, type ServerProcess } from './helpers/cli-process.js';

const PLUGIN = fileURLToPath(new URL('../examples/firmware-update.mjs', import.meta.url));
const ADMIN = 'administrator@vsphere.local';
const PASSWORD = 'W0rkers-pw';
const ENV = { VAPI_AUTH_ADMIN_PASSWORD: PASSWORD };
const sandbox = processSandbox('vapi-auth-workers-');

async function start(extra: string[] = []): Promise<ServerProcess> {
  return sandbox.track(await startServerProcess(['--http', '--workers', '2', '--data-dir', sandbox.dataDir, '--plugin', PLUGIN, ...extra], ENV));
}

/** The worker processes of a primary. */
function workersOf(server: ServerProcess): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(server.child.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function login(url: string, password = PASSWORD) {
  return http(`${url}/api/session`, { method: 'POST', headers: basic(ADMIN, password) });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('vapi-auth serve --workers 2', () => {
  it('forks two workers on one port, announces it once, and prints the administrator password once', async () => {
    const server = sandbox.track(await startServerProcess(['--http', '--workers', '2', '--data-dir', sandbox.dataDir]));
    expect(workersOf(server)).toHaveLength(2);
    const output = server.output();
    expect(output.match(/Server listening at/g)).toHaveLength(1);
    expect(output.match(/Created administrator@vsphere\.local with password/g)).toHaveLength(1);
    const password = output.match(/with password (\S+)/)![1]!;
    const answers = await Promise.all(Array.from({ length: 8 }, () => login(server.url, password)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(201));
  });

  it('shares the session cap and the lockout between the workers', async () => {
    const server = await start(['--max-sessions-per-user', '3', '--lockout-failures', '4']);
    const logins = await Promise.all(Array.from({ length: 12 }, () => login(server.url)));
    expect(logins.filter((answer) => answer.status === 201)).toHaveLength(3);
    expect(logins.filter((answer) => answer.status === 503)).toHaveLength(9);
    const wrong = await Promise.all(Array.from({ length: 12 }, () => login(server.url, 'wrong')));
    expect(wrong.every((answer) => answer.status === 401)).toBe(true);
    // Locked on both workers: the right password is refused too, whichever worker answers.
    const afterLock = await Promise.all(Array.from({ length: 6 }, () => login(server.url)));
    expect(afterLock.map((answer) => answer.status)).toEqual(Array(6).fill(401));
  });

  it('drains every worker on SIGTERM: a request in flight completes, then the primary exits 0', async () => {
    const server = await start();
    const token = (await login(server.url)).json as string;
    const inFlight = http(`${server.url}/api/example/firmware/host-1?action=apply`, {
      method: 'POST',
      headers: { 'vmware-api-session-id': token },
      body: { version: '2.0.0', step_ms: 200 },
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    server.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await server.exited).toBe(0);
    expect(workersOf(server)).toEqual([]);
  });

  it('replaces a worker killed with SIGKILL, and reports the task it was running FAILED', async () => {
    const server = await start(['--task-heartbeat', '200ms']);
    const headers = { 'vmware-api-session-id': (await login(server.url)).json as string };
    const started = await http(`${server.url}/api/example/firmware/host-1?action=apply&vmw-task=true`, { method: 'POST', headers, body: { version: '2.0.0', step_ms: 60_000 } });
    expect(started.status).toBe(202);
    const task = `${server.url}/api/cis/tasks/${started.json as string}`;
    await waitFor(async () => (((await http(task, { headers })).json as { status: string }).status === 'RUNNING' ? true : undefined), 'RUNNING');
    // Kill the workers one by one until the task's owner is among them, each time once its replacement serves.
    let failed: { status: string; error?: { messages: { id: string }[] } } | undefined;
    let replaced = 0;
    for (const pid of workersOf(server)) {
      process.kill(pid, 'SIGKILL');
      replaced++;
      await waitFor(async () => ((server.output().match(/a replacement worker is serving/g)?.length ?? 0) === replaced ? true : undefined), 'a replacement worker');
      expect(workersOf(server)).toHaveLength(2);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const info = (await http(task, { headers })).json as NonNullable<typeof failed>;
      if (info.status === 'FAILED') {
        failed = info;
        break;
      }
    }
    expect(failed?.status).toBe('FAILED');
    expect((await login(server.url)).status).toBe(201);
  });

  it('passes a cancel to the worker running the task, without waiting for a heartbeat', async () => {
    const server = await start(['--task-heartbeat', '1h']);
    const headers = { 'vmware-api-session-id': (await login(server.url)).json as string };
    const ids: string[] = [];
    // Several tasks, so that some run on the worker that does not receive their cancel (the plugin knows host-1 and host-2).
    for (let i = 1; i <= 4; i++) {
      const started = await http(`${server.url}/api/example/firmware/host-${1 + (i % 2)}?action=apply&vmw-task=true`, { method: 'POST', headers, body: { version: '2.0.0', step_ms: 60_000 } });
      ids.push(started.json as string);
    }
    for (const id of ids) {
      await waitFor(async () => (((await http(`${server.url}/api/cis/tasks/${id}`, { headers })).json as { status: string }).status === 'RUNNING' ? true : undefined), 'RUNNING');
      expect((await http(`${server.url}/api/cis/tasks/${id}?action=cancel`, { method: 'POST', headers })).status).toBe(204);
    }
    for (const id of ids) {
      const info = await waitFor(async () => {
        const current = (await http(`${server.url}/api/cis/tasks/${id}`, { headers })).json as { status: string; error?: { error_type: string } };
        return current.status === 'FAILED' ? current : undefined;
      }, `task ${id} canceled`);
      expect(info.error?.error_type).toBe('CANCELED');
    }
  });

  it('refuses more than one worker on the memory store, saying why', async () => {
    const result = await runCli(['serve', '--http', '--port', '0', '--store', 'memory', '--workers', '2', '--data-dir', sandbox.dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--workers must be 1 with --store memory');
  });
});
