/**
 * At most `concurrency` tasks at once, at most `queueLimit` waiting; past that a task is refused
 * at once (`OverloadedError`) instead of waiting without bound. Used around password hashing, so
 * a flood of email sign-ins costs bounded memory and CPU, and the excess fails fast.
 */

export class OverloadedError extends Error {
  constructor(readonly what: string) {
    super(`${what}: too many waiting`);
    this.name = "OverloadedError";
  }
}

export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
    private readonly what = "task",
  ) {
    if (!(Number.isSafeInteger(concurrency) && concurrency >= 1) || !(Number.isSafeInteger(queueLimit) && queueLimit >= 0)) {
      throw new RangeError("concurrency must be at least 1 and queueLimit at least 0");
    }
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` when a slot is free; rejects with `OverloadedError` at once if the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else if (this.waiting.length < this.queueLimit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw new OverloadedError(this.what);
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
