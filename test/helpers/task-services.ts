import type { ServiceDefinition, TaskControl } from '../../src/core/operations.js';
import { message } from '../../src/core/messages.js';
import { SCHEMES } from '../../src/core/schemes.js';
import { operationInput, t } from '../../src/core/types.js';
import { VapiError } from '../../src/core/errors.js';

/** A step the test lets a running task take: each `advance()` releases one awaited step. */
export class Steps {
  #waiters: (() => void)[] = [];
  #released = 0;
  /** Called by the handler: resolves when the test releases the next step. */
  next(signal: AbortSignal): Promise<void> {
    if (this.#released > 0) {
      this.#released--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
  advance(): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter();
    else this.#released++;
  }
  get waiting(): number {
    return this.#waiters.length;
  }
}

export const resultType = t.struct('com.example.jobs.result', {
  name: t.string,
  finished: t.datetime,
  labels: t.map(t.string, t.long),
});

/**
 * `com.example.jobs`: `run` (task-capable, cancelable, three steps), `fail` (task, fails with
 * NOT_FOUND), `once` (task only, not cancelable), `plain` (no task form).
 */
export function jobsService(steps: Steps): ServiceDefinition {
  const work = async (input: { name: string; wait?: boolean }, task: TaskControl | undefined, clock: { now(): number }) => {
    for (let step = 1; step <= 3; step++) {
      // With `wait`, step 2 waits BLOCKED (on something outside the task).
      if (input.wait && step === 2) await task?.setBlocked(true);
      await steps.next(task?.signal ?? new AbortController().signal);
      if (input.wait && step === 2) await task?.setBlocked(false);
      await task?.progress({ total: 3, completed: step, message: message('com.example.jobs.step', `Step ${step} of 3`, [String(step)]) });
    }
    return { name: input.name, finished: new Date(clock.now()), labels: { steps: 3 } };
  };
  return {
    id: 'com.example.jobs',
    schemes: [SCHEMES.sessionId],
    operations: [
      {
        id: 'run',
        input: operationInput({ name: t.string, wait: t.optional(t.boolean) }),
        output: resultType,
        errors: ['NOT_FOUND'],
        task: 'task',
        cancelable: true,
        description: message('com.example.jobs.run', 'Run a job'),
        taskTarget: (input: { name: string }) => ({ type: 'Job', id: input.name }),
        api: { method: 'POST', path: '/example/jobs', action: 'run' },
        handler: async (input: { name: string; wait?: boolean }, { task, clock }) => work(input, task, clock),
      },
      {
        id: 'fail',
        input: operationInput(),
        output: t.void,
        errors: ['NOT_FOUND'],
        task: 'task',
        api: { method: 'POST', path: '/example/jobs', action: 'fail' },
        handler: async () => {
          throw new VapiError('NOT_FOUND', [message('com.example.jobs.missing', 'No such job.')]);
        },
      },
      {
        id: 'once',
        input: operationInput(),
        output: t.string,
        errors: [],
        task: 'task_only',
        api: { method: 'POST', path: '/example/jobs', action: 'once' },
        handler: async (_input, { task }) => {
          await steps.next(task!.signal);
          return 'done';
        },
      },
      {
        id: 'plain',
        input: operationInput(),
        output: t.string,
        errors: [],
        api: { method: 'POST', path: '/example/jobs', action: 'plain' },
        handler: async () => 'plain',
      },
    ],
  };
}
