import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { basic, http } from './helpers/http.js';
import { processSandbox, runCli, startServerProcess } from './helpers/cli-process.js';

const PLUGIN = fileURLToPath(new URL('../examples/firmware-update.mjs', import.meta.url));
const ENV = { VAPI_AUTH_ADMIN_PASSWORD: 'Tasks-pw1' };
const sandbox = processSandbox('vapi-auth-tasks-');

async function start(extra: string[] = []) {
  const server = sandbox.track(await startServerProcess(['--http', '--data-dir', sandbox.dataDir, '--plugin', PLUGIN, ...extra], ENV));
  const login = await http(`${server.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Tasks-pw1') });
  return { server, headers: { 'vmware-api-session-id': login.json as string } };
}

async function apply(url: string, headers: Record<string, string>, host: string, stepMs: number): Promise<string> {
  const response = await http(`${url}/api/example/firmware/${host}?action=apply&vmw-task=true`, {
    method: 'POST',
    headers,
    body: { version: '2.0.0', step_ms: stepMs },
  });
  expect(response.status, response.text).toBe(202);
  return response.json as string;
}

async function until(url: string, headers: Record<string, string>, id: string, done: (info: Record<string, unknown>) => boolean) {
  for (let i = 0; i < 300; i++) {
    const info = (await http(`${url}/api/cis/tasks/${id}`, { headers })).json as Record<string, unknown>;
    if (done(info)) return info;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`task ${id} did not get there`);
}

describe('tasks of the example firmware plugin, across processes', () => {
  it('runs, reports progress, cancels, and keeps a finished result across a restart', async () => {
    const { server, headers } = await start();
    const first = await apply(server.url, headers, 'host-1', 150);
    const second = await apply(server.url, headers, 'host-2', 5000);
    const progressing = await until(server.url, headers, first, (info) => ((info.progress as { completed: number } | undefined)?.completed ?? 0) >= 40);
    expect(progressing.status).toBe('RUNNING');
    expect((await http(`${server.url}/api/cis/tasks/${second}?action=cancel`, { method: 'POST', headers })).status).toBe(204);
    const canceled = await until(server.url, headers, second, (info) => info.status === 'FAILED');
    expect(canceled.error).toMatchObject({ error_type: 'CANCELED' });
    const done = await until(server.url, headers, first, (info) => info.status === 'SUCCEEDED');
    expect(done.result).toMatchObject({ host: 'host-1', previous_version: '1.0.0', version: '2.0.0' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const { server: again } = await start();
    const after = await http(`${again.url}/api/cis/tasks/${first}`, { headers });
    expect(after.json).toEqual(done);
  });

  it('reports a task FAILED, not RUNNING forever, when its server was killed', async () => {
    const { server, headers } = await start(['--task-heartbeat', '200ms']);
    const id = await apply(server.url, headers, 'host-1', 60_000);
    await until(server.url, headers, id, (info) => info.status === 'RUNNING');
    server.child.kill('SIGKILL');
    await server.exited;

    const { server: again } = await start(['--task-heartbeat', '200ms']);
    const failed = await until(again.url, headers, id, (info) => info.status === 'FAILED');
    expect(failed.error).toMatchObject({ error_type: 'ERROR', messages: [{ id: 'com.vmware.cis.tasks.server_restarted' }] });
    expect(failed).toHaveProperty('end_time');
  });

  it('refuses to cancel past the point of no return the plugin declares', async () => {
    const { server, headers } = await start();
    const id = await apply(server.url, headers, 'host-1', 100);
    await until(server.url, headers, id, (info) => info.cancelable === false);
    const cancel = await http(`${server.url}/api/cis/tasks/${id}?action=cancel`, { method: 'POST', headers });
    expect(cancel.json).toMatchObject({ error_type: expect.stringMatching(/^(UNSUPPORTED|NOT_ALLOWED_IN_CURRENT_STATE)$/) });
    expect((await until(server.url, headers, id, (info) => info.status !== 'RUNNING')).status).toBe('SUCCEEDED');
  });

  it('refuses to start with a plugin that is not a service definition, naming it', async () => {
    const bad = join(sandbox.dataDir, 'bad-plugin.mjs');
    writeFileSync(bad, 'export default { hello: "world" };\n');
    const result = await runCli(['serve', '--http', '--port', '0', '--data-dir', sandbox.dataDir, '--plugin', bad], { env: ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`plugin ${bad} must export by default a service definition`);
    const missing = await runCli(['serve', '--http', '--port', '0', '--data-dir', sandbox.dataDir, '--plugin', join(sandbox.dataDir, 'nope.mjs')], { env: ENV });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('could not be loaded');
  });
});
