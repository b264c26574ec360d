import cluster, { type Worker } from 'node:cluster';
import type { AuditEvent, AuditTrail } from '../observability/audit-trail.js';
import type { TaskRunner } from '../tasks/task-runner.js';

/** A log line in the servers' JSON shape (the primary runs no Fastify). */
function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  const levels = { info: 30, warn: 40, error: 50 };
  process.stdout.write(`${JSON.stringify({ level: levels[level], time: Date.now(), pid: process.pid, ...fields, msg })}\n`);
}

/** What workers and the primary tell each other. */
type ClusterMessage =
  | { type: 'listening'; url: string }
  | { type: 'failed'; error: string }
  | { type: 'cancel'; task: string }
  | { type: 'audit'; event: AuditEvent }
  | { type: 'stop' };

/**
 * A send to a worker that is exiting meanwhile (a failed start, a crash) fails with a closed channel;
 * with a callback that is handed to it instead of crashing the primary with an 'error' event.
 */
const ignoreGone = (): void => undefined;

function messageOf(message: unknown): ClusterMessage | undefined {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' ? (message as ClusterMessage) : undefined;
}

/**
 * The primary of `--workers N`: forks N workers that share the port, prints one listening line once
 * all listen, replaces a worker that dies (its unfinished tasks are failed by the others' heartbeat
 * check, as after any crash), and on SIGTERM or SIGINT lets every worker drain, then exits 0.
 * A worker that fails before the server is up stops the start with its exit code, and the first
 * such worker's error is printed (once: workers that cannot start usually all fail alike).
 */
export function runPrimary(count: number): Promise<void> {
  const listening = new Set<number>();
  let announced = false;
  let failureShown = false;
  let stopping = false;
  let exitCode = 0;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (raw: unknown) => {
      const message = messageOf(raw);
      if (message?.type === 'cancel' || message?.type === 'audit') {
        // A cancel recorded by one worker for a task another runs: every other worker checks its own.
        // An audit event: every other worker keeps it among the node's latest.
        for (const other of Object.values(cluster.workers ?? {})) if (other && other !== worker && other.isConnected()) other.send(message, ignoreGone);
      }
      if (message?.type === 'failed' && !failureShown) {
        failureShown = true;
        process.stderr.write(message.error);
      }
      if (message?.type !== 'listening') return;
      listening.add(worker.id);
      if (announced) log('info', 'a replacement worker is serving', { worker: worker.process.pid });
      else if (listening.size === count) {
        announced = true;
        log('info', `Server listening at ${message.url}`, { workers: count });
      }
    });
    return worker;
  };

  const stopAll = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutting down', { signal: reason, workers: Object.keys(cluster.workers ?? {}).length });
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send({ type: 'stop' } satisfies ClusterMessage, ignoreGone);
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  };

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    if (stopping) {
      // The first failure's code stands (a worker that could not start exits as the CLI would: 2 for a bad option).
      if (code !== 0 && signal === null && exitCode === 0) exitCode = code;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    if (!announced) {
      exitCode = typeof code === 'number' && code > 0 ? code : 1;
      log('error', 'a worker failed to start; stopping', { code, signal });
      stopAll('startup failure');
      return;
    }
    log('warn', 'a worker exited; starting another', { code, signal });
    fork();
  });

  process.once('SIGTERM', () => stopAll('SIGTERM'));
  process.once('SIGINT', () => stopAll('SIGINT'));
  // Log rotation: every worker reopens its audit log.
  process.on('SIGHUP', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
  });
  for (let i = 0; i < count; i++) fork();
  // Runs until the process exits from the handlers above.
  return new Promise(() => undefined);
}

/**
 * In a worker: tells the primary where it listens, passes on cancels of tasks that run in another
 * worker and, with an audit log (`audit`), its audit events, so that every worker keeps the node's
 * latest events; stops when the primary asks or goes away.
 */
export function joinPrimary(url: string, tasks: TaskRunner, audit: AuditTrail | undefined, stop: () => void): void {
  tasks.relayCancels((task) => process.send?.({ type: 'cancel', task } satisfies ClusterMessage));
  audit?.observe((event) => process.send?.({ type: 'audit', event } satisfies ClusterMessage));
  process.on('message', (raw: unknown) => {
    const message = messageOf(raw);
    if (message?.type === 'stop') stop();
    if (message?.type === 'cancel') tasks.abortHere(message.task);
    if (message?.type === 'audit') audit?.remember(message.event);
  });
  process.once('disconnect', stop);
  process.send?.({ type: 'listening', url } satisfies ClusterMessage);
}

/** In a worker that could not start: hands its error to the primary to print, before the worker exits. */
export function reportStartFailure(error: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.send) process.send({ type: 'failed', error } satisfies ClusterMessage, () => resolve());
    else resolve();
  });
}
