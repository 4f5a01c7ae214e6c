/**
 * The audit log's writer. Recording an event or counting an activity never waits and never
 * fails the request that does it: both are kept in memory and written in one transaction per
 * batch, at most `flushIntervalMs` later (SQLite group commit's idea, applied to a table nobody
 * reads on the hot path). A reader that must see its own writes calls `flush()` first. While the
 * database is unreachable, batches are kept (up to `maxPending` events; older ones are dropped
 * with a warning) and tried again.
 */
import type { Server } from "node:http";
import type { Clock } from "../shared/time.js";
import type { Logger } from "../shared/logger.js";
import type { ActivityCount, AdminStore, AuditEventRow } from "../store/admin-store.js";
import type { ActivityKind, AuditEvent } from "./audit-events.js";
import { UuidV7 } from "../shared/ids.js";

export interface AuditLogOptions {
  /** Longest time an event waits in memory (default 250 ms). */
  flushIntervalMs?: number;
  /** Most events kept while they cannot be written (default 10000). */
  maxPending?: number;
}

const MINUTE_MS = 60_000;
/** Events per transaction: a large backlog is written in several. */
const BATCH_SIZE = 500;
/** A failing database is reported once per this interval, not once per batch. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

export class AuditLog {
  private pending: AuditEventRow[] = [];
  /** `minute \0 kind` → count not yet written. */
  private counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private dropped = 0;
  private failureLoggedAt = 0;
  private readonly flushIntervalMs: number;
  private readonly maxPending: number;
  private readonly ids = new UuidV7();

  constructor(
    private readonly store: Pick<AdminStore, "appendAudit">,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: AuditLogOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.maxPending = options.maxPending ?? 10_000;
  }

  /** Records an event, written with the next batch. */
  record(event: AuditEvent): void {
    if (this.closed) return;
    this.pending.push({
      ...this.nextId(),
      kind: event.kind,
      actorType: event.actor.type,
      actorId: event.actor.id,
      userId: event.userId ?? null,
      ip: event.ip ?? null,
      details: JSON.stringify(event.details ?? {}),
    });
    if (this.pending.length > this.maxPending) {
      this.dropped += this.pending.length - this.maxPending;
      this.pending.splice(0, this.pending.length - this.maxPending);
    }
    this.schedule();
  }

  /**
   * The event's time and a UUIDv7 id (uuid.ts) whose 12-bit `rand_a` is a sequence within the
   * millisecond: ids sort as events were recorded on this node, so events of one millisecond (a
   * ban and the sessions it ends) list in order, newest first.
   */
  private nextId(): { id: string; time: number } {
    const now = this.clock.now();
    return { id: this.ids.next(now), time: now };
  }

  /** Counts one occurrence of an activity in the current minute. */
  count(kind: ActivityKind, n = 1): void {
    if (this.closed) return;
    const key = `${Math.floor(this.clock.now() / MINUTE_MS) * MINUTE_MS}\u0000${kind}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
    this.schedule();
  }

  /** Writes everything recorded so far; rejects (keeping it for the next try) when the store fails. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0 && this.counts.size === 0) return;
    this.flushing = this.write().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /** Stops the timer and writes what is left (a failure is logged: those events are lost). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.flush();
    } catch (err) {
      this.logger.error("audit events could not be written at shutdown", { events: this.pending.length, error: String(err) });
    }
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().then(
        () => {
          if (this.pending.length > 0 || this.counts.size > 0) this.schedule();
        },
        (err: unknown) => {
          const now = this.clock.now();
          if (now - this.failureLoggedAt >= FAILURE_LOG_INTERVAL_MS) {
            this.failureLoggedAt = now;
            this.logger.warn("audit events could not be written; kept for the next try", { events: this.pending.length, error: String(err) });
          }
          this.schedule();
        },
      );
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    if (this.dropped > 0) {
      this.logger.warn("audit events dropped: the database could not take them in time", { dropped: this.dropped });
      this.dropped = 0;
    }
    while (this.pending.length > 0 || this.counts.size > 0) {
      const events = this.pending.splice(0, BATCH_SIZE);
      const counts: ActivityCount[] = [...this.counts].map(([key, count]) => {
        const [minute, kind] = key.split("\u0000") as [string, string];
        return { minute: Number(minute), kind, count };
      });
      this.counts.clear();
      try {
        await this.store.appendAudit(events, counts);
      } catch (err) {
        // Back in front, in order, for the next try; counts add up again.
        this.pending.unshift(...events);
        for (const c of counts) {
          const key = `${c.minute}\u0000${c.kind}`;
          this.counts.set(key, (this.counts.get(key) ?? 0) + c.count);
        }
        throw err;
      }
    }
  }
}

/** Counts every answer with a 5xx status as `server_error` (the dashboard's error rate). */
export function countServerErrors(server: Server, audit: AuditLog): void {
  server.on("request", (_req, res) => {
    res.once("finish", () => {
      if (res.statusCode >= 500) audit.count("server_error");
    });
  });
}
