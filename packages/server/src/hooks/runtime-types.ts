/**
 * The types of Tessera's runtime module API, published as `@tessera/server/runtime` for modules
 * written in TypeScript (`import type { InitModule } from "@tessera/server/runtime"`). Type-only:
 * a module never needs this package at run time. Names follow Nakama's JavaScript runtime
 * (`nkruntime`), so a ported module reads the same; docs/runtime.md describes the behaviour.
 */

/** Session variables: a string-to-string map carried in both tokens (`vrs`). */
export type Vars = Record<string, string>;

/**
 * What a hook knows about the call it runs for. Fields without a value are absent (as in Nakama):
 * before an authentication or a refresh there is no user yet.
 */
export interface Context {
  /** Runtime environment values; empty in this version. */
  readonly env: Readonly<Record<string, string>>;
  /** `"run_once"` in InitModule, `"before"` or `"after"` in hooks. */
  readonly executionMode: "run_once" | "before" | "after";
  /** Name of this server (`"tessera"`). */
  readonly node: string;
  /** Tessera's version. */
  readonly version: string;
  readonly userId?: string;
  readonly username?: string;
  /** The session's vars as issued in its token: a frozen copy, read-only. */
  readonly vars?: Readonly<Vars>;
  /** Expiry (unix seconds) of the caller's access token. */
  readonly userSessionExp?: number;
  /** The session id (the token's `tid`). */
  readonly sessionId?: string;
  readonly clientIp?: string;
  readonly clientPort?: string;
}

/** Printf-style logging (`logger.info("user %s signed in", id)`, Node's `util.format`), prefixed with the module file. */
export interface Logger {
  debug(format: string, ...args: unknown[]): void;
  info(format: string, ...args: unknown[]): void;
  warn(format: string, ...args: unknown[]): void;
  error(format: string, ...args: unknown[]): void;
  /** A logger that adds `key=value` to every entry. */
  withField(key: string, value: unknown): Logger;
  withFields(fields: Record<string, unknown>): Logger;
}

/** gRPC status codes a hook may throw (`throw { code: 7, message: "..." }`); mapped to HTTP as Nakama does. */
export type GrpcCode = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16;

/** The error a hook throws to reject a call with a chosen code and message. */
export interface RuntimeError {
  code: GrpcCode;
  message: string;
}

// ---- Requests, as before hooks receive them and must return them (Nakama's JSON names) ----

export interface AccountDevice {
  id: string;
  vars: Vars;
}
export interface AccountCustom {
  id: string;
  vars: Vars;
}
export interface AccountEmail {
  /** Empty: sign in by `username` + password. */
  email: string;
  password: string;
  vars: Vars;
}
/** A Steam auth ticket (hex) as `token`; also the body of `UnlinkSteam` (an empty token unlinks whatever Steam id the account has). */
export interface AccountSteam {
  token: string;
  vars: Vars;
}
/** A provider's signed token (an identity token, an ID token, a Facebook access or Limited Login token). */
export interface AccountToken {
  token: string;
  vars: Vars;
}
/** Apple's identity token; `nonce` (Tessera): when sent, the token's nonce must be it or its SHA-256 (hex). */
export interface AccountApple extends AccountToken {
  nonce: string;
}
export type AccountGoogle = AccountToken;
export type AccountFacebook = AccountToken;
/** An OpenID Connect ID token (Tessera; Nakama has no OpenID Connect sign-in). */
export type AccountOidc = AccountApple;
export interface AccountFacebookInstantGame {
  signed_player_info: string;
  vars: Vars;
}
/** Game Center's identity verification signature, in Nakama's field names; `timestamp_seconds` as sent. */
export interface AccountGameCenter {
  player_id: string;
  bundle_id: string;
  timestamp_seconds: string;
  salt: string;
  signature: string;
  public_key_url: string;
  vars: Vars;
}
/** Tessera's anonymous sign-in carries only vars. */
export interface AccountAnonymous {
  vars: Vars;
}

interface AuthenticateRequest<A> {
  account: A;
  /** Create the account if the identity is unknown (query parameter `create`, default true). */
  create: boolean;
  /** Username for a new account (query parameter `username`); `""` when absent. */
  username: string;
}
export type AuthenticateDeviceRequest = AuthenticateRequest<AccountDevice>;
export type AuthenticateCustomRequest = AuthenticateRequest<AccountCustom>;
export type AuthenticateEmailRequest = AuthenticateRequest<AccountEmail>;
export type AuthenticateAnonymousRequest = AuthenticateRequest<AccountAnonymous>;
export interface AuthenticateSteamRequest extends AuthenticateRequest<AccountSteam> {
  /** Nakama's friend import; accepted and ignored (Tessera keeps no friend lists). */
  sync: boolean;
}

export type AuthenticateAppleRequest = AuthenticateRequest<AccountApple>;
export type AuthenticateGoogleRequest = AuthenticateRequest<AccountGoogle>;
export interface AuthenticateFacebookRequest extends AuthenticateRequest<AccountFacebook> {
  /** Nakama's friend import; accepted and ignored (Tessera keeps no friend lists). */
  sync: boolean;
}
export type AuthenticateFacebookInstantGameRequest = AuthenticateRequest<AccountFacebookInstantGame>;
export type AuthenticateGameCenterRequest = AuthenticateRequest<AccountGameCenter>;
export type AuthenticateOidcRequest = AuthenticateRequest<AccountOidc>;

/** Link a Steam id: the ticket in `account.token`. */
export interface LinkSteamRequest {
  account: AccountSteam;
  /** Nakama's friend import; accepted and ignored. */
  sync: boolean;
}

export interface SessionRefreshRequest {
  /** The refresh token. */
  token: string;
  /** `{}` keeps the session's vars; a non-empty map replaces them. */
  vars: Vars;
}

export interface SessionLogoutRequest {
  /** `""` when absent. With neither token, every session of the caller ends. */
  token: string;
  refreshToken: string;
}

/** Profile update: `null` leaves a field as it is, `""` clears it. */
export interface UpdateAccountRequest {
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  langTag: string | null;
  location: string | null;
  timezone: string | null;
}

/** Link or unlink a device id or custom id. */
export interface IdentityIdRequest {
  id: string;
}

/** Link or unlink an email (the password is ignored when unlinking). */
export interface EmailRequest {
  email: string;
  password: string;
}

/** Tessera: end one of the caller's sessions. */
export interface DeleteSessionRequest {
  sessionId: string;
}

// ---- What after hooks receive as `data` (Nakama's JSON names) ----

export interface Session {
  created: boolean;
  token: string;
  refreshToken: string;
}

export interface User {
  id: string;
  username: string;
  displayName?: string;
  avatarUrl?: string;
  langTag?: string;
  location?: string;
  timezone?: string;
  metadata: string;
  steamId?: string;
  online?: boolean;
  createTime: string;
  updateTime: string;
}

export interface Account {
  user: User;
  wallet: string;
  email?: string;
  devices?: { id: string }[];
  customId?: string;
  verifyTime?: string;
}

export interface SessionSummary {
  id: string;
  createTime: string;
  lastRefreshTime?: string;
  expireTime: string;
  clientIp?: string;
  userAgent?: string;
  current: boolean;
}

export interface SessionList {
  sessions: SessionSummary[];
}

/** Code-Link (Tessera's, docs/code-link.md): a signed-out device asks for a sign-in code. */
export interface GenerateSignInCodeRequest {
  /** What the device calls itself; absent when it gave nothing. */
  identifier?: string;
  /** Lower-case hex SHA-256 of the device's code verifier. */
  code_challenge: string;
}
/** Code-Link: a signed-in player names a code (info, confirm). */
export interface SignInCodeRequest {
  sign_in_code: string;
}
/** Code-Link: the waiting device's poll. */
export interface SignInWithCodeRequest {
  code_link_session_id: string;
  code_verifier: string;
  vars?: Vars;
}
/** Code-Link: a new code, as the device receives it. */
export interface SignInCodeGenerated {
  codeLinkSessionId: string;
  signInCode: string;
  /** Unix seconds, as a string. */
  expiration: string;
  interval: number;
}
/** Code-Link: a live code's details, as the signed-in player reads them. */
export interface SignInCodeDetails {
  signInCode: string;
  identifier: string;
  expiration: string;
}

/**
 * Every hook: its request (`void`: the call has no input, and a before hook's return value is
 * ignored) and the `data` its after hook receives (`void`: the call answers `{}`).
 */
export interface HookTypes {
  AuthenticateDevice: { request: AuthenticateDeviceRequest; data: Session };
  AuthenticateEmail: { request: AuthenticateEmailRequest; data: Session };
  AuthenticateCustom: { request: AuthenticateCustomRequest; data: Session };
  AuthenticateSteam: { request: AuthenticateSteamRequest; data: Session };
  AuthenticateApple: { request: AuthenticateAppleRequest; data: Session };
  AuthenticateGoogle: { request: AuthenticateGoogleRequest; data: Session };
  AuthenticateFacebook: { request: AuthenticateFacebookRequest; data: Session };
  AuthenticateFacebookInstantGame: { request: AuthenticateFacebookInstantGameRequest; data: Session };
  AuthenticateGameCenter: { request: AuthenticateGameCenterRequest; data: Session };
  /** Tessera's: the provider's name is not part of the request (it is the route's path). */
  AuthenticateOidc: { request: AuthenticateOidcRequest; data: Session };
  AuthenticateAnonymous: { request: AuthenticateAnonymousRequest; data: Session };
  SessionRefresh: { request: SessionRefreshRequest; data: Session };
  SessionLogout: { request: SessionLogoutRequest; data: void };
  GetAccount: { request: void; data: Account };
  UpdateAccount: { request: UpdateAccountRequest; data: void };
  DeleteAccount: { request: void; data: void };
  LinkDevice: { request: IdentityIdRequest; data: void };
  LinkEmail: { request: EmailRequest; data: void };
  LinkCustom: { request: IdentityIdRequest; data: void };
  LinkSteam: { request: LinkSteamRequest; data: void };
  LinkApple: { request: AccountApple; data: void };
  LinkGoogle: { request: AccountGoogle; data: void };
  LinkFacebook: { request: AccountFacebook; data: void };
  LinkFacebookInstantGame: { request: AccountFacebookInstantGame; data: void };
  LinkGameCenter: { request: AccountGameCenter; data: void };
  LinkOidc: { request: AccountOidc; data: void };
  UnlinkDevice: { request: IdentityIdRequest; data: void };
  UnlinkEmail: { request: EmailRequest; data: void };
  UnlinkCustom: { request: IdentityIdRequest; data: void };
  UnlinkSteam: { request: AccountSteam; data: void };
  UnlinkApple: { request: AccountApple; data: void };
  UnlinkGoogle: { request: AccountGoogle; data: void };
  UnlinkFacebook: { request: AccountFacebook; data: void };
  UnlinkFacebookInstantGame: { request: AccountFacebookInstantGame; data: void };
  UnlinkGameCenter: { request: AccountGameCenter; data: void };
  UnlinkOidc: { request: AccountOidc; data: void };
  /** Tessera's Code-Link calls (Nakama has none). */
  GenerateSignInCode: { request: GenerateSignInCodeRequest; data: SignInCodeGenerated };
  GetSignInCodeInfo: { request: SignInCodeRequest; data: SignInCodeDetails };
  ConfirmSignInCode: { request: SignInCodeRequest; data: void };
  SignInWithCode: { request: SignInWithCodeRequest; data: Session };
  ListSessions: { request: void; data: SessionList };
  DeleteSession: { request: DeleteSessionRequest; data: void };
}

export type HookName = keyof HookTypes;

/**
 * A before hook: return the request to go on (changed or not), `null`/`undefined` to refuse the
 * call with 404 "Requested resource was not found.", or throw `{ code, message }` to refuse it
 * with that code. May be async.
 */
export type BeforeHookFunction<T> = (ctx: Context, logger: Logger, nk: Nakama, data: T) => T | null | undefined | Promise<T | null | undefined>;

/** A before hook of a call without input: only a throw refuses the call; the return value is ignored. */
export type BeforeHookFunctionNoInput = (ctx: Context, logger: Logger, nk: Nakama) => void | Promise<void>;

/** An after hook: runs once the answer is computed; what it returns or throws never changes the answer. */
export type AfterHookFunction<T, K> = (ctx: Context, logger: Logger, nk: Nakama, data: T, request: K) => void | Promise<void>;

type BeforeHookOf<K extends HookName> = [HookTypes[K]["request"]] extends [void] ? BeforeHookFunctionNoInput : BeforeHookFunction<HookTypes[K]["request"]>;

/** `registerBefore<Hook>(fn)` and `registerAfter<Hook>(fn)` for every hook; valid only while InitModule runs. */
export type Initializer = {
  [K in HookName as `registerBefore${K}`]: (fn: BeforeHookOf<K>) => void;
} & {
  [K in HookName as `registerAfter${K}`]: (fn: AfterHookFunction<HookTypes[K]["data"], HookTypes[K]["request"]>) => void;
};

/** A live session as `GET /v2/account/sessions` lists it. */
export interface SessionInfo {
  id: string;
  create_time: string;
  last_refresh_time?: string;
  expire_time: string;
  client_ip?: string;
  user_agent?: string;
  /** Always false from `nk.sessionsList` (there is no calling session). */
  current: boolean;
}

/** An account as `GET /v2/account` answers it, plus `disable_time` (RFC 3339) when banned. */
export interface ApiAccount {
  user: {
    id: string;
    username: string;
    display_name?: string;
    avatar_url?: string;
    lang_tag?: string;
    location?: string;
    timezone?: string;
    metadata: string;
    steam_id?: string;
    online?: boolean;
    create_time: string;
    update_time: string;
  };
  wallet: string;
  email?: string;
  devices?: { id: string }[];
  custom_id?: string;
  verify_time?: string;
  disable_time?: string;
}

/**
 * The server API given to modules as `nk`. Every function is async (await it) and checks its
 * arguments, throwing a `TypeError` naming the function; failures with a gRPC code (an unknown
 * account: 5) carry it as `code`, so a hook that does not catch one refuses its call with it.
 */
export interface Nakama {
  /** As `POST /v2/session/logout` for that user: ends the sessions of the given tokens, or with neither every session. */
  sessionLogout(userId: string, token?: string | null, refreshToken?: string | null): Promise<void>;
  /**
   * Closes the live sockets of a session without ending it (its tokens stay valid). `reason` is a
   * short text, or Nakama's presence reason number 0-4.
   */
  sessionDisconnect(sessionId: string, reason?: string | number | null): Promise<void>;
  /** The user's live sessions, newest first. */
  sessionsList(userId: string): Promise<SessionInfo[]>;
  /**
   * Issues an access token for an existing, unbanned account through a new session, so it can be
   * listed and revoked like any other. `username` defaults to the account's, `expiresAt` (unix
   * seconds) to now + `session.token_expiry_sec`; `vars` follow the same limits as a client's. No
   * refresh token is issued.
   */
  authenticateTokenGenerate(userId: string, username?: string | null, expiresAt?: number | null, vars?: Vars | null): Promise<{ token: string; exp: number }>;
  /**
   * Bans accounts: every session of each ends at once; sign-in and refresh answer 403. `kind`
   * (default "publisher") decides what ticket validators receive: PublisherIssuedBan (9) or
   * VACBanned (3); `reason` is kept for operators.
   */
  usersBanId(userIds: string[], options?: { kind?: "publisher" | "vac"; reason?: string } | null): Promise<void>;
  /** Lifts bans; sessions ended by the ban stay ended. */
  usersUnbanId(userIds: string[]): Promise<void>;
  accountGetId(userId: string): Promise<ApiAccount>;
  /** Deletes the account with its identities and sessions; every token of it stops working. */
  accountDeleteId(userId: string): Promise<void>;

  /** Grants (or renews) the account's own license; `expiresAt` in unix seconds makes it expire. */
  licenseGrant(userId: string, expiresAt?: number | null): Promise<void>;
  /** Revokes the account's own license and every loan of it; validators of players left without one get NoLicenseOrExpired. */
  licenseRevoke(userId: string): Promise<void>;
  /** Lends the owner's app to a borrower (family sharing). */
  licenseLend(ownerId: string, borrowerId: string): Promise<void>;
  /** Ends a loan. */
  licenseLoanEnd(ownerId: string, borrowerId: string): Promise<void>;
  /** The account's license, borrowed licenses and loans, as `GET /v2/licenses` shows them. */
  licensesGet(userId: string): Promise<LicenseStatus>;
  /** Cancels a player's ticket by handle, or every open one without a handle; returns how many. */
  authTicketsCancel(userId: string, handle?: number | null): Promise<number>;
  /** Creates a game-server credential; the secret is returned only here. */
  gameServerCreate(identity: string): Promise<{ identity: string; secret: string }>;
  /** Deletes a run-time game-server credential; its tokens stop working at once. */
  gameServerDelete(identity: string): Promise<void>;
  /** Game-server credentials (configured and created), without secrets. */
  gameServersList(): Promise<{ identity: string; source: "config" | "runtime"; create_time?: string }[]>;
  /** Makes a new ticket signing key current; the old one keeps verifying. Returns the new key id. */
  ticketKeyRotate(): Promise<string>;
}

export interface LicenseStatus {
  license?: { owner_id: string; create_time: string; expire_time?: string };
  borrowed: { owner_id: string; create_time: string; expire_time?: string }[];
  lent_to: { user_id: string; create_time: string }[];
  owns_app: boolean;
  owner_id?: string;
  is_borrowed?: boolean;
}

/** The function every module exports; it registers the module's hooks. May be async. */
export type InitModule = (ctx: Context, logger: Logger, nk: Nakama, initializer: Initializer) => void | Promise<void>;
