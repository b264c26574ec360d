import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import type { ResolvedOperation } from '../core/operations.js';
import { operationInput, t } from '../core/types.js';
import { MemoryStore } from '../store/memory-store.js';
import { TaskRunner } from './task-runner.js';

const principal = { userKey: 'a@vsphere.local', name: 'a', domain: 'vsphere.local', scheme: 'com.vmware.vapi.std.security.session_id' as const };
const context = (clock: FakeClock) => ({ principal, clock, requestId: 'r1', hasPrivilege: () => false, holdsAll: () => false });
const policy = { retentionMs: 60_000, heartbeatMs: 1000, shutdownGraceMs: 10 };
const silentLog = { error: () => undefined };

function operation(handler: () => Promise<unknown>): ResolvedOperation {
  return {
    service: { id: 'com.example.s', operations: [] },
    operation: { id: 'op', input: operationInput(), output: t.string, errors: [], task: 'task', cancelable: true, handler },
    schemes: [],
    privileges: [],
  };
}

async function settled(store: MemoryStore, id: string, clock: FakeClock) {
  for (let i = 0; i < 100; i++) {
    const task = await store.tasks.get(id, clock.now());
    if (task && (task.status === 'SUCCEEDED' || task.status === 'FAILED')) return task;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('not settled');
}

describe('the task runner', () => {
  it('goes PENDING → FAILED (CANCELED) when cancel arrives before the work starts, without running it', async () => {
    const store = new MemoryStore();
    const clock = new FakeClock();
    const runner = new TaskRunner(store.tasks, clock, policy, silentLog);
    let ran = false;
    const id = await runner.start(operation(async () => (ran = true)), {}, context(clock));
    expect((await store.tasks.get(id, clock.now()))!.status).toBe('PENDING');
    expect(await store.tasks.requestCancel(id, clock.now())).toBe('requested');
    runner.abort(id);
    const task = await settled(store, id, clock);
    expect(task).toMatchObject({ status: 'FAILED', error: { error_type: 'CANCELED' }, startTime: clock.now(), endTime: clock.now() });
    expect(ran).toBe(false);
  });

  it('goes PENDING → FAILED when the server that recorded it fell silent before running it', async () => {
    const store = new MemoryStore();
    const clock = new FakeClock();
    await store.tasks.create({
      id: 'x:com.example.s',
      service: 'com.example.s',
      operation: 'op',
      description: { id: 'd', default_message: 'd', args: [] },
      status: 'PENDING',
      cancelable: false,
      cancelRequested: false,
      userKey: 'a@vsphere.local',
      user: 'a@VSPHERE.LOCAL',
      createdAt: clock.now(),
      owner: 'another-server',
      heartbeatAt: clock.now(),
    });
    const runner = new TaskRunner(store.tasks, clock, policy, silentLog);
    const fresh = await runner.reconcile((await store.tasks.get('x:com.example.s', clock.now()))!);
    expect(fresh.status).toBe('PENDING');
    clock.advance(3 * policy.heartbeatMs + 1);
    const failed = await runner.reconcile((await store.tasks.get('x:com.example.s', clock.now()))!);
    expect(failed).toMatchObject({ status: 'FAILED', error: { messages: [{ id: 'com.vmware.cis.tasks.server_restarted' }] } });
    expect(failed.progress).toBeDefined();
    expect(failed.startTime).toBeDefined();
  });

  it('reports a handler bug as a generic INTERNAL_SERVER_ERROR, without its message', async () => {
    const store = new MemoryStore();
    const clock = new FakeClock();
    const runner = new TaskRunner(store.tasks, clock, policy, silentLog);
    const id = await runner.start(operation(async () => {
      throw new TypeError('secret internals at /srv/app.js:12');
    }), {}, context(clock));
    const task = await settled(store, id, clock);
    expect(task.error?.error_type).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(task.error)).not.toContain('secret internals');
  });
});
