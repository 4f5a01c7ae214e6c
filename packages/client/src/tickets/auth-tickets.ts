/**
 * `AuthTickets`: Steamworks-style auth session tickets over a Tessera server, for both sides.
 *
 * - Player side: get a ticket for a validator identity, list this instance's open tickets,
 *   cancel them (the validator then receives AuthTicketCanceled).
 * - Validator side (a game server, or a player validating a peer): begin an auth session with a
 *   ticket, receive its responses, end it.
 *
 * Responses arrive with the server's long-poll pull API, one loop per validator session
 * (`auth-session-poller.ts`), running only while auth sessions await responses.
 */
import type { AuthenticationService } from "../authentication-service.js";
import { AuthenticationSession, authSessionControl } from "./authentication-session.js";
import { AuthTicket } from "./auth-ticket.js";
import { AuthSessionPoller, type ValidatorToken } from "./auth-session-poller.js";
import type { AuthSessionEventJson, Client } from "../client.js";
import type { Clock, TimeOptions, Timers } from "../clock.js";
import { Emitter } from "../emitter.js";
import { AuthenticationError, AuthenticationErrorCodes, CommonErrorCodes, TesseraError, toAuthenticationError } from "../errors.js";
import { GameServerSession } from "./game-server-session.js";
import { fromHex, isHex, toHex } from "./hex.js";
import { decodePayload, Session } from "../session.js";
import { BeginAuthSessionResult } from "@tessera/protocol";

/**
 * `clock` (how long early events are kept) and `timers` (the pauses between poll retries) default
 * to the client's.
 */
export interface AuthTicketsOptions extends TimeOptions {
  client: Client;
  /** A player's `AuthenticationService` (its access token refreshes itself). Give this or `session`. */
  auth?: AuthenticationService;
  /** A player's `Session`, or a game server's (`client.authenticateGameServer`). Give this or `auth`. */
  session?: Session | GameServerSession;
  /** How long one long poll waits for responses, in ms (default 25000, at most 30000). */
  pollWaitMs?: number;
}

/** What `beginAuthSession` answers: the result, and the session only when the result is OK. */
export interface BeginAuthSessionOutcome {
  result: BeginAuthSessionResult;
  session?: AuthenticationSession;
}

export interface AuthTicketsEvents {
  /**
   * Responses can no longer be received for `sessions`: the validator's token was refused and
   * could not be renewed (a game server whose token expired, a player validator signed out or
   * signed in again). The sessions are ended locally, without a response; begin them again with
   * new tickets. Also logged when nobody listens.
   */
  deliveryStopped: (error: AuthenticationError, sessions: AuthenticationSession[]) => void;
}
export type AuthTicketsEventName = keyof AuthTicketsEvents;

type Validator =
  | { kind: "player-auth"; auth: AuthenticationService }
  | { kind: "player-session"; session: Session }
  | { kind: "game-server"; server: GameServerSession };

interface Tracked {
  session: AuthenticationSession;
  poller: AuthSessionPoller;
}

const DEFAULT_POLL_WAIT_MS = 25_000;
const MAX_POLL_WAIT_MS = 30_000;
/** Events of auth sessions not (yet) known: kept this long in case their begin answer is still on its way. */
const EARLY_EVENT_TTL_MS = 60_000;
const MAX_EARLY_SESSIONS = 1_000;

const invalid = (message: string) => new AuthenticationError(AuthenticationErrorCodes.InvalidParameters, message);

/**
 * @example
 * // player side
 * const mine = new AuthTickets({ client, auth });
 * const ticket = await mine.getAuthSessionTicket({ identity: "eu-west-1" });
 *
 * // validator side
 * const server = await client.authenticateGameServer({ identity: "eu-west-1", secret });
 * const tickets = new AuthTickets({ client, session: server });
 * const { result, session } = await tickets.beginAuthSession(ticket.hex, playerId);
 * session?.onStart((s) => console.log(s.response, s.user, s.gameOwner));
 */
export class AuthTickets {
  readonly client: Client;
  private readonly validator: Validator;
  private readonly pollWaitMs: number;
  private readonly tickets = new Set<AuthTicket>();
  private readonly sessions = new Map<string, Tracked>();
  /** One poller per validator session (token `tid`): a renewed game-server token has a new one. */
  private readonly pollers = new Map<string, AuthSessionPoller>();
  /** Events that overtook their begin answer (or of sessions no longer followed), by auth session id. */
  private readonly early = new Map<string, { events: AuthSessionEventJson[]; at: number }>();
  private readonly events = new Emitter<AuthTicketsEvents>("AuthTickets");
  private readonly clock: Clock;
  private readonly timers: Timers;
  private closed = false;

  constructor(options: AuthTicketsOptions) {
    if (!options?.client) throw invalid("AuthTickets: options.client is required.");
    const { auth, session } = options;
    if ((auth === undefined) === (session === undefined))
      throw invalid("AuthTickets: give exactly one of options.auth (a player's AuthenticationService) and options.session (a Session or a GameServerSession).");
    if (auth !== undefined) this.validator = { kind: "player-auth", auth };
    else if (session instanceof GameServerSession) this.validator = { kind: "game-server", server: session };
    else if (session instanceof Session) this.validator = { kind: "player-session", session };
    else throw invalid("AuthTickets: options.session must be a Session or a GameServerSession.");
    const wait = options.pollWaitMs ?? DEFAULT_POLL_WAIT_MS;
    if (!Number.isInteger(wait) || wait < 0 || wait > MAX_POLL_WAIT_MS)
      throw invalid(`AuthTickets: options.pollWaitMs must be a whole number from 0 to ${MAX_POLL_WAIT_MS}.`);
    this.client = options.client;
    this.pollWaitMs = wait;
    this.clock = options.clock ?? options.client.clock;
    this.timers = options.timers ?? options.client.timers;
  }

  // ---- player side ----------------------------------------------------------------------------

  /**
   * Gets a ticket (Steam's GetAuthSessionTicket) that only `identity` may validate: a game
   * server's identity, or a peer's user id. Without one, any validator may (prefer naming one: a
   * ticket for one identity is useless to anybody who intercepts it). Rejects with
   * `TooManyRequests` when the player holds too many unused tickets.
   *
   * @example
   * const ticket = await mine.getAuthSessionTicket({ identity: "eu-west-1" });
   * sendToGameServer(ticket.hex);
   */
  async getAuthSessionTicket(options: { identity?: string } = {}): Promise<AuthTicket> {
    const identity = options.identity;
    if (identity !== undefined && typeof identity !== "string") throw invalid("The identity must be a string: a game server's identity or a player's user id.");
    const json = await this.asPlayer((token) => this.client.createTicket(token, identity === undefined ? {} : { identity }));
    const ticket = new AuthTicket(json, (t) => this.cancelOnServer(t));
    this.tickets.add(ticket);
    return ticket;
  }

  /** This instance's tickets that were not cancelled, oldest first. */
  get activeTickets(): AuthTicket[] {
    return [...this.tickets];
  }

  /**
   * Cancels every ticket of this instance (`activeTickets`). To cancel all of the account's
   * tickets on every device, use `client.cancelAllTickets(session)`.
   *
   * @example
   * await mine.cancelAllTickets();   // leaving the match
   */
  async cancelAllTickets(): Promise<void> {
    await settleAll([...this.tickets].map((t) => t.cancel()));
  }

  // ---- validator side -------------------------------------------------------------------------

  /**
   * Begins an auth session (Steam's BeginAuthSession) for a ticket (hex, or its bytes) and the
   * player it must prove. The result is at once; on OK the returned session receives the
   * validation result through `onStart`, then later changes. `appId` (default: the server's
   * `tickets.app_id`) is the app the ticket must be for.
   *
   * @example
   * const { result, session } = await tickets.beginAuthSession(ticketHex, playerId);
   * if (result !== BeginAuthSessionResult.OK) return kick(playerId);
   * session!.onStart((s) => (s.response === AuthSessionResponse.OK ? admit(s.user) : kick(s.user)));
   */
  async beginAuthSession(ticket: string | Uint8Array, userId: string, options: { appId?: number } = {}): Promise<BeginAuthSessionOutcome> {
    if (this.closed)
      throw new AuthenticationError(AuthenticationErrorCodes.ClientInvalidUserState, "AuthTickets is closed: create a new one to begin auth sessions.");
    const { hex, data } = ticketForms(ticket);
    if (typeof userId !== "string" || userId === "") throw invalid("The user id is required: the player the ticket must prove.");
    const appId = options.appId;
    if (appId !== undefined && !(Number.isInteger(appId) && appId >= 0 && appId <= 0xffffffff))
      throw invalid("The app id must be a whole number from 0 to 4294967295.");

    let used = "";
    const answer = await this.asValidator(this.currentValidatorToken(), (token) => {
      used = token;
      return this.client.beginAuthSession(token, hex, userId, appId === undefined ? {} : { appId });
    });
    const result = answer.result as BeginAuthSessionResult;
    const json = answer.auth_session;
    if (result !== BeginAuthSessionResult.OK || !json) return { result };

    const session = new AuthenticationSession({ id: json.id, user: json.user_id, data, createdOn: new Date(json.create_time) }, (s) => this.endOnServer(s));
    const poller = this.pollerFor(tokenId(used), used);
    this.sessions.set(session.id, { session, poller });
    const early = this.early.get(session.id);
    if (early) {
      this.early.delete(session.id);
      this.receive(early.events);
    }
    if (!session.ended) poller.start();
    return { result, session };
  }

  /** The auth sessions that were begun and have not ended, oldest first. */
  get activeSessions(): AuthenticationSession[] {
    return [...this.sessions.values()].map((t) => t.session);
  }

  /**
   * Ends the auth sessions of a player (Steam's EndAuthSession(steamID)); none is no error.
   *
   * @example
   * await tickets.endAuthSession(playerId);   // the player left
   */
  async endAuthSession(userId: string): Promise<void> {
    if (typeof userId !== "string" || userId === "") throw invalid("The user id is required.");
    const user = userId.toLowerCase();
    await settleAll(this.activeSessions.filter((s) => s.user.toLowerCase() === user).map((s) => s.end()));
  }

  /**
   * Ends every active auth session.
   *
   * @example
   * await tickets.endAllSessions();   // the match is over
   */
  async endAllSessions(): Promise<void> {
    await settleAll(this.activeSessions.map((s) => s.end()));
  }

  /**
   * Stops the background polling for good; later `beginAuthSession` calls reject. It neither ends
   * auth sessions nor cancels tickets on the server: call `endAllSessions()` and
   * `cancelAllTickets()` first for that.
   *
   * @example
   * await tickets.endAllSessions();
   * tickets.close();
   */
  close(): void {
    this.closed = true;
    for (const poller of this.pollers.values()) poller.close();
    this.pollers.clear();
  }

  /**
   * Subscribes to an event.
   *
   * @example
   * tickets.on("deliveryStopped", (err, lost) => lost.forEach((s) => askForNewTicket(s.user)));
   */
  on<K extends AuthTicketsEventName>(event: K, listener: AuthTicketsEvents[K]): this {
    this.events.on(event, listener);
    return this;
  }

  /** Unsubscribes a listener added with `on`. @example tickets.off("deliveryStopped", onLost); */
  off<K extends AuthTicketsEventName>(event: K, listener: AuthTicketsEvents[K]): this {
    this.events.off(event, listener);
    return this;
  }

  // ---- internals ------------------------------------------------------------------------------

  private async cancelOnServer(ticket: AuthTicket): Promise<void> {
    try {
      await this.asPlayer((token) => this.client.cancelTicket(token, ticket.handle));
    } catch (err) {
      // Already cancelled (elsewhere), or purged after expiry: what was asked holds.
      if (!(err instanceof AuthenticationError && err.status === 404)) throw err;
    }
    this.tickets.delete(ticket);
  }

  private async endOnServer(session: AuthenticationSession): Promise<void> {
    const tracked = this.sessions.get(session.id);
    if (!tracked) return;
    this.sessions.delete(session.id);
    tracked.poller.settle();
    try {
      await this.asValidator(tracked.poller.token, (token) => this.client.endAuthSession(token, session.id));
    } catch (err) {
      // Ended by the server meanwhile (a response is on its way): what was asked holds.
      if (!(err instanceof AuthenticationError && err.status === 404)) throw err;
    }
  }

  /** Events from a poller: each to its own session (by auth session id, never by user). */
  private receive(events: AuthSessionEventJson[]): void {
    for (const event of events) {
      const tracked = this.sessions.get(event.auth_session_id);
      if (!tracked) {
        this.keepEarly(event);
        continue;
      }
      authSessionControl.receive(tracked.session, event);
      // Listeners have run (they still saw it in activeSessions); a response that ended it removes it.
      if (tracked.session.ended && this.sessions.get(event.auth_session_id) === tracked) {
        this.sessions.delete(event.auth_session_id);
        tracked.poller.settle();
      }
    }
  }

  private keepEarly(event: AuthSessionEventJson): void {
    const now = this.clock.now();
    for (const [id, entry] of this.early) if (now - entry.at > EARLY_EVENT_TTL_MS || this.early.size > MAX_EARLY_SESSIONS) this.early.delete(id);
    const entry = this.early.get(event.auth_session_id);
    if (entry) entry.events.push(event);
    else this.early.set(event.auth_session_id, { events: [event], at: now });
  }

  private pollerFor(validatorSessionId: string, token: string): AuthSessionPoller {
    const existing = this.pollers.get(validatorSessionId);
    if (existing) return existing;
    // Pollers of earlier game-server tokens that have nothing left to follow go.
    for (const [id, p] of this.pollers) {
      if (!p.isRunning && !this.awaiting(p)) {
        p.close();
        this.pollers.delete(id);
      }
    }
    const poller: AuthSessionPoller = new AuthSessionPoller(
      this.client,
      validatorSessionId,
      this.boundToken(validatorSessionId, token),
      {
        awaiting: (p) => this.awaiting(p),
        receive: (events) => this.receive(events),
        stopped: (p, error) => this.deliveryStopped(p, error),
      },
      this.pollWaitMs,
      this.timers,
    );
    if (this.closed) poller.close();
    else this.pollers.set(validatorSessionId, poller);
    return poller;
  }

  private awaiting(poller: AuthSessionPoller): boolean {
    for (const t of this.sessions.values()) if (t.poller === poller) return true;
    return false;
  }

  private deliveryStopped(poller: AuthSessionPoller, error: unknown): void {
    if (this.pollers.get(poller.validatorSessionId) === poller) this.pollers.delete(poller.validatorSessionId);
    const lost: AuthenticationSession[] = [];
    for (const [id, t] of this.sessions) {
      if (t.poller !== poller) continue;
      this.sessions.delete(id);
      if (authSessionControl.abandon(t.session)) lost.push(t.session);
    }
    const err = toAuthenticationError(error, "ticket");
    if (this.events.count("deliveryStopped") === 0) {
      console.warn(`AuthTickets: responses can no longer be received for ${lost.length} auth session(s): ${err.message}`);
      return;
    }
    this.events.emit("deliveryStopped", err, lost);
  }

  /** The validator token for new auth sessions. */
  private currentValidatorToken(): ValidatorToken {
    const v = this.validator;
    switch (v.kind) {
      case "player-auth":
        return {
          get: () => v.auth.getAccessToken(),
          renew: async () => {
            await v.auth.refreshAccessToken();
            return v.auth.getAccessToken();
          },
        };
      case "player-session":
        return {
          get: async () => v.session.token,
          renew: () =>
            Promise.reject(
              new AuthenticationError(
                CommonErrorCodes.InvalidToken,
                "The session's access token was refused; use an AuthenticationService to have it refreshed.",
              ),
            ),
        };
      case "game-server":
        return {
          get: () => v.server.getToken(),
          renew: async () => {
            await v.server.renew();
            return v.server.token;
          },
        };
    }
  }

  /**
   * The token of one validator session. The server files auth sessions under the validator's
   * session id: a player's stays the same across refreshes, a game server's across renewals; a
   * token that still carries an earlier id (a new sign-in) serves its own sessions until it expires.
   */
  private boundToken(validatorSessionId: string, tokenAtBegin: string): ValidatorToken {
    const current = this.currentValidatorToken();
    const gone = () =>
      new AuthenticationError(
        CommonErrorCodes.InvalidToken,
        "The validator's session that began these auth sessions is over (signed out, signed in again, or a game-server token that expired); begin them again with new tickets.",
        { status: 401 },
      );
    const same = (token: string): string => {
      if (tokenId(token) !== validatorSessionId) throw gone();
      return token;
    };
    if (this.validator.kind === "game-server") {
      const server = this.validator.server;
      return {
        get: async () => (server.sessionId === validatorSessionId ? server.token : tokenAtBegin),
        renew: async () => {
          if (server.sessionId !== validatorSessionId) throw gone();
          return same(await current.renew());
        },
      };
    }
    return { get: async () => same(await current.get()), renew: async () => same(await current.renew()) };
  }

  /** A player call with the player's token; a 401 gets one renewal and one retry. */
  private asPlayer<T>(call: (token: string) => Promise<T>): Promise<T> {
    if (this.validator.kind === "game-server") {
      return Promise.reject(invalid("A game server has no tickets of its own: give AuthTickets a player's AuthenticationService or Session."));
    }
    return this.asValidator(this.currentValidatorToken(), call);
  }

  /** A call with `token`'s token; a 401 gets one renewal and one retry. Rejects with `AuthenticationError`. */
  private async asValidator<T>(token: ValidatorToken, call: (token: string) => Promise<T>): Promise<T> {
    try {
      try {
        return await call(await token.get());
      } catch (err) {
        if (!(err instanceof TesseraError && err.status === 401)) throw err;
        return await call(await token.renew());
      }
    } catch (err) {
      throw toAuthenticationError(err, "ticket");
    }
  }
}

function tokenId(token: string): string {
  const tid = ((decodePayload(token) ?? {}) as Record<string, unknown>)["tid"];
  if (typeof tid !== "string" || tid === "") throw new AuthenticationError(CommonErrorCodes.InvalidToken, "The validator's token has no session id (tid).");
  return tid;
}

function ticketForms(ticket: string | Uint8Array): { hex: string; data: Uint8Array } {
  if (typeof ticket === "string") {
    if (ticket === "") throw invalid("The ticket is required.");
    if (!isHex(ticket)) throw invalid("The ticket must be hex (an even number of the digits 0-9 and a-f), as AuthTicket.hex gives it.");
    return { hex: ticket.toLowerCase(), data: fromHex(ticket) };
  }
  if (!(ticket instanceof Uint8Array)) throw invalid("The ticket must be a hex string or a Uint8Array.");
  if (ticket.length === 0) throw invalid("The ticket is required.");
  return { hex: toHex(ticket), data: ticket.slice() };
}

/** Waits for every promise; rejects with the first failure once all have settled. */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  for (const r of results) if (r.status === "rejected") throw r.reason;
}
