/**
 * Time as the SDK sees it: a `Clock` to read and `Timers` to schedule with. Every SDK class that
 * measures or waits takes both as options and defaults to the real ones; a game engine with a loop
 * of its own, or a test that moves time by hand, passes others.
 */

/** Reads the time. */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /**
   * A monotonic reading in milliseconds, like `performance.now()`, when the clock has one. Elapsed
   * time is then the larger of the two differences (see `Stopwatch`).
   */
  monotonic?(): number;
}

/** What `Timers.setTimeout` returns: only ever passed back to `clearTimeout`. */
export type TimerHandle = object | number;

/** Schedules callbacks. */
export interface Timers {
  /** Calls `fn` once after `ms` milliseconds. The real timers do not keep a Node process alive for it. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending call; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The options of the SDK classes that measure or wait. */
export interface TimeOptions {
  /** Where the time comes from (default: the device's clock). */
  clock?: Clock;
  /** What schedules refreshes, renewals and retries (default: the runtime's timers). */
  timers?: Timers;
}

/**
 * The device's clock: `Date.now()`, and `performance.now()` where there is one.
 *
 * @example
 * const client = new Client({ url, serverKey, clock: systemClock });
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => (typeof performance !== "undefined" ? performance.now() : Date.now()),
};

/**
 * The runtime's `setTimeout` and `clearTimeout`; in Node the timers are unref'd, so a pending
 * refresh never keeps a finished program alive.
 *
 * @example
 * const client = new Client({ url, serverKey, timers: systemTimers });
 */
export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
