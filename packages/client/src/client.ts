/**
 * `Client`: every player-facing call of a Tessera server over `fetch`, typed. Rejections are
 * `TesseraError`s (the server's `{code, message}` and HTTP status, or a transport failure).
 */
import {
  GrpcCode,
  type AccountJson as Account,
  type AccountUpdateJson as AccountUpdate,
  type AuthSessionEventJson,
  type AuthSessionJson,
  type BeginAuthSessionJson,
  type CodeLinkGenerateJson,
  type CodeLinkInfoJson,
  CodeLinkPollErrors,
  type LicensesJson,
  type OpenTicketJson,
  type SessionInfo,
  type TicketJson,
} from "@tessera/protocol";
import { systemClock, systemTimers, type Clock, type TimeOptions, type Timers } from "./clock.js";
import { TesseraError } from "./errors.js";
import { GameServerSession, type GameServerCredential, type GameServerTokenJson } from "./tickets/game-server-session.js";
import { Session } from "./session.js";

/**
 * `clock` and `timers` (default: the real ones) time out requests and renew game-server
 * sessions; `AuthenticationService` and `AuthTickets` made with this client use them too unless
 * given their own.
 */
export interface ClientOptions extends TimeOptions {
  /** Server base URL, e.g. `http://127.0.0.1:7350`. */
  url: string;
  /** The server key (HTTP Basic user name on authenticate and refresh). */
  serverKey: string;
  /** Per-request time-out in milliseconds (default 10000). */
  timeoutMs?: number;
  /** A `fetch` implementation (default: the global one). */
  fetch?: typeof fetch;
}

export interface AuthenticateOptions {
  /** Create the account if the identity is unknown (default true). */
  create?: boolean;
  /** Username for a new account; a random one when absent. */
  username?: string;
  /** Session variables carried in both tokens. */
  vars?: Record<string, string>;
}

/** Options of a sign-in with an OpenID Connect ID token (Apple, an `social.oidc` provider). */
export interface IdTokenAuthenticateOptions extends AuthenticateOptions {
  /**
   * Tessera: the nonce the app gave the provider when it asked for the token; the token's `nonce`
   * claim must then be it or its SHA-256 in hex (Apple's iOS flow hashes it). Absent: not checked.
   */
  nonce?: string;
}

/** Options of a Facebook sign-in. */
export interface FacebookAuthenticateOptions extends AuthenticateOptions {
  /** Nakama's friend import flag, sent as its `sync` query parameter (Tessera accepts it and imports nothing). */
  sync?: boolean;
}

/**
 * A Game Center identity verification signature, as
 * `GKLocalPlayer.fetchItems(forIdentityVerificationSignature:)` gives it. `salt` and `signature`
 * are standard base64; `timestamp` is sent exactly as given (a string of digits; Game Center's
 * value is milliseconds), as Nakama's `timestamp_seconds` string.
 */
export interface GameCenterSignature {
  /** The player's `teamPlayerID` (or `gamePlayerID`). */
  playerId: string;
  /** The app's bundle id (one of the server's `social.gamecenter.bundle_ids`). */
  bundleId: string;
  /** The URL of Apple's public key certificate. */
  publicKeyUrl: string;
  salt: string;
  signature: string;
  /** A whole number; a string keeps every digit of a 64-bit value. */
  timestamp: string | number | bigint;
}

export type {
  AccountUser,
  AccountJson as Account,
  AccountUpdateJson as AccountUpdate,
  SessionInfo,
  TicketJson,
  OpenTicketJson,
  AuthSessionJson,
  BeginAuthSessionJson,
  AuthSessionEventJson,
  LicenseJson,
  LicensesJson,
  CodeLinkGenerateJson,
  CodeLinkInfoJson,
} from "@tessera/protocol";

/**
 * One Code-Link sign-in poll that did not fail: a session once the code is confirmed, else RFC
 * 8628's pending answer with the seconds to wait (`slowDown`: the poll came too soon and the
 * server added 5 s).
 */
export type CodeSignInResult = { signedIn: true; session: Session } | { signedIn: false; slowDown: boolean; intervalSec: number };

/** Per-call options of the long-running calls. */
export interface CallOptions {
  /** Aborts the call (it rejects with a transport `TesseraError`, code 1). */
  signal?: AbortSignal;
  /** Time-out of this call in milliseconds (default: the client's `timeoutMs`). */
  timeoutMs?: number;
}

type Auth = { kind: "key" } | { kind: "bearer"; token: string };

/** A session object or a bare access token. */
export type SessionLike = Session | string;

/** Who validates tickets: a player (`SessionLike`) or a game server. */
export type ValidatorLike = SessionLike | GameServerSession;

/**
 * @example
 * const client = new Client({ url: "http://127.0.0.1:7350", serverKey: "defaultkey" });
 * const session = await client.authenticateDevice("my-device-000001");
 * const account = await client.getAccount(session);
 */
export class Client {
  readonly url: string;
  /** The clock of this client and of the SDK objects made with it. */
  readonly clock: Clock;
  /** The timers of this client and of the SDK objects made with it. */
  readonly timers: Timers;
  private readonly serverKey: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions) {
    if (!options || typeof options.url !== "string" || options.url === "") throw new TypeError("Client: options.url is required.");
    if (typeof options.serverKey !== "string" || options.serverKey === "") throw new TypeError("Client: options.serverKey is required.");
    this.url = options.url.replace(/\/+$/, "");
    this.serverKey = options.serverKey;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new TypeError("Client: no fetch implementation is available; pass options.fetch.");
    this.fetchImpl = f.bind(globalThis);
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
  }

  /**
   * Signs in with a device id (10-128 bytes), creating the account unless `create: false`.
   *
   * @example
   * const session = await client.authenticateDevice(deviceId, { username: "alice" });
   */
  async authenticateDevice(id: string, options: AuthenticateOptions = {}): Promise<Session> {
    return this.authenticate("device", { id, vars: options.vars }, options);
  }

  /**
   * Signs in with email and password (8+ characters), creating the account unless `create: false`.
   *
   * @example
   * const session = await client.authenticateEmail("player@example.com", "correct horse");
   */
  async authenticateEmail(email: string, password: string, options: AuthenticateOptions = {}): Promise<Session> {
    return this.authenticate("email", { email, password, vars: options.vars }, options);
  }

  /**
   * Signs in an existing account with its username and password.
   *
   * @example
   * const session = await client.authenticateUsername("alice", "correct horse");
   */
  async authenticateUsername(username: string, password: string, options: Omit<AuthenticateOptions, "username" | "create"> = {}): Promise<Session> {
    return this.authenticate("email", { password, vars: options.vars }, { username, create: false });
  }

  /**
   * Signs in with a custom id (6-128 bytes) from your own identity system.
   *
   * @example
   * const session = await client.authenticateCustom("my-backend-user-42");
   */
  async authenticateCustom(id: string, options: AuthenticateOptions = {}): Promise<Session> {
    return this.authenticate("custom", { id, vars: options.vars }, options);
  }

  /**
   * Signs in with a Steam auth ticket (hex, from `GetAuthSessionTicket` or
   * `GetAuthTicketForWebApi`), which the server checks with Steam; the Steam id is the identity.
   * Rejects with 503 when the server cannot reach Steam (try again later).
   *
   * @example
   * const session = await client.authenticateSteam(ticketHex, { username: "alice" });
   */
  async authenticateSteam(ticket: string, options: AuthenticateOptions = {}): Promise<Session> {
    return this.authenticate("steam", { token: ticket, vars: options.vars }, options);
  }

  /**
   * Signs in with Sign in with Apple's identity token (a JWT from `ASAuthorizationAppleIDCredential`
   * or Apple's JS), which the server checks against Apple's keys, its issuer and the server's
   * `social.apple.bundle_id` (the token's audience). A refused token rejects with 401 "Could not
   * authenticate Apple profile.", Apple unreachable with 503, Apple not configured with 400.
   *
   * @example
   * const session = await client.authenticateApple(identityToken, { nonce: rawNonce });
   */
  async authenticateApple(identityToken: string, options: IdTokenAuthenticateOptions = {}): Promise<Session> {
    return this.authenticate("apple", withNonce({ token: identityToken, vars: options.vars }, options.nonce), options);
  }

  /**
   * Signs in with a Google ID token (checked against Google's keys and the server's
   * `social.google.client_ids`) or a Google Play Games v2 server auth code (exchanged by the
   * server). 401 when Google refuses it, 503 when Google is unreachable.
   *
   * @example
   * const session = await client.authenticateGoogle(idTokenOrServerAuthCode);
   */
  async authenticateGoogle(idTokenOrAuthCode: string, options: AuthenticateOptions = {}): Promise<Session> {
    return this.authenticate("google", { token: idTokenOrAuthCode, vars: options.vars }, options);
  }

  /**
   * Signs in with a Facebook user access token (the server asks Graph's `debug_token` that it was
   * issued to its app) or a Limited Login token (iOS, a JWT). 401 when Facebook refuses it, 503
   * when Facebook is unreachable.
   *
   * @example
   * const session = await client.authenticateFacebook(accessToken, { username: "alice" });
   */
  async authenticateFacebook(token: string, options: FacebookAuthenticateOptions = {}): Promise<Session> {
    const extra = options.sync === undefined ? undefined : { sync: String(options.sync) };
    return this.authenticate("facebook", { token, vars: options.vars }, options, extra);
  }

  /**
   * Signs in with Facebook Instant Games' signed player info
   * (`FBInstant.player.getSignedPlayerInfoAsync()` → `getSignature()`), which the server checks
   * with the app secret; it must have been issued recently.
   *
   * @example
   * const info = await FBInstant.player.getSignedPlayerInfoAsync();
   * const session = await client.authenticateFacebookInstantGame(info.getSignature());
   */
  async authenticateFacebookInstantGame(signedPlayerInfo: string, options: AuthenticateOptions = {}): Promise<Session> {
    return this.authenticate("facebookinstantgame", { signed_player_info: signedPlayerInfo, vars: options.vars }, options);
  }

  /**
   * Signs in with a Game Center identity verification signature; the server checks Apple's
   * certificate chain, the signature, the bundle id and the timestamp's age.
   *
   * @example
   * const session = await client.authenticateGameCenter({ playerId, bundleId, publicKeyUrl, salt, signature, timestamp });
   */
  async authenticateGameCenter(signature: GameCenterSignature, options: AuthenticateOptions = {}): Promise<Session> {
    return this.authenticate("gamecenter", { ...gameCenterBody(signature), vars: options.vars }, options);
  }

  /**
   * Signs in with an ID token of the OpenID Connect provider the server names `providerName` in
   * its `social.oidc` list (Epic, Discord, Keycloak, your own): Tessera's, Nakama has none.
   * An unknown name rejects with 400 "... is not configured.".
   *
   * @example
   * const session = await client.authenticateOidc("epic", idToken);
   */
  async authenticateOidc(providerName: string, idToken: string, options: IdTokenAuthenticateOptions = {}): Promise<Session> {
    return this.authenticate(oidcPath(providerName), withNonce({ token: idToken, vars: options.vars }, options.nonce), options);
  }

  /**
   * Creates an anonymous account (no identity) and signs it in. Keep `session.refreshToken`, or
   * link an identity, or the player is lost.
   *
   * @example
   * const session = await client.authenticateAnonymous();
   */
  async authenticateAnonymous(options: Omit<AuthenticateOptions, "create"> = {}): Promise<Session> {
    return this.authenticate("anonymous", { vars: options.vars }, options);
  }

  /**
   * Exchanges a refresh token for a new session (both tokens new: the server rotates them).
   * `vars` absent keeps the session's vars; a non-empty map replaces them.
   *
   * @example
   * session = await client.refreshSession(session);
   */
  async refreshSession(session: Session | string, vars?: Record<string, string>): Promise<Session> {
    const token = typeof session === "string" ? session : session.refreshToken;
    const body: Record<string, unknown> = { token };
    if (vars !== undefined) body["vars"] = vars;
    const res = await this.request<{ token: string; refresh_token: string }>("POST", "/v2/account/session/refresh", { kind: "key" }, body);
    return new Session(res.token, res.refresh_token, false);
  }

  /**
   * Ends this session on the server (both of its tokens stop working). With `{ everywhere: true }`,
   * ends every session of the account.
   *
   * @example
   * await client.logout(session);
   */
  async logout(session: Session, options: { everywhere?: boolean } = {}): Promise<void> {
    const body = options.everywhere ? {} : { token: session.token, refresh_token: session.refreshToken };
    await this.request("POST", "/v2/session/logout", bearer(session), body);
  }

  /**
   * The caller's account.
   *
   * @example
   * const { user, devices, email } = await client.getAccount(session);
   */
  async getAccount(session: SessionLike): Promise<Account> {
    return this.request<Account>("GET", "/v2/account", bearer(session));
  }

  /**
   * Updates profile fields; absent fields stay, `""` clears one.
   *
   * @example
   * await client.updateAccount(session, { display_name: "Alice" });
   */
  async updateAccount(session: SessionLike, update: AccountUpdate): Promise<void> {
    await this.request("PUT", "/v2/account", bearer(session), update);
  }

  /**
   * Deletes the caller's account for good; every token of it stops working.
   *
   * @example
   * await client.deleteAccount(session);
   */
  async deleteAccount(session: SessionLike): Promise<void> {
    await this.request("DELETE", "/v2/account", bearer(session));
  }

  /** Links a device id to the caller's account. @example await client.linkDevice(session, deviceId); */
  async linkDevice(session: SessionLike, id: string): Promise<void> {
    await this.request("POST", "/v2/account/link/device", bearer(session), { id });
  }

  /** Links (or replaces) email and password. @example await client.linkEmail(session, "a@example.com", "correct horse"); */
  async linkEmail(session: SessionLike, email: string, password: string): Promise<void> {
    await this.request("POST", "/v2/account/link/email", bearer(session), { email, password });
  }

  /** Links (or replaces) the custom id. @example await client.linkCustom(session, "my-backend-user-42"); */
  async linkCustom(session: SessionLike, id: string): Promise<void> {
    await this.request("POST", "/v2/account/link/custom", bearer(session), { id });
  }

  /** Links the Steam id a Steam auth ticket proves. @example await client.linkSteam(session, ticketHex); */
  async linkSteam(session: SessionLike, ticket: string): Promise<void> {
    await this.request("POST", "/v2/account/link/steam", bearer(session), { account: { token: ticket } });
  }

  /**
   * Links the Apple id an identity token proves; one of another account is a 409.
   *
   * @example
   * await client.linkApple(session, identityToken);
   */
  async linkApple(session: SessionLike, identityToken: string, options: { nonce?: string } = {}): Promise<void> {
    await this.request("POST", "/v2/account/link/apple", bearer(session), withNonce({ token: identityToken }, options.nonce));
  }

  /** Links the Google id an ID token or Play Games auth code proves. @example await client.linkGoogle(session, idToken); */
  async linkGoogle(session: SessionLike, idTokenOrAuthCode: string): Promise<void> {
    await this.request("POST", "/v2/account/link/google", bearer(session), { token: idTokenOrAuthCode });
  }

  /** Links the Facebook id an access token or Limited Login token proves. @example await client.linkFacebook(session, accessToken); */
  async linkFacebook(session: SessionLike, token: string): Promise<void> {
    await this.request("POST", "/v2/account/link/facebook", bearer(session), { token });
  }

  /** Links the Instant Games player id signed player info proves. @example await client.linkFacebookInstantGame(session, info.getSignature()); */
  async linkFacebookInstantGame(session: SessionLike, signedPlayerInfo: string): Promise<void> {
    await this.request("POST", "/v2/account/link/facebookinstantgame", bearer(session), { signed_player_info: signedPlayerInfo });
  }

  /** Links the Game Center player id a signature proves. @example await client.linkGameCenter(session, signature); */
  async linkGameCenter(session: SessionLike, signature: GameCenterSignature): Promise<void> {
    await this.request("POST", "/v2/account/link/gamecenter", bearer(session), gameCenterBody(signature));
  }

  /**
   * Links the identity an ID token of the named OpenID Connect provider proves. An account may
   * hold identities of several providers.
   *
   * @example
   * await client.linkOidc(session, "epic", idToken);
   */
  async linkOidc(session: SessionLike, providerName: string, idToken: string, options: { nonce?: string } = {}): Promise<void> {
    await this.request("POST", `/v2/account/link/${oidcPath(providerName)}`, bearer(session), withNonce({ token: idToken }, options.nonce));
  }

  /** Unlinks a device id (not the last identity). @example await client.unlinkDevice(session, deviceId); */
  async unlinkDevice(session: SessionLike, id: string): Promise<void> {
    await this.request("POST", "/v2/account/unlink/device", bearer(session), { id });
  }

  /** Unlinks the email (not the last identity). @example await client.unlinkEmail(session, "a@example.com"); */
  async unlinkEmail(session: SessionLike, email: string): Promise<void> {
    await this.request("POST", "/v2/account/unlink/email", bearer(session), { email });
  }

  /** Unlinks the custom id (not the last identity). @example await client.unlinkCustom(session, "my-backend-user-42"); */
  async unlinkCustom(session: SessionLike, id: string): Promise<void> {
    await this.request("POST", "/v2/account/unlink/custom", bearer(session), { id });
  }

  /**
   * Unlinks the Steam id (not the last identity): the one `ticket` proves, or without a ticket
   * whatever Steam id the account has.
   *
   * @example
   * await client.unlinkSteam(session);
   */
  async unlinkSteam(session: SessionLike, ticket?: string): Promise<void> {
    await this.request("POST", "/v2/account/unlink/steam", bearer(session), { token: ticket ?? "" });
  }

  /**
   * Unlinks the Apple id (not the last identity): the one `identityToken` proves, or without a
   * token whatever Apple id the account has. The same holds for every `unlink<Provider>` below.
   *
   * @example
   * await client.unlinkApple(session);
   */
  async unlinkApple(session: SessionLike, identityToken?: string): Promise<void> {
    await this.request("POST", "/v2/account/unlink/apple", bearer(session), { token: identityToken ?? "" });
  }

  /** Unlinks the Google id (not the last identity). @example await client.unlinkGoogle(session); */
  async unlinkGoogle(session: SessionLike, idTokenOrAuthCode?: string): Promise<void> {
    await this.request("POST", "/v2/account/unlink/google", bearer(session), { token: idTokenOrAuthCode ?? "" });
  }

  /** Unlinks the Facebook id (not the last identity). @example await client.unlinkFacebook(session); */
  async unlinkFacebook(session: SessionLike, token?: string): Promise<void> {
    await this.request("POST", "/v2/account/unlink/facebook", bearer(session), { token: token ?? "" });
  }

  /** Unlinks the Instant Games player id (not the last identity). @example await client.unlinkFacebookInstantGame(session); */
  async unlinkFacebookInstantGame(session: SessionLike, signedPlayerInfo?: string): Promise<void> {
    await this.request("POST", "/v2/account/unlink/facebookinstantgame", bearer(session), { signed_player_info: signedPlayerInfo ?? "" });
  }

  /** Unlinks the Game Center player id (not the last identity), checked when a signature is given. @example await client.unlinkGameCenter(session); */
  async unlinkGameCenter(session: SessionLike, signature?: GameCenterSignature): Promise<void> {
    await this.request("POST", "/v2/account/unlink/gamecenter", bearer(session), signature === undefined ? {} : gameCenterBody(signature));
  }

  /**
   * Unlinks the named OpenID Connect provider's identity (not the last identity): the one
   * `idToken` proves, or without one the account's identity of that provider.
   *
   * @example
   * await client.unlinkOidc(session, "epic");
   */
  async unlinkOidc(session: SessionLike, providerName: string, idToken?: string): Promise<void> {
    await this.request("POST", `/v2/account/unlink/${oidcPath(providerName)}`, bearer(session), { token: idToken ?? "" });
  }

  /**
   * The caller's live sessions (devices signed in), newest first.
   *
   * @example
   * for (const s of await client.listSessions(session)) console.log(s.user_agent, s.current);
   */
  async listSessions(session: SessionLike): Promise<SessionInfo[]> {
    return (await this.request<{ sessions: SessionInfo[] }>("GET", "/v2/account/sessions", bearer(session))).sessions;
  }

  /**
   * Ends one of the caller's sessions, e.g. a lost phone.
   *
   * @example
   * await client.endSession(session, lostPhoneSessionId);
   */
  async endSession(session: SessionLike, sessionId: string): Promise<void> {
    await this.request("DELETE", `/v2/account/sessions/${encodeURIComponent(sessionId)}`, bearer(session));
  }

  /**
   * Signs a game server in with its credential. The session renews its token with the secret
   * before it expires; `close()` it at shutdown.
   *
   * @example
   * const server = await client.authenticateGameServer({ identity: "eu-west-1", secret });
   */
  async authenticateGameServer(credential: GameServerCredential): Promise<GameServerSession> {
    const { identity, secret } = credential ?? {};
    // A renewal names the current token, so the instance's auth sessions and pending events carry over.
    const signIn = (previousToken?: string) =>
      this.request<GameServerTokenJson>(
        "POST",
        "/v2/tickets/server/authenticate",
        { kind: "key" },
        previousToken === undefined ? { identity, secret } : { identity, secret, previous_token: previousToken },
      );
    return new GameServerSession(await signIn(), signIn, { clock: this.clock, timers: this.timers });
  }

  /**
   * Gets a ticket (Steam's GetAuthSessionTicket) that only `identity` may validate: a game
   * server's identity, or a peer's user id. Without one, any validator may. `AuthTickets` wraps this.
   *
   * @example
   * const { handle, ticket } = await client.createTicket(session, { identity: "eu-west-1" });
   */
  async createTicket(session: SessionLike, options: { identity?: string } = {}): Promise<TicketJson> {
    return this.request<TicketJson>("POST", "/v2/tickets", bearer(session), options.identity === undefined ? {} : { identity: options.identity });
  }

  /** The player's open tickets. @example const open = await client.listTickets(session); */
  async listTickets(session: SessionLike): Promise<OpenTicketJson[]> {
    return (await this.request<{ tickets: OpenTicketJson[] }>("GET", "/v2/tickets", bearer(session))).tickets;
  }

  /**
   * Cancels a ticket (Steam's CancelAuthTicket): a validator holding it gets AuthTicketCanceled.
   * 404 when unknown or already cancelled.
   *
   * @example
   * await client.cancelTicket(session, handle);
   */
  async cancelTicket(session: SessionLike, handle: number): Promise<void> {
    await this.request("DELETE", `/v2/tickets/${encodeURIComponent(String(handle))}`, bearer(session));
  }

  /**
   * Cancels every open ticket of the player's account (on all its devices); returns how many.
   *
   * @example
   * const canceled = await client.cancelAllTickets(session);
   */
  async cancelAllTickets(session: SessionLike): Promise<number> {
    return (await this.request<{ canceled: number }>("DELETE", "/v2/tickets", bearer(session))).canceled;
  }

  /**
   * Begins an auth session (Steam's BeginAuthSession) for a hex ticket and the player it must
   * prove. `AuthTickets` wraps this and follows the responses.
   *
   * @example
   * const { result, auth_session } = await client.beginAuthSession(server, ticketHex, playerId);
   */
  async beginAuthSession(validator: ValidatorLike, ticket: string, userId: string, options: { appId?: number } = {}): Promise<BeginAuthSessionJson> {
    const body: Record<string, unknown> = { ticket, user_id: userId };
    if (options.appId !== undefined) body["app_id"] = options.appId;
    return this.request<BeginAuthSessionJson>("POST", "/v2/tickets/auth-sessions", bearer(validator), body);
  }

  /** The validator's live auth sessions. @example const live = await client.listAuthSessions(server); */
  async listAuthSessions(validator: ValidatorLike): Promise<AuthSessionJson[]> {
    return (await this.request<{ auth_sessions: AuthSessionJson[] }>("GET", "/v2/tickets/auth-sessions", bearer(validator))).auth_sessions;
  }

  /**
   * Ends an auth session (Steam's EndAuthSession). 404 when it is not live or not this validator's.
   *
   * @example
   * await client.endAuthSession(server, authSessionId);
   */
  async endAuthSession(validator: ValidatorLike, authSessionId: string): Promise<void> {
    await this.request("DELETE", `/v2/tickets/auth-sessions/${encodeURIComponent(authSessionId)}`, bearer(validator));
  }

  /**
   * The pull API: acknowledges `ack` (at most 100 ids), then returns the validator's pending
   * events, waiting up to `waitMs` (0-30000) for one when there are none. Events come again until
   * acknowledged, so de-duplicate by `id`. The call's time-out is `waitMs` plus the client's.
   *
   * @example
   * const { events } = await client.pollAuthSessionEvents(server, { ack: handled, waitMs: 25_000 });
   */
  async pollAuthSessionEvents(
    validator: ValidatorLike,
    options: { ack?: string[]; waitMs?: number } & Pick<CallOptions, "signal"> = {},
  ): Promise<AuthSessionEventJson[]> {
    const waitMs = options.waitMs ?? 0;
    const body = { ack: options.ack ?? [], wait_ms: waitMs };
    const call: CallOptions = { timeoutMs: this.timeoutMs + waitMs };
    if (options.signal) call.signal = options.signal;
    return (await this.request<{ events: AuthSessionEventJson[] }>("POST", "/v2/tickets/auth-sessions/poll", bearer(validator), body, call)).events;
  }

  /**
   * The player's license, borrowed licenses and loans, and who owns the copy it plays.
   *
   * @example
   * const { owns_app, owner_id, is_borrowed } = await client.getLicenses(session);
   */
  async getLicenses(session: SessionLike): Promise<LicensesJson> {
    return this.request<LicensesJson>("GET", "/v2/licenses", bearer(session));
  }

  /**
   * Lends the player's app to another player (family sharing): the borrower's validators then see
   * this player as the game owner.
   *
   * @example
   * await client.lendLicense(session, friendId);
   */
  async lendLicense(session: SessionLike, borrowerId: string): Promise<void> {
    await this.request("POST", "/v2/licenses/loans", bearer(session), { borrower_id: borrowerId });
  }

  /** Ends a loan made with `lendLicense`. @example await client.endLicenseLoan(session, friendId); */
  async endLicenseLoan(session: SessionLike, borrowerId: string): Promise<void> {
    await this.request("DELETE", `/v2/licenses/loans/${encodeURIComponent(borrowerId)}`, bearer(session));
  }

  /**
   * Code-Link, on the signed-out device: a sign-in code to show, for the challenge of a verifier
   * the device keeps (see `newCodeVerifier`, `codeChallengeOf`). `AuthenticationService.generateSignInCode`
   * does all of it.
   *
   * @example
   * const verifier = newCodeVerifier();
   * const { sign_in_code, code_link_session_id } = await client.generateSignInCode(await codeChallengeOf(verifier), "Living-room TV");
   */
  async generateSignInCode(codeChallenge: string, identifier?: string): Promise<CodeLinkGenerateJson> {
    const body: Record<string, unknown> = { code_challenge: codeChallenge };
    if (identifier !== undefined) body["identifier"] = identifier;
    return this.request<CodeLinkGenerateJson>("POST", "/v2/account/code-link/generate", { kind: "key" }, body);
  }

  /**
   * Code-Link, on the signed-in device: the device identifier and expiry of a code the player typed.
   *
   * @example
   * const { identifier, expiration } = await client.getSignInCodeInfo(session, "BCDF-GHJK");
   */
  async getSignInCodeInfo(session: SessionLike, signInCode: string): Promise<CodeLinkInfoJson> {
    return this.request<CodeLinkInfoJson>("POST", "/v2/account/code-link/info", bearer(session), { sign_in_code: signInCode });
  }

  /**
   * Code-Link, on the signed-in device: the waiting device signs in as this player.
   *
   * @example
   * await client.confirmSignInCode(session, "BCDF-GHJK");
   */
  async confirmSignInCode(session: SessionLike, signInCode: string): Promise<void> {
    await this.request("POST", "/v2/account/code-link/confirm", bearer(session), { sign_in_code: signInCode });
  }

  /**
   * Code-Link, on the waiting device: one poll. Resolves with the session once the code is
   * confirmed, or with RFC 8628's pending answer; rejects with a `TesseraError` whose
   * `body.error` is `expired_token` (404: expired, used or unknown) or `invalid_grant` (401: wrong verifier).
   *
   * @example
   * const r = await client.signInWithCode(codeLinkSessionId, verifier);
   * if (r.signedIn) use(r.session); else await wait(r.intervalSec);
   */
  async signInWithCode(codeLinkSessionId: string, codeVerifier: string, options: { vars?: Record<string, string> } = {}): Promise<CodeSignInResult> {
    const body: Record<string, unknown> = { code_link_session_id: codeLinkSessionId, code_verifier: codeVerifier };
    if (options.vars !== undefined) body["vars"] = options.vars;
    try {
      const res = await this.request<{ token: string; refresh_token: string }>("POST", "/v2/account/code-link/sign-in", { kind: "key" }, body);
      return { signedIn: true, session: new Session(res.token, res.refresh_token, false) };
    } catch (err) {
      const error = err instanceof TesseraError && err.status === 400 ? err.body?.["error"] : undefined;
      const interval = err instanceof TesseraError ? err.body?.["interval"] : undefined;
      if ((error === CodeLinkPollErrors.authorizationPending || error === CodeLinkPollErrors.slowDown) && typeof interval === "number") {
        return { signedIn: false, slowDown: error === CodeLinkPollErrors.slowDown, intervalSec: interval };
      }
      throw err;
    }
  }

  private async authenticate(kind: string, body: Record<string, unknown>, options: AuthenticateOptions, extraQuery?: Record<string, string>): Promise<Session> {
    const query = new URLSearchParams();
    if (options.create !== undefined) query.set("create", String(options.create));
    if (options.username !== undefined) query.set("username", options.username);
    for (const [name, value] of Object.entries(extraQuery ?? {})) query.set(name, value);
    const qs = query.toString();
    const res = await this.request<{ token: string; refresh_token: string; created?: boolean }>(
      "POST",
      `/v2/account/authenticate/${kind}${qs ? "?" + qs : ""}`,
      { kind: "key" },
      body,
    );
    return new Session(res.token, res.refresh_token, res.created === true);
  }

  private async request<T>(method: string, path: string, auth: Auth, body?: unknown, call: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    headers["Authorization"] = auth.kind === "key" ? "Basic " + base64(this.serverKey + ":") : "Bearer " + auth.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const timeoutMs = call.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    const timer = this.timers.setTimeout(() => controller.abort(), timeoutMs);
    const caller = call.signal;
    const abort = () => controller.abort();
    caller?.addEventListener("abort", abort, { once: true });
    if (caller?.aborted) controller.abort();
    /** Why no (whole) answer came: the caller aborted, the time-out passed, or the transport failed. */
    const failure = (err: unknown, status: number, transportMessage: string, timeoutMessage: string): TesseraError => {
      if (caller?.aborted) return new TesseraError("transport", GrpcCode.CANCELLED, `The call to ${this.url} was aborted.`, status, { cause: err });
      if (controller.signal.aborted) return new TesseraError("timeout", GrpcCode.DEADLINE_EXCEEDED, timeoutMessage, status, { cause: err });
      return new TesseraError("transport", GrpcCode.UNAVAILABLE, transportMessage, status, { cause: err });
    };
    let res: Response;
    let text: string;
    try {
      try {
        res = await this.fetchImpl(this.url + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: controller.signal,
        });
      } catch (err) {
        throw failure(err, 0, `Cannot reach ${this.url}: ${(err as Error).message}`, `No answer from ${this.url} within ${timeoutMs} ms.`);
      }
      try {
        text = await res.text();
      } catch (err) {
        const cutOff = `The answer from ${this.url} was cut off.`;
        throw failure(err, res.status, cutOff, cutOff);
      }
    } finally {
      this.timers.clearTimeout(timer);
      caller?.removeEventListener("abort", abort);
    }
    let parsed: unknown;
    try {
      parsed = text === "" ? {} : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const e = parsed as { code?: unknown; message?: unknown } | undefined;
      const code = typeof e?.code === "number" ? e.code : GrpcCode.UNKNOWN;
      const message = typeof e?.message === "string" ? e.message : `HTTP ${res.status}`;
      const body = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
      throw new TesseraError("api", code, message, res.status, body === undefined ? undefined : { body });
    }
    if (parsed === undefined) throw new TesseraError("api", GrpcCode.INTERNAL, "The server answered with a body that is not JSON.", res.status);
    return parsed as T;
  }
}

function bearer(session: ValidatorLike): Auth {
  return { kind: "bearer", token: typeof session === "string" ? session : session.token };
}

/** `oidc/<name>`: the provider's name is one path segment. */
function oidcPath(providerName: string): string {
  return `oidc/${encodeURIComponent(providerName)}`;
}

function withNonce(body: Record<string, unknown>, nonce: string | undefined): Record<string, unknown> {
  return nonce === undefined ? body : { ...body, nonce };
}

/** Nakama's `AccountGameCenter` fields; `timestamp_seconds` a string, as nakama-js sends it. */
function gameCenterBody(g: GameCenterSignature): Record<string, string> {
  return {
    player_id: g.playerId,
    bundle_id: g.bundleId,
    timestamp_seconds: String(g.timestamp),
    salt: g.salt,
    signature: g.signature,
    public_key_url: g.publicKeyUrl,
  };
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
