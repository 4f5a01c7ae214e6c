/**
 * `ManualTime`: a clock and timers for the SDK that only move when a test says so. `advance(ms)`
 * walks time forward timer by timer: each due timer fires at its own time, in order, and between
 * two timers the promise chains it started settle (and, with `busy`, the real requests they made
 * are answered) before the next one is looked at — as if the time had really passed. Clocks of
 * other parts (the server's `TestClock`) can be linked so both sides see the same time.
 */
import type { Clock, TimerHandle, Timers } from "../../src/index.js";

/** Anything else that must move with this time: the server's `TestClock`. */
export interface LinkedClock {
  advance(ms: number): void;
}

interface Pending {
  readonly handle: { readonly id: number };
  readonly at: number;
  readonly fn: () => void;
}

export interface ManualTimeOptions {
  /** Start time in ms since the epoch (default: the real time now). */
  start?: number;
  /** Whether real work is still under way (say, requests awaiting answers): `advance` waits for it between timers. */
  busy?: () => boolean;
  /** How long, in real ms, `advance` waits for `busy` to clear before it fails (default 15000). */
  busyTimeoutMs?: number;
}

export class ManualTime implements Clock, Timers {
  private current: number;
  private nextId = 0;
  private readonly pending: Pending[] = [];
  private readonly linked: LinkedClock[] = [];
  private busy: () => boolean;
  private readonly busyTimeoutMs: number;

  constructor(options: ManualTimeOptions = {}) {
    this.current = options.start ?? Date.now();
    this.busy = options.busy ?? (() => false);
    this.busyTimeoutMs = options.busyTimeoutMs ?? 15_000;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = { id: ++this.nextId };
    this.pending.push({ handle, at: this.current + Math.max(0, ms), fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    const i = this.pending.findIndex((p) => p.handle === handle);
    if (i >= 0) this.pending.splice(i, 1);
  }

  /** Timers set and neither fired nor cleared. */
  get pendingTimers(): number {
    return this.pending.length;
  }

  /** Moves `clock` (the server's) forward with this time from now on. */
  link(clock: LinkedClock): this {
    this.linked.push(clock);
    return this;
  }

  /** Also waits for `busy` (in addition to any given before) between timers. */
  waitWhile(busy: () => boolean): this {
    const before = this.busy;
    this.busy = () => before() || busy();
    return this;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way at its own time (a timer set by
   * one that fired is fired too if it falls due within `ms`), and lets the work they start settle.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms}): time only moves forward`);
    const target = this.current + ms;
    await this.settle();
    for (;;) {
      const next = this.earliestDue(target);
      if (!next) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.moveTo(Math.max(this.current, next.at));
      next.fn();
      await this.settle();
    }
    this.moveTo(target);
    await this.settle();
  }

  /** Advances in `stepMs` steps until `condition` holds; fails after `maxMs` of this time. */
  async advanceUntil(condition: () => boolean, what: string, maxMs: number, stepMs = 100): Promise<void> {
    let moved = 0;
    while (!condition()) {
      if (moved >= maxMs) throw new Error(`ManualTime: ${what} did not happen within ${maxMs} ms`);
      await this.advance(stepMs);
      moved += stepMs;
    }
  }

  private earliestDue(target: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) if (p.at <= target && (!best || p.at < best.at)) best = p;
    return best;
  }

  private moveTo(at: number): void {
    const delta = at - this.current;
    if (delta <= 0) return;
    this.current = at;
    for (const clock of this.linked) clock.advance(delta);
  }

  /** Lets promise chains run (several macrotask turns, so I/O callbacks get in too), then waits out `busy`. */
  private async settle(): Promise<void> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (;;) {
      for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.busy()) return;
      if (Date.now() > deadline) throw new Error(`ManualTime: still busy after ${this.busyTimeoutMs} real ms`);
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
  }
}
