/**
 * Counting attempts per key in a sliding window: the `RateLimiter` interface, and its in-memory
 * implementation for one node. A limiter shared by every node (counters in Redis, the same
 * two-window estimate with INCR and PEXPIRE) implements the same interface; nothing else changes.
 */
import type { Clock } from "../shared/time.js";

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSec: number };

export interface RateLimiter {
  /**
   * Counts one attempt for `key` if it fits under the limit. A refused attempt is not counted, so
   * `retryAfterSec` is exact: a client that waits that long gets in (unless others used the key meanwhile).
   */
  attempt(key: string): Promise<RateDecision>;
}

export interface MemoryRateLimiterOptions {
  /** Attempts allowed per window (at least 1). */
  limit: number;
  windowMs: number;
  /**
   * Most keys held. Past it the least recently used key is forgotten, so an attacker rotating
   * addresses or identifiers grows memory to this bound and no further.
   */
  maxKeys: number;
  clock: Clock;
}

interface Entry {
  /** Start of the current window (ms). */
  start: number;
  /** Attempts counted in the current window. */
  count: number;
  /** Attempts counted in the window before it. */
  previous: number;
}

const ALLOWED: RateDecision = { allowed: true };

/**
 * The sliding-window counter (two fixed windows, the previous one weighted by how much of it
 * still overlaps the sliding window): O(1) time and three numbers per key. Keys live in a Map in
 * least-recently-used order; each attempt also drops up to two expired keys from the old end,
 * so idle keys go away without a timer.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: MemoryRateLimiterOptions) {
    if (!(options.limit >= 1) || !(options.windowMs > 0) || !(options.maxKeys >= 1)) throw new RangeError("limit, windowMs and maxKeys must be positive");
  }

  /** Keys currently held (bounded by `maxKeys`). */
  get size(): number {
    return this.entries.size;
  }

  async attempt(key: string): Promise<RateDecision> {
    return this.attemptNow(key);
  }

  /** The synchronous core of `attempt` (one node needs no I/O). */
  attemptNow(key: string): RateDecision {
    const { limit, windowMs } = this.options;
    const now = this.options.clock.now();
    this.dropExpired(now);
    let entry = this.entries.get(key);
    if (entry) roll(entry, now, windowMs);
    else entry = { start: now, count: 0, previous: 0 };

    const overlap = 1 - (now - entry.start) / windowMs;
    if (entry.previous * overlap + entry.count + 1 > limit) return { allowed: false, retryAfterSec: retryAfterSec(entry, now, limit, windowMs) };
    entry.count++;
    // Re-inserting moves the key to the recent end.
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, entry);
    return ALLOWED;
  }

  private dropExpired(now: number): void {
    const windowMs = this.options.windowMs;
    for (let i = 0; i < 2; i++) {
      const oldest = this.entries.entries().next();
      if (oldest.done) return;
      const [key, entry] = oldest.value;
      // Both windows over: the key no longer limits anything.
      if (now - entry.start < 2 * windowMs) return;
      this.entries.delete(key);
    }
  }
}

/** Moves an entry's windows forward to the one holding `now`. */
function roll(e: Entry, now: number, windowMs: number): void {
  if (now < e.start + windowMs) return;
  const windows = Math.floor((now - e.start) / windowMs);
  e.previous = windows === 1 ? e.count : 0;
  e.count = 0;
  e.start += windows * windowMs;
}

/** Seconds until one more attempt fits, if nobody else uses the key meanwhile (at least 1). */
function retryAfterSec(e: Entry, now: number, limit: number, windowMs: number): number {
  let at: number;
  if (e.count + 1 <= limit) {
    // Still this window: wait until enough of the previous window has slid out.
    at = e.start + windowMs * (1 - (limit - e.count - 1) / e.previous);
  } else {
    // The next window: this window's count becomes the sliding-out previous one.
    at = e.start + windowMs + windowMs * (1 - (limit - 1) / e.count);
  }
  return Math.max(1, Math.ceil((at - now) / 1000));
}
