/**
 * Steamworks' result codes with Steam's numbers, as a Tessera server answers them: the synchronous
 * `EBeginAuthSessionResult` of BeginAuthSession, and the asynchronous `EAuthSessionResponse` a
 * validator receives later (first the validation result, then every change while the auth session
 * lasts). The mapping from Tessera events to responses is documented in docs/tickets.md.
 */

/**
 * What `beginAuthSession` answers at once.
 *
 * @example
 * const { result, session } = await tickets.beginAuthSession(hex, playerId);
 * if (result !== BeginAuthSessionResult.OK) kick(playerId);
 */
export const BeginAuthSessionResult = {
  OK: 0,
  /** Not a ticket, a bad signature, or a ticket of another player. */
  InvalidTicket: 1,
  /** This validator already has a live auth session for that player. */
  DuplicateRequest: 2,
  /** A ticket format this server does not read. */
  InvalidVersion: 3,
  /** The ticket is for another app (`appId`). */
  GameMismatch: 4,
  ExpiredTicket: 5,
} as const;
export type BeginAuthSessionResult = (typeof BeginAuthSessionResult)[keyof typeof BeginAuthSessionResult];

/**
 * What an auth session receives: the validation result (`onStart`), then later changes
 * (`on("response")`). Every response but OK ends the auth session.
 *
 * @example
 * session.on("response", (s) => { if (s.response === AuthSessionResponse.AuthTicketCanceled) kick(s.user); });
 */
export const AuthSessionResponse = {
  OK: 0,
  /** The player's session ended: signed out, session ended elsewhere, account deleted. */
  UserNotConnectedToSteam: 1,
  /** No license of the app, own or borrowed (with `tickets.require_license`), or it ended. */
  NoLicenseOrExpired: 2,
  VACBanned: 3,
  /** The player signed in on another device (`session.single_session`). */
  LoggedInElseWhere: 4,
  /** The validation did not finish in time (`tickets.validation_timeout_ms`). */
  VACCheckTimedOut: 5,
  /** The player cancelled the ticket. */
  AuthTicketCanceled: 6,
  /** The ticket was used before (tickets are single use). */
  AuthTicketInvalidAlreadyUsed: 7,
  AuthTicketInvalid: 8,
  PublisherIssuedBan: 9,
  /** The ticket was made for another validator identity. */
  AuthTicketNetworkIdentityFailure: 10,
} as const;
export type AuthSessionResponse = (typeof AuthSessionResponse)[keyof typeof AuthSessionResponse];

const names = <T extends Record<string, number>>(codes: T): Map<number, keyof T & string> =>
  new Map(Object.entries(codes).map(([name, code]) => [code, name as keyof T & string]));

const BEGIN_NAMES = names(BeginAuthSessionResult);
const RESPONSE_NAMES = names(AuthSessionResponse);

/** `result_name` on the wire: `beginResultName(1)` is `"InvalidTicket"`. */
export const beginResultName = (code: BeginAuthSessionResult): string => BEGIN_NAMES.get(code)!;
/** `response_name` on the wire: `responseName(6)` is `"AuthTicketCanceled"`. */
export const responseName = (code: AuthSessionResponse): string => RESPONSE_NAMES.get(code)!;
