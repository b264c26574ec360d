import { describe, expect, it } from 'vitest';
import { QueueFullError, WorkQueue } from './work-queue.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('a work queue', () => {
  it('runs at most its concurrency at once, in order, and refuses beyond the waiting room', async () => {
    const queue = new WorkQueue(2, 2);
    const gates = Array.from({ length: 4 }, gate);
    const started: number[] = [];
    const jobs = gates.map((g, i) =>
      queue.run(async () => {
        started.push(i);
        await g.opened;
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(queue.depth).toBe(2);
    await expect(queue.run(async () => 'late')).rejects.toBeInstanceOf(QueueFullError);
    gates[1]!.open();
    await jobs[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3]);
    expect(queue.depth).toBe(0);
    expect(await queue.run(async () => 'again')).toBe('again');
  });

  it('frees the slot of a job that fails', async () => {
    const queue = new WorkQueue(1, 0);
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 'next')).toBe('next');
  });
});
