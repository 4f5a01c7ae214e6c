/**
 * Clocks tests move forward. `TestClock` starts at the real time and keeps running with it;
 * `advance(ms)` jumps ahead (a whole server, where real work also takes time). `FrozenClock`
 * stands still until moved (arithmetic of one part: limiter windows, cache lifetimes).
 */
import type { Clock } from "../../src/shared/time.js";

export class TestClock implements Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

export class FrozenClock implements Clock {
  /** The time it shows, in ms; a test may also set it directly. */
  constructor(public t: number = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
