/**
 * The database poll: the bus's fallback for revocations on a database several nodes share. While
 * the bus does not reach the other nodes (Redis unreachable, or no Redis at all), this node reads
 * the sessions revoked since its cursor about every second and replays them to its own subscribers
 * as `sessions_revoked` (`Bus.deliverLocally`): its sockets of those sessions close, and anything
 * else that follows the bus on this node (a session cache) hears them the same way. Right after
 * the bus (re)connects it polls once, to catch up on what was published while this node could not
 * hear it. While the bus is healthy it still polls every 10 s, as a safety net: Redis pub/sub
 * delivers at most once, and a node cut off from Redis on its own cannot tell the others.
 *
 * Clock skew: `revoked_at` is written with the clock of the node that revoked. The cursor is the
 * newest `revoked_at` read, never later than this node's own clock, and every poll reads again an
 * overlap window (10 s) before it, so a revocation stamped by a node whose clock lags, or committed
 * late, is still found. Session ids already replayed, or already heard on the bus, are not replayed
 * again; subscribers treat the messages as idempotent all the same.
 */
import type { Clock } from "../shared/time.js";
import type { Logger } from "../shared/logger.js";
import { StoreUnavailableError, type RevocationReason, type RevokedSession, type RevokedSessionCursor, type Store } from "../store/store.js";
import type { Bus, BusMessage } from "./bus.js";

/** What the poll needs from the database. */
export type RevokedSessionSource = Pick<Store, "listRevokedSessions">;

export interface RevocationPollOptions {
  source: RevokedSessionSource;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Interval while the bus does not reach the other nodes (default 1000 ms). */
  intervalMs?: number;
  /** Interval while it does: the safety net (default 10000 ms). */
  healthyIntervalMs?: number;
  /** How far before the cursor each poll reads again: the clock difference tolerated between nodes (default 10000 ms). */
  overlapMs?: number;
  /** Rows per query (default 500); a poll reads pages until one comes back short. */
  pageSize?: number;
}

export const POLL_INTERVAL_MS = 1000;
export const HEALTHY_POLL_INTERVAL_MS = 10_000;
export const POLL_OVERLAP_MS = 10_000;

export class RevocationPoller {
  private readonly source: RevokedSessionSource;
  private readonly bus: Bus;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly healthyIntervalMs: number;
  private readonly overlapMs: number;
  private readonly pageSize: number;
  /** Newest `revoked_at` read, capped at this node's clock; each poll starts `overlapMs` before it. */
  private cursor: number;
  /** Session ids read from the database, by `revoked_at`: not replayed twice; dropped once below the window. */
  private readonly replayed = new Map<string, number>();
  /** Session ids heard on the bus, by this node's time of hearing: the poll does not repeat them. */
  private readonly heard = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** The bus epoch last caught up with; a new one means a (re)connection, so poll once. */
  private caughtUpEpoch: number | undefined;
  private lastPollAt = 0;
  private failing = false;

  constructor(options: RevocationPollOptions) {
    this.source = options.source;
    this.bus = options.bus;
    this.clock = options.clock;
    this.logger = options.logger;
    this.intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
    this.healthyIntervalMs = options.healthyIntervalMs ?? HEALTHY_POLL_INTERVAL_MS;
    this.overlapMs = options.overlapMs ?? POLL_OVERLAP_MS;
    this.pageSize = options.pageSize ?? 500;
    this.cursor = this.clock.now();
    const health = this.bus.health();
    // Connected from the start: nothing was missed yet.
    if (health.state === "connected") this.caughtUpEpoch = health.epoch;
    this.unsubscribe = this.bus.subscribe((message) => this.hear(message));
  }

  /** Starts polling on a timer (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a poll in progress. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe();
    await this.running;
  }

  /**
   * One poll: reads the revocations from the window, replays those not yet replayed or heard, and
   * advances the cursor. Returns how many sessions it replayed. Throws what the store throws.
   */
  async poll(): Promise<number> {
    const now = this.clock.now();
    const since = Math.min(this.cursor, now) - this.overlapMs;
    let newest = this.cursor;
    const fresh: RevokedSession[] = [];
    let after: RevokedSessionCursor | undefined;
    for (;;) {
      const page = await this.source.listRevokedSessions(since, after, this.pageSize);
      for (const row of page) {
        newest = Math.max(newest, row.revokedAt);
        if (this.replayed.has(row.id)) continue;
        this.replayed.set(row.id, row.revokedAt);
        if (!this.heard.has(row.id)) fresh.push(row);
      }
      const last = page.at(-1);
      if (page.length < this.pageSize || !last) break;
      after = { revokedAt: last.revokedAt, id: last.id };
    }
    this.cursor = Math.max(this.cursor, Math.min(newest, now));
    this.forget(now);
    this.lastPollAt = now;
    for (const message of revocationMessages(fresh)) this.bus.deliverLocally(message);
    return fresh.length;
  }

  private async tick(): Promise<void> {
    if (this.running) return; // A slow database: the poll in progress covers this tick.
    const health = this.bus.health();
    const catchUp = health.state === "connected" && health.epoch !== this.caughtUpEpoch;
    const due = health.state !== "connected" || catchUp || this.clock.now() - this.lastPollAt >= this.healthyIntervalMs;
    if (!due) return;
    this.running = (async () => {
      try {
        const replayed = await this.poll();
        if (health.state === "connected") this.caughtUpEpoch = health.epoch;
        if (this.failing) {
          this.failing = false;
          this.logger.info("revocation poll: the database answers again");
        }
        if (replayed > 0) {
          const message = `revocation poll: replayed ${replayed} revoked session(s) the bus had not delivered to this node`;
          // Through a healthy bus, nothing should be left to replay: the bus lost news, worth knowing.
          if (health.state === "connected" && !catchUp) this.logger.info(message);
          else this.logger.debug(message);
        }
      } catch (err) {
        if (!this.failing) {
          this.failing = true;
          const what = err instanceof StoreUnavailableError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
          this.logger.warn(`revocation poll: cannot read revocations (${what}); retrying every ${this.intervalMs} ms`);
        }
      } finally {
        this.running = undefined;
      }
    })();
    await this.running;
  }

  private hear(message: BusMessage): void {
    if (message.type !== "sessions_revoked") return;
    const now = this.clock.now();
    for (const id of message.sessionIds) this.heard.set(id, now);
  }

  /** Drops what no later poll can read again (or, for ids heard on the bus, what it has long had the chance to). */
  private forget(now: number): void {
    const floor = Math.min(this.cursor, now) - this.overlapMs;
    for (const [id, revokedAt] of this.replayed) if (revokedAt < floor) this.replayed.delete(id);
    const heardFloor = now - (2 * this.overlapMs + this.healthyIntervalMs);
    for (const [id, at] of this.heard) if (at < heardFloor) this.heard.delete(id);
  }
}

/** One `sessions_revoked` message per account and reason, as `session/revocation.ts` would have published. */
function revocationMessages(rows: readonly RevokedSession[]): BusMessage[] {
  const groups = new Map<string, { userId: string; reason: RevocationReason; sessionIds: string[] }>();
  for (const row of rows) {
    const key = `${row.accountId}\u0000${row.reason}`;
    const group = groups.get(key) ?? { userId: row.accountId, reason: row.reason, sessionIds: [] };
    group.sessionIds.push(row.id);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ type: "sessions_revoked", userId: g.userId, sessionIds: g.sessionIds, reason: g.reason }));
}
