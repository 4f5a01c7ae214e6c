/**
 * Follows one validator session's auth session events with the server's long-poll pull API (Node
 * 20 has no global WebSocket, and the SDK has no dependencies). It polls only while its owner has
 * auth sessions awaiting responses; it acknowledges handled events on the next poll and passes each
 * event on once although delivery is at least once; it retries transport failures with backoff;
 * after a 401 it renews the token once, and gives up when the validator's token is refused for good.
 */
import type { AuthSessionEventJson, Client } from "../client.js";
import type { Timers } from "../clock.js";
import { AuthenticationError, TesseraError, isTransient } from "../errors.js";

/** The token of one validator session. */
export interface ValidatorToken {
  /** The token to call with; rejects when there is none for this validator session any more. */
  get(): Promise<string>;
  /** After a 401: a fresh token of the same validator session, or a rejection when there is none. */
  renew(): Promise<string>;
}

/** The poller's owner (`AuthTickets`). */
export interface PollerOwner {
  /** Whether auth sessions of this validator session still await responses. */
  awaiting(poller: AuthSessionPoller): boolean;
  /** New events, each passed on once, in the server's order. */
  receive(events: AuthSessionEventJson[]): void;
  /** The poller gave up: the validator's token was refused and could not be renewed. */
  stopped(poller: AuthSessionPoller, error: unknown): void;
}

/** Most ids the server takes in one acknowledgement. */
const MAX_ACK = 100;
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 10_000;

export class AuthSessionPoller {
  private running = false;
  private closed = false;
  /** The request in flight, and whether it is a long poll (one `settle()` may cut short). */
  private inFlight: { controller: AbortController; long: boolean } | null = null;
  private wakeFromPause: (() => void) | null = null;
  /** Ids passed on but not yet acknowledged: sent with the next poll; also the de-duplication set. */
  private readonly unacked = new Set<string>();

  constructor(
    private readonly client: Client,
    /** The validator session whose events this follows (a token's `tid`). */
    readonly validatorSessionId: string,
    /** The token it polls with; also for ending its auth sessions. */
    readonly token: ValidatorToken,
    private readonly owner: PollerOwner,
    private readonly waitMs: number,
    /** Schedules the pauses between retries. */
    private readonly timers: Timers,
  ) {}

  /** Whether the loop runs (a poll in flight, or a pause between retries). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the loop unless it runs or the poller is closed. */
  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    void this.run()
      .catch((err: unknown) => console.error("AuthTickets: the poll loop failed", err))
      .finally(() => {
        this.running = false;
        // An auth session registered while the loop was finishing must not wait for the next one.
        if (this.owner.awaiting(this)) this.start();
      });
  }

  /** Nothing awaits responses any more: cut a waiting long poll short (acknowledgements still go out). */
  settle(): void {
    if (this.inFlight?.long && !this.owner.awaiting(this)) this.inFlight.controller.abort();
  }

  /** Stops for good. */
  close(): void {
    this.closed = true;
    this.inFlight?.controller.abort();
    this.wakeFromPause?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    let renewed = false;
    while (!this.closed) {
      const long = this.owner.awaiting(this);
      if (!long && this.unacked.size === 0) return;
      const ack = [...this.unacked].slice(0, MAX_ACK);
      const controller = new AbortController();
      this.inFlight = { controller, long };
      let events: AuthSessionEventJson[];
      try {
        const token = await this.token.get();
        events = await this.client.pollAuthSessionEvents(token, { ack, waitMs: long ? this.waitMs : 0, signal: controller.signal });
      } catch (pollErr) {
        if (this.closed) return;
        if (controller.signal.aborted) continue; // settle(): go round to acknowledge and stop
        // The failure that decides what happens next: the poll's, or the renewal's after a 401.
        let err = pollErr;
        if (status(err) === 401 && !renewed) {
          renewed = true;
          try {
            await this.token.renew();
            continue;
          } catch (renewErr) {
            if (!isTransient(renewErr)) return this.stop(renewErr);
            renewed = false;
            err = renewErr;
          }
        }
        if (!isTransient(err)) return this.stop(err);
        await this.pause(backoffMs(failures++));
        continue;
      } finally {
        this.inFlight = null;
      }
      failures = 0;
      renewed = false;
      for (const id of ack) this.unacked.delete(id);
      // Delivery is at least once: an event comes again until its acknowledgement arrived.
      const fresh = events.filter((e) => !this.unacked.has(e.id));
      for (const e of fresh) this.unacked.add(e.id);
      if (fresh.length > 0) this.owner.receive(fresh);
    }
  }

  private stop(error: unknown): void {
    this.closed = true;
    this.owner.stopped(this, error);
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timers = this.timers;
      const timer = timers.setTimeout(done, ms);
      function done() {
        timers.clearTimeout(timer);
        resolve();
      }
      this.wakeFromPause = done;
    }).finally(() => {
      this.wakeFromPause = null;
    });
  }
}

function status(err: unknown): number | undefined {
  return err instanceof TesseraError || err instanceof AuthenticationError ? err.status : undefined;
}

/** Exponential, with jitter so that many validators cut off together do not come back together. */
function backoffMs(failures: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** failures);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
