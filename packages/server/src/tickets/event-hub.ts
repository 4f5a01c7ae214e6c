/**
 * Wakes long-polling validators on this node when one of their auth sessions gets a response. It
 * follows the bus, so a response decided on any node wakes the poller wherever it waits; the
 * poller then reads the database, the source of truth.
 */
import type { Bus } from "../cluster/bus.js";

export class AuthSessionEventHub {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(bus: Bus) {
    this.unsubscribe = bus.subscribe((message) => {
      if (message.type === "auth_session_event") this.wake(message.validatorSessionId);
    });
  }

  /**
   * A promise that settles when an event for `validatorSessionId` is announced, after `ms`, when
   * `signal` aborts, or at shutdown, whichever comes first. Register before reading the database
   * so an event landing between the read and the wait is not missed.
   */
  waiter(validatorSessionId: string, ms: number, signal?: AbortSignal): { promise: Promise<void>; cancel(): void } {
    if (this.closed || signal?.aborted || ms <= 0) return { promise: Promise.resolve(), cancel() {} };
    let done!: () => void;
    const promise = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(() => finish(), ms);
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      const set = this.waiters.get(validatorSessionId);
      set?.delete(finish);
      if (set?.size === 0) this.waiters.delete(validatorSessionId);
      done();
    };
    signal?.addEventListener("abort", finish, { once: true });
    let set = this.waiters.get(validatorSessionId);
    if (!set) this.waiters.set(validatorSessionId, (set = new Set()));
    set.add(finish);
    return { promise, cancel: finish };
  }

  /** True once closed: waits settle at once, so pollers stop waiting. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Settles every wait: used at shutdown so long polls answer at once. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const set of [...this.waiters.values()]) for (const finish of [...set]) finish();
  }

  private wake(validatorSessionId: string): void {
    for (const finish of [...(this.waiters.get(validatorSessionId) ?? [])]) finish();
  }
}
