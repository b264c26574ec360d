/** Thrown when a bounded queue has no room: the client sees SERVICE_UNAVAILABLE and may try again. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

/**
 * Runs at most `concurrency` jobs at once; up to `maxWaiting` more wait their turn, in order, and
 * any beyond that are refused at once with QueueFullError: work is bounded, never an unbounded backlog.
 */
export class WorkQueue {
  readonly #concurrency: number;
  readonly #maxWaiting: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(concurrency: number, maxWaiting: number) {
    this.#concurrency = Math.max(1, concurrency);
    this.#maxWaiting = Math.max(0, maxWaiting);
  }

  /** Jobs waiting for a free slot. */
  get depth(): number {
    return this.#waiting.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) {
      if (this.#waiting.length >= this.#maxWaiting) throw new QueueFullError('the work queue is full');
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await job();
    } finally {
      // The slot passes straight to the next waiter, or is freed.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
