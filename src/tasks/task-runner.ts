import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { plainErrorBody } from '../core/error-body.js';
import { errorRow, toVapiError, VapiError } from '../core/errors.js';
import { message } from '../core/messages.js';
import type { OperationContext, ProgressReport, ResolvedOperation, TaskControl } from '../core/operations.js';
import { encodePlain } from '../core/plain-json.js';
import { displayName } from '../core/principal.js';
import { ACTIVE_STATUSES } from '../store/task-filter.js';
import type { TaskChange, TaskProgress, TaskRecord, TaskStore } from '../store/store.js';
import { serverRestarted, taskCanceled } from './task-errors.js';

export interface TaskPolicy {
  /** A finished task is kept this long, then forgotten. */
  retentionMs: number;
  /** A running task's owner says it is alive this often; after three silent intervals the task is reported FAILED. */
  heartbeatMs: number;
  /** On shutdown, running tasks get this long to finish; then they are aborted and recorded FAILED. */
  shutdownGraceMs: number;
}

export interface TaskLog {
  error(details: object, text: string): void;
}

interface RunningTask {
  controller: AbortController;
  progress: TaskProgress;
}

/**
 * Runs operations as CIS tasks: records each one PENDING before answering, runs it in the
 * background, persists progress and the outcome, honours cancel requests through an AbortSignal,
 * and reports the tasks of a server that died as FAILED.
 */
export class TaskRunner {
  /** Identifies this server instance as the owner of the tasks it runs. */
  readonly instanceId = randomUUID();
  readonly #store: TaskStore;
  readonly #clock: Clock;
  readonly #policy: TaskPolicy;
  readonly #log: TaskLog;
  readonly #running = new Map<string, RunningTask>();
  #relay: ((id: string) => void) | undefined;
  #observe: ((status: TaskRecord['status']) => void) | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(store: TaskStore, clock: Clock, policy: TaskPolicy, log: TaskLog) {
    this.#store = store;
    this.#clock = clock;
    this.#policy = policy;
    this.#log = log;
  }

  /** Starts the heartbeat, and fails the tasks of servers that stopped. */
  async startHeartbeat(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => void this.#beat().catch((error: unknown) => this.#log.error({ err: error }, 'task heartbeat failed')), this.#policy.heartbeatMs);
    this.#timer.unref();
  }

  /** Stops the heartbeat; running tasks get the grace period, then are aborted and recorded FAILED. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const settled = Promise.allSettled([...this.#inFlight]);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.#policy.shutdownGraceMs)));
    const outcome = await Promise.race([settled, grace]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.#stopping = true;
      for (const running of this.#running.values()) running.controller.abort();
      await settled;
    }
  }

  /** Records the task and returns its id at once; the work runs in the background with `context` (and its task control). */
  async start(target: ResolvedOperation, input: Record<string, unknown>, context: Omit<OperationContext, 'task'>): Promise<string> {
    const { service, operation } = target;
    const { principal } = context;
    const now = this.#clock.now();
    const record: TaskRecord = {
      id: `${randomUUID()}:${service.id}`,
      service: service.id,
      operation: operation.id,
      description: operation.description ?? message(`${service.id}.${operation.id}`, operation.id),
      status: 'PENDING',
      cancelable: operation.cancelable ?? false,
      cancelRequested: false,
      userKey: principal.userKey,
      user: displayName(principal),
      createdAt: now,
      owner: this.instanceId,
      heartbeatAt: now,
    };
    const taskTarget = operation.taskTarget?.(input);
    if (taskTarget) record.target = taskTarget;
    await this.#store.create(record);
    this.#observe?.('PENDING');
    const running: RunningTask = {
      controller: new AbortController(),
      progress: { total: 0, completed: 0, message: record.description },
    };
    this.#running.set(record.id, running);
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#run(record, target, input, context, running))
      .catch((error: unknown) => this.#log.error({ err: error, task: record.id }, 'task bookkeeping failed'))
      .finally(() => {
        this.#running.delete(record.id);
        this.#inFlight.delete(work);
      });
    this.#inFlight.add(work);
    return record.id;
  }

  /**
   * Asks a task whose cancel was recorded to stop: aborts it here if it runs here, else tells the
   * other workers of this server (see relayCancels); its owner also notices at its next heartbeat.
   */
  abort(id: string): void {
    if (!this.abortHere(id)) this.#relay?.(id);
  }

  /** Aborts the task if it runs in this process; false when it does not. */
  abortHere(id: string): boolean {
    const running = this.#running.get(id);
    running?.controller.abort();
    return running !== undefined;
  }

  /** Tasks running in this process now. */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Told each state a task of this process reaches (for the metrics). */
  observeStatus(observe: (status: TaskRecord['status']) => void): void {
    this.#observe = observe;
  }

  /** Where cancels of tasks running elsewhere are sent at once (the other workers of one server). */
  relayCancels(relay: (id: string) => void): void {
    this.#relay = relay;
  }

  /**
   * The task as clients should see it: a task left unfinished by a server that stopped is
   * failed here (and in the store) rather than shown RUNNING forever.
   */
  async reconcile(task: TaskRecord): Promise<TaskRecord> {
    const now = this.#clock.now();
    if (!ACTIVE_STATUSES.includes(task.status) || this.#running.has(task.id)) return task;
    if (task.heartbeatAt >= now - 3 * this.#policy.heartbeatMs) return task;
    const change = this.#finish(now, { status: 'FAILED', error: serverRestarted() }, task);
    await this.#store.update(task.id, change, ACTIVE_STATUSES);
    return (await this.#store.get(task.id, now)) ?? { ...task, ...change };
  }

  async #run(
    record: TaskRecord,
    target: ResolvedOperation,
    input: Record<string, unknown>,
    context: Omit<OperationContext, 'task'>,
    running: RunningTask,
  ): Promise<void> {
    const { operation } = target;
    const startTime = this.#clock.now();
    const started = await this.#store.update(
      record.id,
      { status: 'RUNNING', startTime, progress: running.progress, heartbeatAt: startTime },
      ['PENDING'],
    );
    if (!started) return;
    this.#observe?.('RUNNING');
    const current = await this.#store.get(record.id, startTime);
    if (current?.cancelRequested) running.controller.abort();
    let change: TaskChange;
    try {
      if (running.controller.signal.aborted) throw taskCanceled();
      const output = await operation.handler(input, { ...context, task: this.#control(record.id, running) });
      change = this.#finish(this.#clock.now(), { status: 'SUCCEEDED', result: encodePlain(operation.output, output, 'object') }, { ...record, startTime });
    } catch (error) {
      const failure = !running.controller.signal.aborted
        ? toVapiError(error)
        : this.#stopping
          ? serverRestarted()
          : taskCanceled();
      if (errorRow(failure.errorType).api >= 500) this.#log.error({ err: failure.cause ?? failure, task: record.id }, 'task failed');
      change = this.#finish(this.#clock.now(), { status: 'FAILED', error: failure }, { ...record, startTime });
    }
    change.progress = running.progress;
    await this.#store.update(record.id, change, ACTIVE_STATUSES);
    // #finish sets the status of every change it makes.
    this.#observe?.(change.status!);
  }

  /** The change that ends a task, with the fields a finished task must carry. */
  #finish(
    now: number,
    outcome: { status: 'SUCCEEDED'; result: unknown } | { status: 'FAILED'; error: VapiError },
    task: Pick<TaskRecord, 'startTime' | 'progress' | 'description'>,
  ): TaskChange {
    const change: TaskChange = {
      status: outcome.status,
      startTime: task.startTime ?? now,
      endTime: now,
      progress: task.progress ?? { total: 0, completed: 0, message: task.description },
      expiresAt: now + this.#policy.retentionMs,
    };
    if (outcome.status === 'SUCCEEDED') {
      if (outcome.result !== undefined) change.result = outcome.result;
    } else {
      change.error = plainErrorBody(outcome.error, 'object') as unknown as TaskChange['error'];
    }
    return change;
  }

  #control(id: string, running: RunningTask): TaskControl {
    return {
      id,
      signal: running.controller.signal,
      progress: async (report: ProgressReport) => {
        running.progress = {
          total: report.total ?? running.progress.total,
          completed: Math.max(running.progress.completed, report.completed ?? running.progress.completed),
          message: report.message ?? running.progress.message,
        };
        await this.#store.update(id, { progress: running.progress, heartbeatAt: this.#clock.now() }, ACTIVE_STATUSES);
      },
      setCancelable: async (cancelable: boolean) => {
        await this.#store.update(id, { cancelable }, ACTIVE_STATUSES);
      },
      setBlocked: async (blocked: boolean) => {
        const [status, from] = blocked ? (['BLOCKED', 'RUNNING'] as const) : (['RUNNING', 'BLOCKED'] as const);
        await this.#store.update(id, { status, heartbeatAt: this.#clock.now() }, [from]);
      },
    };
  }

  /** Keeps this server's tasks alive, picks up cancel requests made on other nodes, fails orphans. */
  async #beat(): Promise<void> {
    const now = this.#clock.now();
    for (const [id, running] of this.#running) {
      const task = await this.#store.get(id, now);
      if (task?.cancelRequested) running.controller.abort();
      await this.#store.update(id, { heartbeatAt: now }, ACTIVE_STATUSES);
    }
    for (const orphan of await this.#store.listOrphans(now - 3 * this.#policy.heartbeatMs, 100)) {
      await this.reconcile(orphan);
    }
  }
}
