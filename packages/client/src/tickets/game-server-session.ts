/**
 * A game server signed in with its credential (`tickets.game_servers` on the server, or created
 * at run time): the token it validates tickets with. The token is short-lived
 * (`tickets.game_server_token_expiry_sec`, an hour by default), so the session signs in again
 * with the secret before it expires, on the schedule `AuthenticationService` uses for access
 * tokens (derived from the token's own `exp - iat`, never the device clock).
 */
import { systemClock, systemTimers, type Clock, type TimeOptions, type TimerHandle, type Timers } from "../clock.js";
import { isTransient } from "../errors.js";
import { refreshTiming, Stopwatch, type RefreshTiming } from "../refresh-timing.js";
import { decodePayload } from "../session.js";

import type { GameServerTokenJson } from "@tessera/protocol";

/** The server's answer to `POST /v2/tickets/server/authenticate` (the wire contract's shape). */
export type { GameServerTokenJson };

/** A game server's credential: its identity and the secret of at least 32 characters. */
export interface GameServerCredential {
  identity: string;
  secret: string;
}

interface Generation {
  token: string;
  /** The token's id (`tid`): the server files auth sessions and their events under it. */
  sessionId: string;
  expiresOn: Date;
  stopwatch: Stopwatch;
  timing: RefreshTiming;
}

const MAX_TIMER_SEC = Math.floor((2 ** 31 - 1) / 1000);

/**
 * Made by `client.authenticateGameServer`. Keeps the secret in memory to renew itself; `close()`
 * stops the renewals.
 *
 * @example
 * const server = await client.authenticateGameServer({ identity: "eu-west-1", secret: process.env.TESSERA_SECRET! });
 * const tickets = new AuthTickets({ client, session: server });
 * // at shutdown:
 * server.close();
 */
export class GameServerSession {
  readonly identity: string;
  private current: Generation;
  private renewing: Promise<void> | null = null;
  private timer: TimerHandle | undefined;
  private closed = false;
  private readonly clock: Clock;
  private readonly timers: Timers;

  /**
   * Use `client.authenticateGameServer`; `signIn` exchanges the credential for a token, continuing
   * `previousToken`'s session when given. `options.clock` times the token's lifetime and
   * `options.timers` schedules its renewal (default: the real ones; the client passes its own).
   */
  constructor(
    answer: GameServerTokenJson,
    private readonly signIn: (previousToken?: string) => Promise<GameServerTokenJson>,
    options: TimeOptions = {},
  ) {
    this.identity = answer.identity;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.current = generation(answer, this.clock);
    this.schedule(this.current.timing.refreshAfterSec);
  }

  /** The current token (Bearer for the validator calls). Prefer `getToken()`, which renews first when due. */
  get token(): string {
    return this.current.token;
  }

  /**
   * This instance's validator session: auth sessions are filed under it, and a renewal keeps it
   * (a new `authenticateGameServer` is another instance with its own).
   */
  get sessionId(): string {
    return this.current.sessionId;
  }

  /** When the current token expires (the server's clock). */
  get expiresOn(): Date {
    return this.current.expiresOn;
  }

  /** Whether the current token is past its expiry margin (its own lifetime, measured locally). */
  get isExpired(): boolean {
    return this.current.stopwatch.elapsedSec() >= this.current.timing.expireAfterSec;
  }

  /**
   * The token, renewed first when the renewal is due (say, after the process was suspended). A
   * failed renewal still returns a token that has not expired.
   *
   * @example
   * const token = await server.getToken();
   */
  async getToken(): Promise<string> {
    const { stopwatch, timing } = this.current;
    if (this.renewing || stopwatch.elapsedSec() >= timing.refreshAfterSec) {
      try {
        await this.renew();
      } catch (err) {
        if (this.isExpired) throw err;
      }
    }
    return this.current.token;
  }

  /**
   * Signs in again with the secret now (concurrent callers share one request). Rejects with the
   * `TesseraError` of the sign-in, e.g. 401 "Game server credentials invalid." once the credential
   * was revoked.
   *
   * @example
   * await server.renew();
   */
  renew(): Promise<void> {
    this.renewing ??= this.signIn(this.current.token)
      .then(
        (answer) => {
          this.current = generation(answer, this.clock);
          this.schedule(this.current.timing.refreshAfterSec);
        },
        (err: unknown) => {
          // Offline or overloaded: try again soon. A definitive refusal waits for the next getToken().
          if (isTransient(err)) this.schedule(this.current.timing.retryIntervalSec);
          throw err;
        },
      )
      .finally(() => {
        this.renewing = null;
      });
    return this.renewing;
  }

  /**
   * Stops renewing. The current token works until it expires.
   *
   * @example
   * server.close();
   */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(afterSec: number): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    this.timer = this.timers.setTimeout(() => void this.renew().catch(() => undefined), Math.max(0, afterSec * 1000));
  }
}

function generation(answer: GameServerTokenJson, clock: Clock): Generation {
  const { tid, iat, exp } = (decodePayload(answer.token) ?? {}) as Record<string, unknown>;
  if (typeof tid !== "string" || typeof iat !== "number" || typeof exp !== "number") throw new Error("Malformed game server token: missing tid, iat or exp.");
  return {
    token: answer.token,
    sessionId: tid,
    expiresOn: new Date(answer.expire_time),
    stopwatch: new Stopwatch(clock),
    // setTimeout fires at once beyond 2^31-1 ms: schedule longer tokens as if that long.
    timing: refreshTiming(Math.min(exp - iat, MAX_TIMER_SEC)),
  };
}
