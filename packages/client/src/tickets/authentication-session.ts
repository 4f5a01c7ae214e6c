/**
 * `AuthenticationSession`: a validator's record of a ticket it began (Heathen's
 * AuthenticationSession, with its flaws fixed as REFERENCE.md §5 asks). It exists only after a
 * successful begin; it receives the responses of its own auth session id, never "the first
 * session of that user"; `onStart` fires once with the first response, every later change goes to
 * `on("response")`; and a response that ends it (anything but OK) leaves it ended.
 */
import type { AuthSessionEventJson } from "../client.js";
import { Emitter } from "../emitter.js";
import { observed } from "../errors.js";
import type { AuthSessionResponse } from "@tessera/protocol";

/** A listener of `onStart` or `on("response")`; it receives the session. */
export type AuthSessionListener = (session: AuthenticationSession) => void;

/** What `AuthTickets` does to its sessions; set in the class's static block, not exported from the package. */
export let authSessionControl: {
  /** Applies a response (in `seq` order, each once) and fires the listeners; false if it was not new. */
  receive(session: AuthenticationSession, event: AuthSessionEventJson): boolean;
  /** Marks the session ended without a response (nothing can reach it any more); false if it already was. */
  abandon(session: AuthenticationSession): boolean;
};

/**
 * Made by `AuthTickets.beginAuthSession` when the begin result is OK.
 *
 * @example
 * const { result, session } = await tickets.beginAuthSession(ticketHex, playerId);
 * session?.onStart((s) => {
 *   if (s.response !== AuthSessionResponse.OK) return kick(s.user);   // the session has ended
 *   admit(s.user, { owner: s.gameOwner, borrowed: s.isBorrowed });
 * });
 * session?.on("response", (s) => kick(s.user));   // later: cancelled, banned, signed out (each ends it)
 */
export class AuthenticationSession {
  /** The auth session id the server gave it; responses are matched by it. */
  readonly id: string;
  /** The player the ticket proves (Steam's steamID). */
  readonly user: string;
  /** The ticket bytes it was begun with. */
  readonly data: Uint8Array;
  /** When the server began it (server clock). */
  readonly createdOn: Date;
  private latest: AuthSessionResponse | null = null;
  private owner: string | null = null;
  private borrowed = false;
  private hasStarted = false;
  private hasEnded = false;
  private lastSeq = 0;
  /** `onStart` listeners fire once, with the first response; `response` ones with every later one. */
  private readonly events = new Emitter<{ onStart: AuthSessionListener; response: AuthSessionListener }>("AuthenticationSession");

  static {
    authSessionControl = {
      receive: (session, event) => session.receive(event),
      abandon: (session) => {
        if (session.hasEnded) return false;
        session.hasEnded = true;
        return true;
      },
    };
  }

  /** Use `AuthTickets.beginAuthSession`; `endOnServer` ends it on the server. */
  constructor(
    init: { id: string; user: string; data: Uint8Array; createdOn: Date },
    private readonly endOnServer: (session: AuthenticationSession) => Promise<void>,
  ) {
    this.id = init.id;
    this.user = init.user;
    this.data = init.data;
    this.createdOn = init.createdOn;
  }

  /** The latest response, or null before the first one arrived. */
  get response(): AuthSessionResponse | null {
    return this.latest;
  }

  /** Who owns the app the player plays (Steam's ownerSteamID): the player, or the lender of a borrowed license. Null before the first response. */
  get gameOwner(): string | null {
    return this.owner;
  }

  /** True when the player plays a borrowed copy (family sharing): `gameOwner` is the lender. */
  get isBorrowed(): boolean {
    return this.borrowed;
  }

  /** True once the first response (the validation result) arrived. */
  get started(): boolean {
    return this.hasStarted;
  }

  /** True once a response ended it (any but OK), or `end()` was called. */
  get ended(): boolean {
    return this.hasEnded;
  }

  /**
   * Calls `listener` once with the first response (the validation result). Registered after it
   * arrived, the listener is called at once (in a microtask), so there is no race to lose.
   *
   * @example
   * session.onStart((s) => (s.response === AuthSessionResponse.OK ? admit(s.user) : kick(s.user)));
   */
  onStart(listener: AuthSessionListener): this {
    if (typeof listener !== "function") throw new TypeError("onStart: the listener must be a function.");
    if (this.hasStarted) queueMicrotask(() => this.events.callOne("onStart", listener, this));
    else this.events.on("onStart", listener);
    return this;
  }

  /**
   * Subscribes to every response after the first: a cancelled ticket, a ban, the player signing
   * out or in elsewhere, a lost license. Each of these ends the session.
   *
   * @example
   * session.on("response", (s) => kick(s.user, s.response));
   */
  on(event: "response", listener: AuthSessionListener): this {
    if (event !== "response") throw new TypeError(`Unknown event "${String(event)}": use onStart() or "response".`);
    this.events.on("response", listener);
    return this;
  }

  /**
   * Unsubscribes a listener added with `on("response")`.
   *
   * @example
   * session.off("response", onChange);
   */
  off(event: "response", listener: AuthSessionListener): this {
    if (event === "response") this.events.off("response", listener);
    return this;
  }

  /**
   * Ends the auth session (Steam's EndAuthSession): the validator stops following the player, and
   * may begin a new auth session for them. No listener fires. Ending an ended session does
   * nothing. Safe to call without `await`; await it to learn whether the server confirmed.
   *
   * @example
   * session.end();   // the player left the match
   */
  end(): Promise<void> {
    if (this.hasEnded) return Promise.resolve();
    this.hasEnded = true;
    return observed(this.endOnServer(this));
  }

  private receive(event: AuthSessionEventJson): boolean {
    if (this.hasEnded || event.seq <= this.lastSeq) return false;
    this.lastSeq = event.seq;
    this.latest = event.response as AuthSessionResponse;
    this.owner = event.owner_id;
    this.borrowed = event.is_borrowed;
    if (event.ended) this.hasEnded = true;
    if (!this.hasStarted) {
      this.hasStarted = true;
      this.events.emit("onStart", this);
      this.events.clear("onStart");
    } else {
      this.events.emit("response", this);
    }
    return true;
  }
}
