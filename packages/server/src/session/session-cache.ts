/**
 * A short-lived, per-node cache of session rows for the bearer check, the read every authenticated
 * request makes. Entries live `ttlMs` at most, and the bus's `sessions_revoked` news (published
 * synchronously on a single node, replayed by the database poll in a cluster) drops them at once.
 * A read that started before a revocation cannot re-insert the revoked row afterwards: revoked ids
 * are remembered for one TTL and refused on insert. The refresh path never uses the cache.
 *
 * On by default only where this node is the only writer of sessions (the embedded SQLite store),
 * so revocation stays immediate; on a shared database it is off unless configured, and its TTL is
 * then the staleness bound of a revocation made on another node (docs/deployment.md).
 */
import type { Bus } from "../cluster/bus.js";
import type { Clock } from "../core.js";
import type { SessionRow } from "../store/store.js";

interface Entry {
  row: SessionRow;
  expiresAt: number;
}

/** Bounded memory: the oldest entries go first past this many. */
const MAX_ENTRIES = 100_000;

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly revoked = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(private readonly ttlMs: number, private readonly clock: Clock, bus: Bus) {
    this.unsubscribe = bus.subscribe((message) => {
      if (message.type === "sessions_revoked") this.invalidate(message.sessionIds);
    });
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The cached row, or undefined (absent or expired). */
  get(id: string): SessionRow | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.row;
  }

  /** Caches a row read at `readAt` (the clock before the read began) unless it was revoked since. */
  set(row: SessionRow, readAt: number): void {
    if (!this.enabled || row.revokedAt !== null) return;
    const revokedAt = this.revoked.get(row.id);
    if (revokedAt !== undefined && revokedAt >= readAt) return;
    if (this.entries.size >= MAX_ENTRIES) this.evict();
    this.entries.set(row.id, { row, expiresAt: readAt + this.ttlMs });
  }

  invalidate(ids: readonly string[]): void {
    if (!this.enabled) return;
    const now = this.clock.now();
    for (const id of ids) {
      this.entries.delete(id);
      this.revoked.set(id, now);
    }
    if (this.revoked.size > MAX_ENTRIES) this.forgetOldRevocations(now);
  }

  close(): void {
    this.unsubscribe();
    this.entries.clear();
    this.revoked.clear();
  }

  private evict(): void {
    const now = this.clock.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
    // Still full: drop the oldest tenth (Map keeps insertion order).
    if (this.entries.size >= MAX_ENTRIES) {
      let drop = Math.ceil(MAX_ENTRIES / 10);
      for (const id of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(id);
      }
    }
    this.forgetOldRevocations(now);
  }

  private forgetOldRevocations(now: number): void {
    for (const [id, at] of this.revoked) if (at + this.ttlMs < now) this.revoked.delete(id);
  }
}
