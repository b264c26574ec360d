import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { basic, http } from './helpers/http.js';
import { jobsService, Steps } from './helpers/task-services.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer } from './helpers/test-server.js';

describe('a server that stops while a task runs', () => {
  it('gives the task its grace period, then records it FAILED rather than leaving it RUNNING', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-stop-'));
    const file = join(dir, 'vapi-auth.sqlite');
    const t = await startTestServer(new SqliteStore({ file }), { services: [jobsService(new Steps())], tasks: { shutdownGraceMs: 100 } });
    const token = (await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).json as string;
    const started = await http(`${t.url}/api/example/jobs?action=run&vmw-task=true`, {
      method: 'POST',
      headers: { 'vmware-api-session-id': token },
      body: { name: 'long' },
    });
    const id = started.json as string;
    await t.close();
    const store = new SqliteStore({ file });
    const record = await store.tasks.get(id, t.clock.now());
    expect(record).toMatchObject({ status: 'FAILED', error: { error_type: 'ERROR', messages: [{ id: 'com.vmware.cis.tasks.server_restarted' }] } });
    expect(record!.endTime).toBeDefined();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
