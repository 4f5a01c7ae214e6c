/**
 * The one shutdown list of a process: whatever is started registers how to stop it, right after
 * starting it, and `run` stops everything in the reverse order. So the server, every CLI command
 * and a start-up that fails half-way all release the same things in the same order (the audit
 * log is flushed while the store is still open, the bus closes before the store, ...), and a part
 * added later cannot be forgotten on one of those paths.
 */

/** What `run` is given: how long in-flight work may still take. */
export interface ShutdownContext {
  /** Milliseconds requests and sockets are given to finish before they are cut. */
  readonly graceMs: number;
}

export type ShutdownStep = (context: ShutdownContext) => void | Promise<void>;

export class ShutdownList {
  private readonly steps: { name: string; stop: ShutdownStep }[] = [];
  private running: Promise<void> | undefined;

  /** Registers a step; steps run last-registered first. `name` says what it stops (for readers and errors). */
  add(name: string, stop: ShutdownStep): void {
    if (this.running) throw new Error(`shutdown already started; cannot add "${name}"`);
    this.steps.push({ name, stop });
  }

  /**
   * Runs every step once, in reverse order of registration, each awaited before the next. A step
   * that fails does not stop the ones after it (a store must still close when the bus would not);
   * the first failure is thrown, as it was thrown, once all have run. Calling again returns the
   * same promise.
   */
  run(context: ShutdownContext = { graceMs: 0 }): Promise<void> {
    this.running ??= (async () => {
      const failures: unknown[] = [];
      for (const { stop } of [...this.steps].reverse()) {
        try {
          await stop(context);
        } catch (err) {
          failures.push(err);
        }
      }
      if (failures.length > 0) throw failures[0];
    })();
    return this.running;
  }
}
