/**
 * `AuthenticationService`: the sign-in lifecycle of Unity Authentication on top of a Tessera (or
 * Nakama-compatible) server. It keeps the long-lived session token (the refresh token) in a
 * storage keyed by project and profile, refreshes the short access token on its own schedule,
 * and reports states and events. Every failure is an `AuthenticationError` with Unity's codes.
 */
import type { Account, AuthenticateOptions, Client, GameCenterSignature, SessionInfo } from "./client.js";
import type { Clock, TimeOptions, TimerHandle, Timers } from "./clock.js";
import { Emitter } from "./emitter.js";
import { AuthenticationError, AuthenticationErrorCodes, CommonErrorCodes, TesseraError, isTransient, toAuthenticationError, type Operation } from "./errors.js";
import { refreshTiming, Stopwatch, type RefreshTiming } from "./refresh-timing.js";
import { decodeClaims, type Session } from "./session.js";
import { codeChallengeOf, newCodeVerifier } from "./code-link.js";
import { MemoryStorage, WebStorage, sessionTokenKey, type TokenStorage } from "./storage.js";

/** The five states of Unity Authentication. */
export const AuthenticationState = {
  SignedOut: "SignedOut",
  SigningIn: "SigningIn",
  Authorized: "Authorized",
  Refreshing: "Refreshing",
  Expired: "Expired",
} as const;
export type AuthenticationState = (typeof AuthenticationState)[keyof typeof AuthenticationState];

export interface AuthenticationEvents {
  /** A sign-in succeeded (not fired on refresh). */
  signedIn: () => void;
  /** `signOut` ended the session locally. */
  signedOut: () => void;
  /** The access token expired without a successful refresh, or the server rejected the session. */
  expired: () => void;
  /** A sign-in attempt failed. */
  signInFailed: (error: AuthenticationError) => void;
  /** `generateSignInCode` got a code to show (Unity's SignInCodeReceived). */
  signInCodeReceived: (info: SignInCodeInfo) => void;
  /** The generated code expired (or was used) before it signed this device in (Unity's SignInCodeExpired). */
  signInCodeExpired: () => void;
}

/** A Code-Link sign-in code, as Unity's `SignInCodeInfo`: `expiration` is unix seconds as a string. */
export interface SignInCodeInfo {
  signInCode: string;
  expiration: string;
  /** What the waiting device calls itself ("" when it gave nothing). */
  identifier: string;
}

export interface SignInWithCodeOptions {
  /** Wait and poll until the code is confirmed or expires (default false: one attempt). */
  usePolling?: boolean;
  /** Stops the polling; the call then rejects with Timeout (2). */
  signal?: AbortSignal;
  /** Session variables. */
  vars?: Record<string, string>;
}

/** The code this device generated and waits on. */
interface PendingCodeLink {
  sessionId: string;
  verifier: string;
  intervalSec: number;
}
export type AuthenticationEventName = keyof AuthenticationEvents;

/**
 * `clock` and `timers` time the access token's lifetime and schedule its refresh, expiry and
 * retries; they default to the client's (`ClientOptions.clock`, `ClientOptions.timers`).
 */
export interface AuthenticationServiceOptions extends TimeOptions {
  client: Client;
  /** Your game's id; part of the storage key so several games can share one storage. */
  projectId: string;
  /** Local player profile (`^[a-zA-Z0-9_-]{1,30}$`), default `"default"`. */
  profile?: string;
  /** Where the session token is kept: default `WebStorage` in browsers, `MemoryStorage` elsewhere. */
  storage?: TokenStorage;
  /** Refresh automatically before expiry (default true). Set false where the game drives refresh. */
  autoRefresh?: boolean;
}

export interface SignInOptions {
  /** Create the account if the identity is unknown (default true). */
  createAccount?: boolean;
  /** Username for a new account. */
  username?: string;
  /** Session variables. */
  vars?: Record<string, string>;
}

/** Options of a sign-in with an ID token that may carry a nonce (Apple, OpenID Connect). */
export interface IdTokenSignInOptions extends SignInOptions {
  /** The nonce the app gave the provider; the token's `nonce` must be it or its SHA-256 (hex). Absent: not checked. */
  nonce?: string;
}

/** Options of a Facebook sign-in. */
export interface FacebookSignInOptions extends SignInOptions {
  /** Nakama's friend import flag; Tessera accepts it and imports nothing. */
  sync?: boolean;
}

/**
 * The `typeId` of a linked identity. Unity's ids where Unity has the provider ("apple.com",
 * "google.com", "facebook.com", "apple-game-center"); Tessera's own for the rest ("device",
 * "email", "custom", "steam", "facebook-instant-games"). A Google Play Games id is "google.com"
 * too: the server keeps both in `google_id`, as Nakama does.
 */
export type IdentityTypeId =
  | "device"
  | "email"
  | "custom"
  | "steam"
  | "apple.com"
  | "google.com"
  | "facebook.com"
  | "facebook-instant-games"
  | "apple-game-center";

export interface PlayerInfo {
  id: string;
  username: string;
  displayName?: string;
  createdAt: Date;
  /**
   * Every identity in the account JSON (`GET /v2/account`). OpenID Connect identities are not
   * there (Nakama's account JSON has no field for them), so they are not listed.
   */
  identities: { typeId: IdentityTypeId; userId: string }[];
}

const PROFILE = /^[a-zA-Z0-9_-]{1,30}$/;
const MAX_TIMER_SEC = Math.floor((2 ** 31 - 1) / 1000);

/**
 * @example
 * const auth = new AuthenticationService({ client, projectId: "my-game", storage: new MemoryStorage() });
 * auth.on("signedIn", () => console.log("player", auth.playerId));
 * await auth.signInAnonymously();
 */
export class AuthenticationService {
  readonly client: Client;
  readonly projectId: string;
  readonly autoRefresh: boolean;
  private readonly storage: TokenStorage;
  private currentProfile: string;
  private currentState: AuthenticationState = AuthenticationState.SignedOut;
  private session: Session | null = null;
  private stopwatch: Stopwatch | null = null;
  private timing: RefreshTiming | null = null;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private refreshTimer: TimerHandle | undefined;
  private expiryTimer: TimerHandle | undefined;
  private inFlightRefresh: Promise<void> | null = null;
  private codeLink: PendingCodeLink | null = null;
  /** Bumped by every sign-in and sign-out, so a late answer of an older epoch is ignored. */
  private epoch = 0;
  private readonly events = new Emitter<AuthenticationEvents>("AuthenticationService");

  constructor(options: AuthenticationServiceOptions) {
    if (!options?.client) throw new AuthenticationError(AuthenticationErrorCodes.InvalidParameters, "AuthenticationService: options.client is required.");
    if (typeof options.projectId !== "string" || options.projectId === "") {
      throw new AuthenticationError(AuthenticationErrorCodes.InvalidParameters, "AuthenticationService: options.projectId is required.");
    }
    const profile = options.profile ?? "default";
    if (!PROFILE.test(profile)) throw profileError(profile);
    this.client = options.client;
    this.projectId = options.projectId;
    this.currentProfile = profile;
    this.autoRefresh = options.autoRefresh ?? true;
    this.storage = options.storage ?? defaultStorage();
    this.clock = options.clock ?? this.client.clock;
    this.timers = options.timers ?? this.client.timers;
  }

  // ---- states -------------------------------------------------------------------------------

  /** The current state: SignedOut, SigningIn, Authorized, Refreshing or Expired. */
  get state(): AuthenticationState {
    return this.currentState;
  }
  /** Authorized, Refreshing or Expired. */
  get isSignedIn(): boolean {
    const s = this.currentState;
    return s === AuthenticationState.Authorized || s === AuthenticationState.Refreshing || s === AuthenticationState.Expired;
  }
  /** Authorized or Refreshing: the access token can be used. */
  get isAuthorized(): boolean {
    return this.currentState === AuthenticationState.Authorized || this.currentState === AuthenticationState.Refreshing;
  }
  get isExpired(): boolean {
    return this.currentState === AuthenticationState.Expired;
  }
  get isRefreshing(): boolean {
    return this.currentState === AuthenticationState.Refreshing;
  }
  /** The signed-in player's id, or null. */
  get playerId(): string | null {
    return this.session?.userId ?? null;
  }
  /** The signed-in player's username, or null. */
  get playerName(): string | null {
    return this.session?.username ?? null;
  }
  /** The access token while authorized, else null. Prefer `getAccessToken()`, which refreshes first when due. */
  get accessToken(): string | null {
    return this.isAuthorized ? (this.session?.token ?? null) : null;
  }
  /** The current session (tokens and claims), or null. */
  get currentSession(): Session | null {
    return this.session;
  }
  get profile(): string {
    return this.currentProfile;
  }
  /** Whether a session token is cached for this project and profile. */
  get sessionTokenExists(): boolean {
    return this.storage.getItem(this.key()) !== null;
  }

  // ---- events -------------------------------------------------------------------------------

  /**
   * Subscribes to an event.
   *
   * @example
   * const onExpired = () => showSignInScreen();
   * auth.on("expired", onExpired);
   */
  on<K extends AuthenticationEventName>(event: K, listener: AuthenticationEvents[K]): this {
    this.events.on(event, listener);
    return this;
  }

  /**
   * Unsubscribes a listener added with `on`.
   *
   * @example
   * auth.off("expired", onExpired);
   */
  off<K extends AuthenticationEventName>(event: K, listener: AuthenticationEvents[K]): this {
    this.events.off(event, listener);
    return this;
  }

  // ---- sign-in --------------------------------------------------------------------------------

  /**
   * Signs in with the cached session token if there is one — whatever provider created it —
   * otherwise creates an anonymous account (unless `createAccount: false`, which fails with
   * ClientNoActiveSession).
   *
   * @example
   * await auth.signInAnonymously();
   * console.log(auth.playerId);
   */
  async signInAnonymously(options: { createAccount?: boolean } = {}): Promise<void> {
    await this.signIn(async () => {
      const cached = this.storage.getItem(this.key());
      if (cached !== null) return this.cachedSignIn(cached);
      if (options.createAccount === false) {
        throw new AuthenticationError(AuthenticationErrorCodes.ClientNoActiveSession, "No cached session token, and createAccount is false.");
      }
      return this.client.authenticateAnonymous();
    });
  }

  /**
   * Signs in with a device id (10-128 bytes).
   *
   * @example
   * await auth.signInWithDevice(deviceId);
   */
  async signInWithDevice(id: string, options: SignInOptions = {}): Promise<void> {
    await this.signIn(() => this.client.authenticateDevice(id, authOptions(options)));
  }

  /**
   * Signs in with email and password.
   *
   * @example
   * await auth.signInWithEmail("player@example.com", "correct horse", { createAccount: false });
   */
  async signInWithEmail(email: string, password: string, options: SignInOptions = {}): Promise<void> {
    await this.signIn(() => this.client.authenticateEmail(email, password, authOptions(options)));
  }

  /**
   * Signs in with a custom id from your own identity system.
   *
   * @example
   * await auth.signInWithCustom("backend-user-42");
   */
  async signInWithCustom(id: string, options: SignInOptions = {}): Promise<void> {
    await this.signIn(() => this.client.authenticateCustom(id, authOptions(options)));
  }

  /**
   * Signs in with a Steam auth ticket (hex-encoded bytes from Steamworks' `GetAuthSessionTicket`
   * or `GetAuthTicketForWebApi`). The server checks it with Steam; a refused ticket is
   * InvalidToken (51), a publisher or VAC ban BannedUser (10009), Steam unreachable
   * ServiceUnavailable (3).
   *
   * @example
   * await auth.signInWithSteam(ticketHex);
   */
  async signInWithSteam(ticket: string, options: SignInOptions = {}): Promise<void> {
    await this.signIn(() => this.client.authenticateSteam(ticket, authOptions(options)));
  }

  // ---- Code-Link ------------------------------------------------------------------------------

  /**
   * Code-Link, on the signed-out device: asks for a sign-in code to show the player (and fires
   * `signInCodeReceived`); the device keeps a secret verifier for `signInWithCode`. Only while
   * signed out or expired. `identifier` names this device to the player who confirms (at most 128 bytes).
   *
   * @example
   * const { signInCode, expiration } = await auth.generateSignInCode("Living-room TV");
   * show(signInCode); // "BCDF-GHJK"
   * await auth.signInWithCode({ usePolling: true });
   */
  async generateSignInCode(identifier?: string): Promise<SignInCodeInfo> {
    this.requireSignedOut("generate a sign-in code");
    const verifier = newCodeVerifier();
    let answer: Awaited<ReturnType<Client["generateSignInCode"]>>;
    try {
      answer = await this.client.generateSignInCode(await codeChallengeOf(verifier), identifier);
    } catch (err) {
      throw toAuthenticationError(err, "codeLink");
    }
    this.codeLink = { sessionId: answer.code_link_session_id, verifier, intervalSec: answer.interval };
    const info: SignInCodeInfo = { signInCode: answer.sign_in_code, expiration: answer.expiration, identifier: identifier ?? "" };
    this.events.emit("signInCodeReceived", info);
    return info;
  }

  /**
   * Code-Link, on the signed-in device: the identifier and expiry of the code the player typed,
   * to compare with what the other device shows before confirming. An unknown or expired code is NotFound (54).
   *
   * @example
   * const info = await auth.getSignInCodeInfo(typedCode);
   * if (await ask(`Sign in ${info.identifier}?`)) await auth.confirmCode(typedCode);
   */
  async getSignInCodeInfo(code: string): Promise<SignInCodeInfo> {
    requireCode(code);
    const info = await this.withToken("codeLink", (t) => this.client.getSignInCodeInfo(t, code));
    return { signInCode: info.sign_in_code, expiration: info.expiration, identifier: info.identifier };
  }

  /**
   * Code-Link, on the signed-in device: the device that shows `code` signs in as this player.
   *
   * @example
   * await auth.confirmCode("bcdf-ghjk");
   */
  async confirmCode(code: string): Promise<void> {
    requireCode(code);
    await this.withToken("codeLink", (t) => this.client.confirmSignInCode(t, code));
  }

  /**
   * Code-Link, on the device that generated the code: signs in as the player who confirmed it,
   * like every sign-in (session token cached, Authorized, `signedIn`). Without `usePolling`, one
   * attempt: resolves false while the code is not confirmed yet. With it, waits the server's
   * interval before each attempt (longer after RFC 8628's `slow_down`) until confirmed; transient
   * failures are retried. A code that expired fires `signInCodeExpired` and rejects with NotFound (54).
   *
   * @example
   * const controller = new AbortController();
   * await auth.signInWithCode({ usePolling: true, signal: controller.signal });
   */
  async signInWithCode(options: SignInWithCodeOptions = {}): Promise<boolean> {
    const link = this.codeLink;
    if (link === null)
      throw new AuthenticationError(AuthenticationErrorCodes.ClientInvalidUserState, "No sign-in code to sign in with: call generateSignInCode first.");
    this.requireSignedOut("sign in with a code");
    const vars = options.vars === undefined ? {} : { vars: options.vars };
    for (;;) {
      if (options.usePolling) await this.waitForPoll(link.intervalSec, options.signal);
      if (this.codeLink !== link)
        throw new AuthenticationError(AuthenticationErrorCodes.ClientInvalidUserState, "The sign-in code was replaced by a newer one.");
      let result: Awaited<ReturnType<Client["signInWithCode"]>>;
      try {
        result = await this.client.signInWithCode(link.sessionId, link.verifier, vars);
      } catch (err) {
        if (err instanceof TesseraError && err.status === 404) {
          this.codeLink = null;
          this.events.emit("signInCodeExpired");
          throw new AuthenticationError(CommonErrorCodes.NotFound, "The sign-in code has expired.", { status: 404, cause: err });
        }
        if (options.usePolling && isTransient(err)) continue;
        throw toAuthenticationError(err, "codeLink");
      }
      if (result.signedIn) {
        this.codeLink = null;
        const session = result.session;
        await this.signIn(async () => session);
        return true;
      }
      link.intervalSec = result.intervalSec;
      if (!options.usePolling) return false;
    }
  }

  /**
   * Signs in with Sign in with Apple's identity token (Unity's `SignInWithAppleAsync`). The server
   * checks it against Apple's keys and its `social.apple.bundle_id`; a refused token is
   * InvalidToken (51) with the server's 401 message, Apple unreachable ServiceUnavailable (3),
   * Apple not configured on the server InvalidProvider (10008).
   *
   * @example
   * await auth.signInWithApple(credential.identityToken, { nonce: rawNonce });
   */
  async signInWithApple(idToken: string, options: IdTokenSignInOptions = {}): Promise<void> {
    await this.signIn(() => this.client.authenticateApple(idToken, { ...authOptions(options), ...nonceOption(options) }));
  }

  /**
   * Signs in with a Google ID token or a Google Play Games v2 server auth code (Unity's
   * `SignInWithGoogleAsync` and `SignInWithGooglePlayGamesAsync`); errors as `signInWithApple`.
   *
   * @example
   * await auth.signInWithGoogle(googleIdToken);
   */
  async signInWithGoogle(idTokenOrAuthCode: string, options: SignInOptions = {}): Promise<void> {
    await this.signIn(() => this.client.authenticateGoogle(idTokenOrAuthCode, authOptions(options)));
  }

  /**
   * Signs in with a Facebook user access token or a Limited Login token (Unity's
   * `SignInWithFacebookAsync`); errors as `signInWithApple`.
   *
   * @example
   * await auth.signInWithFacebook(accessToken);
   */
  async signInWithFacebook(token: string, options: FacebookSignInOptions = {}): Promise<void> {
    const sync = options.sync === undefined ? {} : { sync: options.sync };
    await this.signIn(() => this.client.authenticateFacebook(token, { ...authOptions(options), ...sync }));
  }

  /**
   * Signs in with Facebook Instant Games' signed player info (`getSignature()` of
   * `FBInstant.player.getSignedPlayerInfoAsync()`); errors as `signInWithApple`.
   *
   * @example
   * const info = await FBInstant.player.getSignedPlayerInfoAsync();
   * await auth.signInWithFacebookInstantGame(info.getSignature());
   */
  async signInWithFacebookInstantGame(signedPlayerInfo: string, options: SignInOptions = {}): Promise<void> {
    await this.signIn(() => this.client.authenticateFacebookInstantGame(signedPlayerInfo, authOptions(options)));
  }

  /**
   * Signs in with a Game Center identity verification signature (Unity's
   * `SignInWithAppleGameCenterAsync(signature, teamPlayerId, publicKeyURL, salt, timestamp)`, with
   * the bundle id the server checks); errors as `signInWithApple`.
   *
   * @example
   * await auth.signInWithGameCenter({ playerId, bundleId, publicKeyUrl, salt, signature, timestamp });
   */
  async signInWithGameCenter(signature: GameCenterSignature, options: SignInOptions = {}): Promise<void> {
    await this.signIn(() => this.client.authenticateGameCenter(signature, authOptions(options)));
  }

  /**
   * Signs in with an ID token of the server's OpenID Connect provider `providerName` (Unity's
   * `SignInWithOpenIdConnectAsync(idProviderName, idToken)`). A name the server does not know is
   * InvalidProvider (10008); other errors as `signInWithApple`.
   *
   * @example
   * await auth.signInWithOidc("epic", idToken);
   */
  async signInWithOidc(providerName: string, idToken: string, options: IdTokenSignInOptions = {}): Promise<void> {
    await this.signIn(() => this.client.authenticateOidc(providerName, idToken, { ...authOptions(options), ...nonceOption(options) }));
  }

  /**
   * Signs out locally. The session token stays cached (the next `signInAnonymously` resumes the
   * same player) unless `clearCredentials` is true, which also ends the session on the server.
   *
   * @example
   * await auth.signOut();                            // keep the player for next launch
   * await auth.signOut({ clearCredentials: true });  // forget the player on this device
   */
  async signOut(options: { clearCredentials?: boolean } = {}): Promise<void> {
    const wasSignedIn = this.currentState !== AuthenticationState.SignedOut;
    const session = this.session;
    this.epoch++;
    this.resetSession();
    this.setState(AuthenticationState.SignedOut);
    if (options.clearCredentials) {
      const key = this.key();
      const stored = this.storage.getItem(key);
      this.storage.setItem(key, null);
      if (session) await this.endOnServer(session, stored !== null && sameUser(stored, session.userId) ? stored : session.refreshToken);
    }
    if (wasSignedIn) this.events.emit("signedOut");
  }

  /**
   * Deletes the cached session token. Only while signed out; an anonymous player whose token is
   * cleared is lost unless an identity was linked.
   *
   * @example
   * await auth.signOut();
   * auth.clearSessionToken();
   */
  clearSessionToken(): void {
    if (this.currentState !== AuthenticationState.SignedOut) {
      throw new AuthenticationError(AuthenticationErrorCodes.ClientInvalidUserState, "The session token can only be cleared while signed out.");
    }
    this.storage.setItem(this.key(), null);
  }

  /**
   * Switches the local profile (several players on one device). Only while signed out.
   *
   * @example
   * await auth.signOut();
   * auth.switchProfile("player2");
   * await auth.signInAnonymously();
   */
  switchProfile(profile: string): void {
    if (typeof profile !== "string" || !PROFILE.test(profile)) throw profileError(String(profile));
    if (this.currentState !== AuthenticationState.SignedOut) {
      throw new AuthenticationError(AuthenticationErrorCodes.ClientInvalidUserState, "The profile can only be switched while signed out.");
    }
    this.currentProfile = profile;
  }

  // ---- refresh --------------------------------------------------------------------------------

  /**
   * Refreshes the access token now (single-flight: concurrent callers share one request). Called
   * automatically unless `autoRefresh` is false.
   *
   * @example
   * const auth = new AuthenticationService({ client, projectId, autoRefresh: false });
   * // the game loop, when it sees fit:
   * await auth.refreshAccessToken();
   */
  refreshAccessToken(): Promise<void> {
    if (this.inFlightRefresh) return this.inFlightRefresh;
    if (!this.session || !(this.isAuthorized || this.isExpired)) {
      return Promise.reject(new AuthenticationError(AuthenticationErrorCodes.ClientNoActiveSession, "Not signed in."));
    }
    const run = this.runRefresh().finally(() => {
      if (this.inFlightRefresh === run) this.inFlightRefresh = null;
    });
    this.inFlightRefresh = run;
    return run;
  }

  /**
   * The access token to call your own services with, refreshed first when it is due or has
   * expired (for example after the app was suspended).
   *
   * @example
   * const token = await auth.getAccessToken();
   * await fetch("/my-game-api", { headers: { Authorization: `Bearer ${token}` } });
   */
  async getAccessToken(): Promise<string> {
    if (this.inFlightRefresh) await this.inFlightRefresh.catch(() => undefined);
    if (!this.session || !this.isSignedIn) throw new AuthenticationError(AuthenticationErrorCodes.ClientNoActiveSession, "Not signed in.");
    const elapsed = this.stopwatch!.elapsedSec();
    const timing = this.timing!;
    if (this.isExpired || elapsed >= timing.refreshAfterSec) {
      try {
        await this.refreshAccessToken();
      } catch (err) {
        // Still usable: a refresh that failed for now must not fail a call the token can make.
        if (!(this.isAuthorized && isTransient(err) && this.stopwatch!.elapsedSec() < timing.expireAfterSec)) throw err;
      }
    }
    if (!this.session || !this.isAuthorized) throw new AuthenticationError(CommonErrorCodes.TokenExpired, "The session has expired; sign in again.");
    return this.session.token;
  }

  // ---- player calls ---------------------------------------------------------------------------

  /**
   * The signed-in player's account: id, username, creation time and linked identities.
   *
   * @example
   * const info = await auth.getPlayerInfo();
   * info.identities.map((i) => i.typeId); // ["device", "email"]
   */
  async getPlayerInfo(): Promise<PlayerInfo> {
    const account = await this.withToken("account", (t) => this.client.getAccount(t));
    return playerInfo(account);
  }

  /** Links a device id so the player can sign in with it. @example await auth.linkDevice(deviceId); */
  async linkDevice(id: string): Promise<void> {
    await this.withToken("link", (t) => this.client.linkDevice(t, id));
  }
  /** Links email and password. @example await auth.linkEmail("player@example.com", "correct horse"); */
  async linkEmail(email: string, password: string): Promise<void> {
    await this.withToken("link", (t) => this.client.linkEmail(t, email, password));
  }
  /** Links a custom id. @example await auth.linkCustom("backend-user-42"); */
  async linkCustom(id: string): Promise<void> {
    await this.withToken("link", (t) => this.client.linkCustom(t, id));
  }
  /**
   * Links the Steam id a Steam auth ticket proves; one of another player is AccountAlreadyLinked (10003).
   *
   * @example
   * await auth.linkSteam(ticketHex);
   */
  async linkSteam(ticket: string): Promise<void> {
    await this.withToken("link", (t) => this.client.linkSteam(t, ticket));
  }
  /**
   * Links the Apple id an identity token proves (Unity's `LinkWithAppleAsync`); one of another
   * player is AccountAlreadyLinked (10003).
   *
   * @example
   * await auth.linkApple(identityToken);
   */
  async linkApple(idToken: string, options: { nonce?: string } = {}): Promise<void> {
    await this.withToken("link", (t) => this.client.linkApple(t, idToken, options));
  }
  /** Links the Google id a token or Play Games auth code proves. @example await auth.linkGoogle(googleIdToken); */
  async linkGoogle(idTokenOrAuthCode: string): Promise<void> {
    await this.withToken("link", (t) => this.client.linkGoogle(t, idTokenOrAuthCode));
  }
  /** Links the Facebook id a token proves. @example await auth.linkFacebook(accessToken); */
  async linkFacebook(token: string): Promise<void> {
    await this.withToken("link", (t) => this.client.linkFacebook(t, token));
  }
  /** Links the Instant Games player id. @example await auth.linkFacebookInstantGame(info.getSignature()); */
  async linkFacebookInstantGame(signedPlayerInfo: string): Promise<void> {
    await this.withToken("link", (t) => this.client.linkFacebookInstantGame(t, signedPlayerInfo));
  }
  /** Links the Game Center player id a signature proves. @example await auth.linkGameCenter(signature); */
  async linkGameCenter(signature: GameCenterSignature): Promise<void> {
    await this.withToken("link", (t) => this.client.linkGameCenter(t, signature));
  }
  /**
   * Links the identity an ID token of the OpenID Connect provider `providerName` proves (Unity's
   * `LinkWithOpenIdConnectAsync`).
   *
   * @example
   * await auth.linkOidc("epic", idToken);
   */
  async linkOidc(providerName: string, idToken: string, options: { nonce?: string } = {}): Promise<void> {
    await this.withToken("link", (t) => this.client.linkOidc(t, providerName, idToken, options));
  }
  /** Unlinks a device id (not the last identity). @example await auth.unlinkDevice(deviceId); */
  async unlinkDevice(id: string): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkDevice(t, id));
  }
  /** Unlinks the email. @example await auth.unlinkEmail("player@example.com"); */
  async unlinkEmail(email: string): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkEmail(t, email));
  }
  /** Unlinks the custom id. @example await auth.unlinkCustom("backend-user-42"); */
  async unlinkCustom(id: string): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkCustom(t, id));
  }
  /**
   * Unlinks the Steam id: the one `ticket` proves, or without a ticket the player's Steam id.
   *
   * @example
   * await auth.unlinkSteam();
   */
  async unlinkSteam(ticket?: string): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkSteam(t, ticket));
  }

  /**
   * Unlinks the Apple id (Unity's `UnlinkAppleAsync`): the one `idToken` proves, or without one
   * the player's. The last identity is InvalidParameters (10002); an id not linked to the player
   * ClientUnlinkExternalIdNotFound (10005). The same for every `unlink<Provider>` below.
   *
   * @example
   * await auth.unlinkApple();
   */
  async unlinkApple(idToken?: string): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkApple(t, idToken));
  }
  /** Unlinks the Google id. @example await auth.unlinkGoogle(); */
  async unlinkGoogle(idTokenOrAuthCode?: string): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkGoogle(t, idTokenOrAuthCode));
  }
  /** Unlinks the Facebook id. @example await auth.unlinkFacebook(); */
  async unlinkFacebook(token?: string): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkFacebook(t, token));
  }
  /** Unlinks the Instant Games player id. @example await auth.unlinkFacebookInstantGame(); */
  async unlinkFacebookInstantGame(signedPlayerInfo?: string): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkFacebookInstantGame(t, signedPlayerInfo));
  }
  /** Unlinks the Game Center player id. @example await auth.unlinkGameCenter(); */
  async unlinkGameCenter(signature?: GameCenterSignature): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkGameCenter(t, signature));
  }
  /** Unlinks the player's identity of the OpenID Connect provider `providerName`. @example await auth.unlinkOidc("epic"); */
  async unlinkOidc(providerName: string, idToken?: string): Promise<void> {
    await this.withToken("unlink", (t) => this.client.unlinkOidc(t, providerName, idToken));
  }

  /**
   * The player's live sessions on every device.
   *
   * @example
   * const sessions = await auth.listSessions();
   */
  async listSessions(): Promise<SessionInfo[]> {
    return this.withToken("account", (t) => this.client.listSessions(t));
  }

  /**
   * Ends one of the player's sessions (another device).
   *
   * @example
   * await auth.endSession(lostPhone.id);
   */
  async endSession(sessionId: string): Promise<void> {
    await this.withToken("account", (t) => this.client.endSession(t, sessionId));
  }

  /**
   * Deletes the player's account on the server, then signs out clearing the credentials.
   *
   * @example
   * await auth.deleteAccount();
   */
  async deleteAccount(): Promise<void> {
    await this.withToken("delete", (t) => this.client.deleteAccount(t));
    await this.signOut({ clearCredentials: true });
  }

  // ---- internals ------------------------------------------------------------------------------

  private requireSignedOut(what: string): void {
    if (this.currentState !== AuthenticationState.SignedOut && this.currentState !== AuthenticationState.Expired) {
      throw new AuthenticationError(AuthenticationErrorCodes.ClientInvalidUserState, `Cannot ${what} while ${this.currentState}.`);
    }
  }

  /** Resolves after `seconds` on this service's timers; rejects with Timeout (2) when `signal` aborts. */
  private waitForPoll(seconds: number, signal: AbortSignal | undefined): Promise<void> {
    const cancelled = () =>
      new AuthenticationError(CommonErrorCodes.Timeout, "The operation was canceled or timed out while waiting for code confirmation.", {
        cause: signal?.reason,
      });
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.timers.clearTimeout(handle);
        reject(cancelled());
      };
      const handle = this.after(seconds, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private key(): string {
    return sessionTokenKey(this.projectId, this.currentProfile);
  }

  private async signIn(attempt: () => Promise<Session>): Promise<void> {
    if (this.currentState !== AuthenticationState.SignedOut && this.currentState !== AuthenticationState.Expired) {
      throw new AuthenticationError(AuthenticationErrorCodes.ClientInvalidUserState, `Cannot sign in while ${this.currentState}.`);
    }
    const epoch = ++this.epoch;
    const key = this.key();
    this.resetSession();
    this.setState(AuthenticationState.SigningIn);
    let session: Session;
    try {
      session = await attempt();
    } catch (err) {
      const error = toAuthenticationError(err, "signIn");
      if (epoch === this.epoch) {
        this.setState(AuthenticationState.SignedOut);
        this.events.emit("signInFailed", error);
      }
      throw error;
    }
    if (epoch !== this.epoch) {
      // Signed out while the answer was on its way. Unless its token was kept for the player (a
      // cached sign-in keeps the rotated token), nobody can reach this session again: end it.
      if (this.storage.getItem(key) !== session.refreshToken) void this.client.logout(session).catch(() => undefined);
      throw new AuthenticationError(AuthenticationErrorCodes.ClientInvalidUserState, "Signed out while signing in.");
    }
    this.storage.setItem(key, session.refreshToken);
    this.adopt(session);
    this.setState(AuthenticationState.Authorized);
    this.events.emit("signedIn");
  }

  /** Sign-in with a cached session token: a refresh. An invalid token is deleted. */
  private async cachedSignIn(token: string): Promise<Session> {
    const key = this.key();
    let session: Session;
    try {
      session = await this.client.refreshSession(token);
    } catch (err) {
      const error = toAuthenticationError(err, "cachedSignIn");
      if (!isTransient(err) && this.storage.getItem(key) === token) this.storage.setItem(key, null);
      throw error;
    }
    // The server rotated the token: persist the new one at once, even if a signOut() (keeping
    // credentials) overtook this answer; the rotated-out copy would later revoke the session.
    if (this.storage.getItem(key) === token) this.storage.setItem(key, session.refreshToken);
    return session;
  }

  private async runRefresh(): Promise<void> {
    const epoch = this.epoch;
    const key = this.key();
    const current = this.session!;
    if (this.currentState === AuthenticationState.Authorized) this.setState(AuthenticationState.Refreshing);
    // Another tab or process sharing this storage may have rotated the token already: use the
    // newest one for the same player, never a rotated-out copy (that would look like token theft).
    const stored = this.storage.getItem(key);
    const token = stored !== null && sameUser(stored, current.userId) ? stored : current.refreshToken;
    let next: Session;
    try {
      next = await this.client.refreshSession(token);
    } catch (err) {
      if (epoch !== this.epoch) throw toAuthenticationError(err, "refresh");
      if (isTransient(err)) {
        const stillValid = this.stopwatch!.elapsedSec() < this.timing!.expireAfterSec;
        if (this.currentState === AuthenticationState.Refreshing) this.setState(stillValid ? AuthenticationState.Authorized : AuthenticationState.Expired);
        if (stillValid) this.scheduleRetry();
        else {
          // Listeners of "expired" may refresh again: they must start a new refresh, not get this one.
          this.inFlightRefresh = null;
          this.expire();
        }
        throw toAuthenticationError(err, "refresh");
      }
      // Definitive rejection (revoked, banned, deleted): the cached token is useless; drop it.
      if (this.storage.getItem(key) === token) this.storage.setItem(key, null);
      this.clearTimers();
      this.session = null;
      this.inFlightRefresh = null;
      this.expire();
      throw toAuthenticationError(err, "refresh");
    }
    if (epoch !== this.epoch) {
      // Signed out meanwhile: still replace the rotated-out token if it is the one kept.
      if (this.storage.getItem(key) === token) this.storage.setItem(key, next.refreshToken);
      return;
    }
    // Persist before use: if the app dies right here, the stored token is the live one. Only over
    // the token sent: a late answer must not replace a newer token another tab stored meanwhile.
    if (this.storage.getItem(key) === token) this.storage.setItem(key, next.refreshToken);
    this.adopt(next);
    this.setState(AuthenticationState.Authorized);
  }

  /** Makes `session` current and schedules its refresh and expiry. */
  private adopt(session: Session): void {
    this.clearTimers();
    this.session = session;
    this.stopwatch = new Stopwatch(this.clock);
    // setTimeout fires at once beyond 2^31-1 ms (24.8 days): schedule longer tokens as if that long.
    this.timing = refreshTiming(Math.min(session.lifetimeSec, MAX_TIMER_SEC));
    const t = this.timing;
    if (this.autoRefresh) this.refreshTimer = this.after(t.refreshAfterSec, () => this.refreshAccessToken().catch(() => undefined));
    this.expiryTimer = this.after(t.expireAfterSec, () => {
      if (this.isAuthorized) this.expire();
    });
  }

  /** Ends `session` on the server, best effort. An expired access token cannot log out: refresh first. */
  private async endOnServer(session: Session, refreshToken: string): Promise<void> {
    try {
      await this.client.logout(session);
    } catch (err) {
      if (!(err instanceof TesseraError && err.status === 401)) return;
      await this.client
        .refreshSession(refreshToken)
        .then((fresh) => this.client.logout(fresh))
        .catch(() => undefined);
    }
  }

  private scheduleRetry(): void {
    if (!this.autoRefresh) return;
    if (this.refreshTimer !== undefined) this.timers.clearTimeout(this.refreshTimer);
    this.refreshTimer = this.after(this.timing!.retryIntervalSec, () => this.refreshAccessToken().catch(() => undefined));
  }

  private expire(): void {
    if (this.refreshTimer !== undefined) this.timers.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (this.currentState === AuthenticationState.Expired) return;
    this.setState(AuthenticationState.Expired);
    this.events.emit("expired");
  }

  /** Runs a player call with a fresh access token; a 401 gets one refresh and one retry. */
  private async withToken<T>(op: Operation, call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.getAccessToken();
    try {
      return await call(token);
    } catch (err) {
      if (err instanceof TesseraError && err.status === 401 && this.session) {
        await this.refreshAccessToken();
        try {
          return await call(this.session!.token);
        } catch (retryErr) {
          throw toAuthenticationError(retryErr, op);
        }
      }
      throw toAuthenticationError(err, op);
    }
  }

  private resetSession(): void {
    this.clearTimers();
    this.session = null;
    this.stopwatch = null;
    this.timing = null;
    this.inFlightRefresh = null;
  }

  private clearTimers(): void {
    if (this.refreshTimer !== undefined) this.timers.clearTimeout(this.refreshTimer);
    if (this.expiryTimer !== undefined) this.timers.clearTimeout(this.expiryTimer);
    this.refreshTimer = undefined;
    this.expiryTimer = undefined;
  }

  private setState(state: AuthenticationState): void {
    this.currentState = state;
  }

  private after(seconds: number, fn: () => void): TimerHandle {
    return this.timers.setTimeout(fn, Math.max(0, seconds * 1000));
  }
}

function authOptions(o: SignInOptions): AuthenticateOptions {
  const out: AuthenticateOptions = {};
  if (o.createAccount !== undefined) out.create = o.createAccount;
  if (o.username !== undefined) out.username = o.username;
  if (o.vars !== undefined) out.vars = o.vars;
  return out;
}

function nonceOption(o: IdTokenSignInOptions): { nonce?: string } {
  return o.nonce === undefined ? {} : { nonce: o.nonce };
}

function requireCode(code: string): void {
  if (typeof code !== "string" || code === "") throw new AuthenticationError(AuthenticationErrorCodes.InvalidParameters, "Code cannot be null or empty");
}

function profileError(profile: string): AuthenticationError {
  return new AuthenticationError(AuthenticationErrorCodes.ClientInvalidProfile, `Invalid profile "${profile}": use 1-30 letters, digits, '-' or '_'.`);
}

function sameUser(token: string, userId: string): boolean {
  try {
    return decodeClaims(token).uid === userId;
  } catch {
    return false;
  }
}

function defaultStorage(): TokenStorage {
  return (globalThis as { localStorage?: unknown }).localStorage ? new WebStorage() : new MemoryStorage();
}

function playerInfo(a: Account): PlayerInfo {
  const identities: PlayerInfo["identities"] = [];
  for (const d of a.devices ?? []) identities.push({ typeId: "device", userId: d.id });
  if (a.email) identities.push({ typeId: "email", userId: a.email });
  if (a.custom_id) identities.push({ typeId: "custom", userId: a.custom_id });
  if (a.user.steam_id) identities.push({ typeId: "steam", userId: a.user.steam_id });
  if (a.user.apple_id) identities.push({ typeId: "apple.com", userId: a.user.apple_id });
  if (a.user.google_id) identities.push({ typeId: "google.com", userId: a.user.google_id });
  if (a.user.facebook_id) identities.push({ typeId: "facebook.com", userId: a.user.facebook_id });
  if (a.user.facebook_instant_game_id) identities.push({ typeId: "facebook-instant-games", userId: a.user.facebook_instant_game_id });
  if (a.user.gamecenter_id) identities.push({ typeId: "apple-game-center", userId: a.user.gamecenter_id });
  const info: PlayerInfo = { id: a.user.id, username: a.user.username, createdAt: new Date(a.user.create_time), identities };
  if (a.user.display_name) info.displayName = a.user.display_name;
  return info;
}
