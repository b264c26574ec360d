import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, http, type HttpResponse } from './helpers/http.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, storeFactories, type TestServer } from './helpers/test-server.js';
import { jobsService, Steps } from './helpers/task-services.js';

const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:com\.example\.jobs$/;

type Info = Record<string, unknown> & { status: string };

for (const stores of storeFactories()) {
  describe(`tasks on the ${stores.kind} store`, () => {
    let t: TestServer;
    let steps: Steps;
    let admin: string;
    let reader: string;

    const login = async (user: string, password: string) => {
      const response = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(user, password) });
      return response.json as string;
    };
    const as = (token: string) => ({ 'vmware-api-session-id': token });
    const start = async (token = admin, name = 'nightly', action = 'run'): Promise<string> => {
      const response = await http(`${t.url}/api/example/jobs?action=${action}&vmw-task=true`, { method: 'POST', headers: as(token), body: action === 'run' ? { name } : undefined });
      expect(response.status, response.text).toBe(202);
      expect(response.json).toMatch(TASK_ID);
      return response.json as string;
    };
    const get = (id: string, token = admin, query = ''): Promise<HttpResponse> =>
      http(`${t.url}/api/cis/tasks/${encodeURIComponent(id)}${query}`, { headers: as(token) });
    const info = async (id: string, token = admin): Promise<Info> => (await get(id, token)).json as Info;
    const settle = async (id: string, status: string): Promise<Info> => {
      for (let i = 0; i < 200; i++) {
        const current = await info(id);
        if (current.status === status) return current;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`task ${id} never reached ${status}: ${JSON.stringify(await info(id))}`);
    };
    const untilWaiting = async (n = 1) => {
      for (let i = 0; i < 400 && steps.waiting < n; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(steps.waiting).toBe(n);
    };

    beforeEach(async () => {
      steps = new Steps();
      t = await startTestServer(await stores.open(), { services: [jobsService(steps)], tasks: { heartbeatMs: 60_000, shutdownGraceMs: 50 } });
      admin = await login(ADMIN, ADMIN_PASSWORD);
      reader = await login('reader@vsphere.local', 'Read0nly');
    });
    afterEach(async () => t.close());

    it('answers 202 with the task id at once, then shows RUNNING with progress, then SUCCEEDED with the result', async () => {
      const startedAt = t.clock.now();
      const id = await start();
      await untilWaiting();
      const running = await info(id);
      expect(running).toEqual({
        description: { id: 'com.example.jobs.run', default_message: 'Run a job', args: [] },
        service: 'com.example.jobs',
        operation: 'run',
        target: { type: 'Job', id: 'nightly' },
        status: 'RUNNING',
        cancelable: true,
        start_time: new Date(startedAt).toISOString(),
        user: 'administrator@VSPHERE.LOCAL',
        progress: { total: 0, completed: 0, message: { id: 'com.example.jobs.run', default_message: 'Run a job', args: [] } },
      });
      steps.advance();
      await untilWaiting();
      expect((await info(id)).progress).toEqual({ total: 3, completed: 1, message: { id: 'com.example.jobs.step', default_message: 'Step 1 of 3', args: ['1'] } });
      t.clock.advance(1500);
      steps.advance();
      await untilWaiting();
      steps.advance();
      const done = await settle(id, 'SUCCEEDED');
      expect(done).toMatchObject({
        status: 'SUCCEEDED',
        cancelable: false,
        start_time: new Date(startedAt).toISOString(),
        end_time: new Date(startedAt + 1500).toISOString(),
        progress: { total: 3, completed: 3 },
        result: { name: 'nightly', finished: new Date(startedAt + 1500).toISOString(), labels: { steps: 3 } },
      });
      expect(done).not.toHaveProperty('error');
      expect((await get(id, admin, '?exclude_result=true')).json).not.toHaveProperty('result');
    });

    it('goes RUNNING → BLOCKED → RUNNING → SUCCEEDED while the work waits on something outside it', async () => {
      const response = await http(`${t.url}/api/example/jobs?action=run&vmw-task=true`, { method: 'POST', headers: as(admin), body: { name: 'w', wait: true } });
      const id = response.json as string;
      await untilWaiting();
      expect((await info(id)).status).toBe('RUNNING');
      steps.advance();
      await untilWaiting();
      const blocked = await info(id);
      expect(blocked.status).toBe('BLOCKED');
      expect(blocked).toHaveProperty('start_time');
      expect(blocked).toHaveProperty('progress');
      expect(blocked).not.toHaveProperty('end_time');
      steps.advance();
      await untilWaiting();
      expect((await info(id)).status).toBe('RUNNING');
      steps.advance();
      await settle(id, 'SUCCEEDED');
    });

    it('cancels a BLOCKED task too', async () => {
      const response = await http(`${t.url}/api/example/jobs?action=run&vmw-task=true`, { method: 'POST', headers: as(admin), body: { name: 'w', wait: true } });
      const id = response.json as string;
      await untilWaiting();
      steps.advance();
      await untilWaiting();
      expect((await info(id)).status).toBe('BLOCKED');
      expect((await http(`${t.url}/api/cis/tasks/${id}?action=cancel`, { method: 'POST', headers: as(admin) })).status).toBe(204);
      expect((await settle(id, 'FAILED')).error).toMatchObject({ error_type: 'CANCELED' });
    });

    it('accepts the task id with its colon percent-encoded or not', async () => {
      const id = await start();
      expect((await http(`${t.url}/api/cis/tasks/${id}`, { headers: as(admin) })).status).toBe(200);
      expect((await http(`${t.url}/api/cis/tasks/${id.replace(':', '%3A')}`, { headers: as(admin) })).status).toBe(200);
    });

    it('ends FAILED with the std error the operation raised', async () => {
      const id = await start(admin, '', 'fail');
      const failed = await settle(id, 'FAILED');
      expect(failed.error).toEqual({ error_type: 'NOT_FOUND', messages: [{ args: [], default_message: 'No such job.', id: 'com.example.jobs.missing' }] });
      expect(failed).toHaveProperty('start_time');
      expect(failed).toHaveProperty('end_time');
      expect(failed).toHaveProperty('progress');
      expect(failed).not.toHaveProperty('result');
    });

    it('cancels a running task through its AbortSignal: FAILED with CANCELED', async () => {
      const id = await start();
      await untilWaiting();
      const cancel = await http(`${t.url}/api/cis/tasks/${id}?action=cancel`, { method: 'POST', headers: as(admin) });
      expect(cancel.status).toBe(204);
      const failed = await settle(id, 'FAILED');
      expect(failed.error).toMatchObject({ error_type: 'CANCELED', messages: [{ id: 'com.vmware.cis.tasks.canceled' }] });
      const again = await http(`${t.url}/api/cis/tasks/${id}?action=cancel`, { method: 'POST', headers: as(admin) });
      expect(again.status).toBe(400);
      expect(again.json).toMatchObject({ error_type: 'NOT_ALLOWED_IN_CURRENT_STATE' });
    });

    it('refuses to cancel a task that is not cancelable (UNSUPPORTED) or finished (NOT_ALLOWED_IN_CURRENT_STATE)', async () => {
      const once = await start(admin, '', 'once');
      await untilWaiting();
      const unsupported = await http(`${t.url}/api/cis/tasks/${once}?action=cancel`, { method: 'POST', headers: as(admin) });
      expect(unsupported.status).toBe(400);
      expect(unsupported.json).toMatchObject({ error_type: 'UNSUPPORTED' });
      steps.advance();
      await settle(once, 'SUCCEEDED');
      const finished = await http(`${t.url}/api/cis/tasks/${once}?action=cancel`, { method: 'POST', headers: as(admin) });
      expect(finished.json).toMatchObject({ error_type: 'NOT_ALLOWED_IN_CURRENT_STATE' });
    });

    it('leaves one consistent outcome when cancel meets completion', async () => {
      for (let round = 0; round < 5; round++) {
        const id = await start();
        for (let step = 0; step < 3; step++) {
          await untilWaiting();
          steps.advance();
        }
        // The last step is released and the cancel races the completion.
        const cancel = await http(`${t.url}/api/cis/tasks/${id}?action=cancel`, { method: 'POST', headers: as(admin) });
        expect([204, 400]).toContain(cancel.status);
        const final = await (async () => {
          for (let i = 0; i < 200; i++) {
            const current = await info(id);
            if (current.status === 'SUCCEEDED' || current.status === 'FAILED') return current;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          throw new Error('no outcome');
        })();
        if (final.status === 'SUCCEEDED') {
          expect(final).not.toHaveProperty('error');
          expect(final.result).toBeDefined();
        } else {
          expect(cancel.status).toBe(204);
          expect(final.error).toMatchObject({ error_type: 'CANCELED' });
          expect(final).not.toHaveProperty('result');
        }
        if (cancel.status === 400) expect(final.status).toBe('SUCCEEDED');
      }
    });

    it('shows a user their own tasks only, and an Administrator every task', async () => {
      const mine = await start(reader, 'mine');
      const theirs = await start(admin, 'theirs');
      expect((await get(theirs, reader)).status).toBe(404);
      expect((await get(mine, admin)).status).toBe(200);
      const readerList = await http(`${t.url}/api/cis/tasks?action=list`, { method: 'POST', headers: as(reader), body: { filter_spec: { services: ['com.example.jobs'] } } });
      expect(Object.keys(readerList.json as object)).toEqual([mine]);
      const adminList = await http(`${t.url}/api/cis/tasks?services=com.example.jobs`, { headers: as(admin) });
      expect(Object.keys(adminList.json as object).sort()).toEqual([mine, theirs].sort());
      const cancel = await http(`${t.url}/api/cis/tasks/${theirs}?action=cancel`, { method: 'POST', headers: as(reader) });
      expect(cancel.status).toBe(404);
    });

    it('filters by every FilterSpec field, each alone and together', async () => {
      const a = await start(admin, 'a');
      const b = await start(reader, 'b');
      const failed = await start(admin, '', 'fail');
      await settle(failed, 'FAILED');
      const list = async (filter_spec: object) => {
        const response = await http(`${t.url}/api/cis/tasks?action=list`, { method: 'POST', headers: as(admin), body: { filter_spec, result_spec: { exclude_result: true } } });
        expect(response.status, response.text).toBe(200);
        return Object.keys(response.json as object).sort();
      };
      const all = [a, b, failed].sort();
      expect(await list({ services: ['com.example.jobs'] })).toEqual(all);
      expect(await list({ tasks: [a, failed] })).toEqual([a, failed].sort());
      expect(await list({ services: ['com.example.jobs'], operations: ['fail'] })).toEqual([failed]);
      expect(await list({ services: ['com.example.jobs'], status: ['FAILED'] })).toEqual([failed]);
      expect(await list({ services: ['com.example.jobs'], status: ['RUNNING', 'PENDING'] })).toEqual([a, b].sort());
      expect(await list({ services: ['com.example.jobs'], targets: [{ type: 'Job', id: 'b' }] })).toEqual([b]);
      expect(await list({ services: ['com.example.jobs'], users: ['VSPHERE.LOCAL\\reader'] })).toEqual([b]);
      expect(await list({ services: ['com.example.jobs'], users: ['reader@vsphere.local'], operations: ['run'], status: ['RUNNING', 'PENDING'] })).toEqual([b]);
      expect(await list({ services: ['com.other'] })).toEqual([]);
      const viaQuery = await http(`${t.url}/api/cis/tasks?services=com.example.jobs&status=FAILED&exclude_result=true`, { headers: as(admin) });
      expect(Object.keys(viaQuery.json as object)).toEqual([failed]);
    });

    it('answers INVALID_ARGUMENT for an empty filter and a bad status value', async () => {
      for (const body of [{}, { filter_spec: {} }, { filter_spec: { operations: ['run'] } }, { filter_spec: { services: ['x'], status: ['DONE'] } }]) {
        const response = await http(`${t.url}/api/cis/tasks?action=list`, { method: 'POST', headers: as(admin), body });
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.json).toMatchObject({ error_type: 'INVALID_ARGUMENT' });
      }
      expect((await http(`${t.url}/api/cis/tasks`, { headers: as(admin) })).status).toBe(400);
      expect((await http(`${t.url}/api/cis/tasks?services=x&return_all=maybe`, { headers: as(admin) })).json).toMatchObject({ error_type: 'INVALID_ARGUMENT' });
    });

    it('answers NOT_FOUND for an unknown task, and needs a session for every tasks operation', async () => {
      const missing = `00000000-0000-4000-8000-000000000000:com.example.jobs`;
      expect((await get(missing)).json).toMatchObject({ error_type: 'NOT_FOUND', messages: [{ args: [missing] }] });
      expect((await http(`${t.url}/api/cis/tasks/${missing}`)).status).toBe(401);
      expect((await http(`${t.url}/api/cis/tasks?action=list`, { method: 'POST', body: {} })).status).toBe(401);
    });

    it('has the task form only where the operation declares one', async () => {
      expect((await http(`${t.url}/api/example/jobs?action=plain&vmw-task=true`, { method: 'POST', headers: as(admin) })).status).toBe(404);
      expect((await http(`${t.url}/api/example/jobs?action=once`, { method: 'POST', headers: as(admin) })).status).toBe(404);
      expect((await http(`${t.url}/api/example/jobs?action=plain`, { method: 'POST', headers: as(admin) })).json).toBe('plain');
      const bad = await http(`${t.url}/api/example/jobs?action=run&vmw-task=1`, { method: 'POST', headers: as(admin), body: { name: 'x' } });
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ error_type: 'INVALID_REQUEST' });
    });

    it('runs the operation inline, without a task, when vmw-task is absent', async () => {
      const pending = http(`${t.url}/api/example/jobs?action=run`, { method: 'POST', headers: as(admin), body: { name: 'inline' } });
      for (let i = 0; i < 3; i++) {
        await untilWaiting();
        steps.advance();
      }
      const response = await pending;
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ name: 'inline', labels: { steps: 3 } });
    });

    it('validates task input before recording a task', async () => {
      const response = await http(`${t.url}/api/example/jobs?action=run&vmw-task=true`, { method: 'POST', headers: as(admin), body: { name: 5 } });
      expect(response.status).toBe(400);
      const list = await http(`${t.url}/api/cis/tasks?services=com.example.jobs`, { headers: as(admin) });
      expect(list.json).toEqual({});
    });

    it('keeps the caller session alive while they poll a long task', async () => {
      const id = await start();
      for (let minute = 0; minute < 90; minute += 10) {
        t.clock.advance(10 * 60_000);
        expect((await get(id)).status).toBe(200);
      }
      expect((await http(`${t.url}/api/session`, { headers: as(admin) })).status).toBe(200);
    });

    it('forgets a finished task after the retention time, and keeps it until then', async () => {
      const id = await start(admin, '', 'fail');
      const failed = await settle(id, 'FAILED');
      const endedAt = new Date(failed.end_time as string).getTime();
      t.clock.set(endedAt + 24 * 3_600_000 - 1);
      admin = await login(ADMIN, ADMIN_PASSWORD);
      expect((await get(id)).status).toBe(200);
      t.clock.set(endedAt + 24 * 3_600_000);
      expect((await get(id)).status).toBe(404);
    });
  });
}
