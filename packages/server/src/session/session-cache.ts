/**
 * A short-lived, per-node cache of live sessions for the bearer check, the read every
 * authenticated request makes. It keeps only what the check needs (the session's account) for
 * `ttlMs` at most, and the bus's `sessions_revoked` news (published synchronously on a single
 * node, replayed by the database poll in a cluster) drops entries at once. A read that started
 * before a revocation cannot re-insert the revoked session afterwards: revoked ids are remembered
 * for one TTL and refused on insert. The refresh path never uses the cache.
 *
 * On by default only where this node is the only writer of sessions (the embedded SQLite store),
 * so revocation stays immediate; on a shared database it is off unless configured, and its TTL is
 * then the staleness bound of a revocation made on another node (docs/deployment.md). Memory is
 * bounded: expired entries are swept every TTL, and past `MAX_ENTRIES` the oldest go first.
 */
import type { Bus } from "../cluster/bus.js";
import type { Clock } from "../shared/time.js";

interface Entry {
  accountId: string;
  expiresAt: number;
}

const MAX_ENTRIES = 100_000;

export class SessionCache {
  /** Insertion order is expiry order (one TTL for all), so sweeps stop at the first live entry. */
  private readonly entries = new Map<string, Entry>();
  private readonly revoked = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private readonly sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    bus: Bus,
  ) {
    this.unsubscribe = bus.subscribe((message) => {
      if (message.type === "sessions_revoked") this.invalidate(message.sessionIds);
    });
    if (ttlMs > 0) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(ttlMs, 250));
      this.sweeper.unref();
    }
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** Entries held (live or not yet swept). */
  get size(): number {
    return this.entries.size;
  }

  /** The account of a session known live within the TTL, or undefined (read the store). */
  accountOf(sessionId: string): string | undefined {
    const entry = this.entries.get(sessionId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return entry.accountId;
  }

  /** Remembers a live session read at `readAt` (the clock before the read began) unless it was revoked since. */
  remember(sessionId: string, accountId: string, readAt: number): void {
    if (!this.enabled) return;
    const revokedAt = this.revoked.get(sessionId);
    if (revokedAt !== undefined && revokedAt >= readAt) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    // Re-inserting keeps insertion order equal to expiry order.
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { accountId, expiresAt: readAt + this.ttlMs });
  }

  invalidate(ids: readonly string[]): void {
    if (!this.enabled) return;
    const now = this.clock.now();
    for (const id of ids) {
      this.entries.delete(id);
      this.revoked.delete(id);
      this.revoked.set(id, now);
    }
    if (this.revoked.size > MAX_ENTRIES) this.revoked.delete(this.revoked.keys().next().value as string);
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.unsubscribe();
    this.entries.clear();
    this.revoked.clear();
  }

  /** Drops expired entries and tombstones older than a TTL, oldest first. */
  sweep(): void {
    const now = this.clock.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(id);
    }
    for (const [id, at] of this.revoked) {
      if (at + this.ttlMs >= now) break;
      this.revoked.delete(id);
    }
  }
}
