/** A clock tests move forward: starts at the real time, `advance(ms)` jumps ahead. */
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
