/**
 * When to refresh, when to give up, and how often to retry — all derived from the access token's
 * own lifetime (`exp - iat`), never from comparing the device clock with the server's.
 *
 * For an hour-long token this is Unity's schedule: refresh 300 s before the end, treat the token
 * as expired 15 s before it, retry transport errors every 30 s in between. Shorter tokens scale
 * down proportionally: the refresh buffer is a quarter of the lifetime (at most 300 s), the expiry
 * margin an eighth (at most 15 s), and retries come four times within the window between the two
 * (at most every 30 s). A 4 s token refreshes after 3 s and expires after 3.5 s.
 */
import type { Clock } from "./clock.js";

export interface RefreshTiming {
  /** Seconds after receipt at which to refresh. */
  refreshAfterSec: number;
  /** Seconds after receipt at which the access token counts as expired. */
  expireAfterSec: number;
  /** Seconds between retries after a transport error. */
  retryIntervalSec: number;
}

/**
 * The schedule for a token of `lifetimeSec` seconds (its `exp - iat`).
 *
 * @example
 * refreshTiming(3600); // { refreshAfterSec: 3300, expireAfterSec: 3585, retryIntervalSec: 30 }
 * refreshTiming(4);    // { refreshAfterSec: 3, expireAfterSec: 3.5, retryIntervalSec: 0.125 }
 */
export function refreshTiming(lifetimeSec: number): RefreshTiming {
  const life = Math.max(lifetimeSec, 1);
  const refreshAfterSec = life - Math.min(300, life / 4);
  const expireAfterSec = life - Math.min(15, life / 8);
  const retryIntervalSec = Math.min(30, Math.max((expireAfterSec - refreshAfterSec) / 4, 0.05));
  return { refreshAfterSec, expireAfterSec, retryIntervalSec };
}

/**
 * Measures time since a token was received with both a monotonic clock and the wall clock, and
 * takes the larger: a monotonic clock can stand still while a device sleeps, and the wall clock can
 * be set back; the larger of the two is never early. Only differences are used, so a device clock
 * that is wrong by hours does not matter. A clock without a monotonic reading is used alone.
 */
export class Stopwatch {
  private readonly mono: number | undefined;
  private readonly wall: number;

  constructor(private readonly clock: Clock) {
    this.mono = clock.monotonic?.();
    this.wall = clock.now();
  }

  elapsedSec(): number {
    const wall = this.clock.now() - this.wall;
    const mono = this.mono === undefined ? wall : (this.clock.monotonic?.() ?? this.mono) - this.mono;
    return Math.max(mono, wall) / 1000;
  }
}
