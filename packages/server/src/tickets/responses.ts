/**
 * Steamworks' result codes, with Steam's numbers, as Tessera answers them: the synchronous
 * `EBeginAuthSessionResult` of BeginAuthSession and the asynchronous `EAuthSessionResponse`
 * delivered to the validator (first the validation result, later any change). The mapping from
 * Tessera events to responses is documented in docs/tickets.md.
 */

export const BeginAuthSessionResult = {
  OK: 0,
  InvalidTicket: 1,
  DuplicateRequest: 2,
  InvalidVersion: 3,
  GameMismatch: 4,
  ExpiredTicket: 5,
} as const;
export type BeginAuthSessionResult = (typeof BeginAuthSessionResult)[keyof typeof BeginAuthSessionResult];

export const AuthSessionResponse = {
  OK: 0,
  UserNotConnectedToSteam: 1,
  NoLicenseOrExpired: 2,
  VACBanned: 3,
  LoggedInElseWhere: 4,
  VACCheckTimedOut: 5,
  AuthTicketCanceled: 6,
  AuthTicketInvalidAlreadyUsed: 7,
  AuthTicketInvalid: 8,
  PublisherIssuedBan: 9,
  AuthTicketNetworkIdentityFailure: 10,
} as const;
export type AuthSessionResponse = (typeof AuthSessionResponse)[keyof typeof AuthSessionResponse];

const names = <T extends Record<string, number>>(codes: T): Map<number, keyof T & string> =>
  new Map(Object.entries(codes).map(([name, code]) => [code, name as keyof T & string]));

const BEGIN_NAMES = names(BeginAuthSessionResult);
const RESPONSE_NAMES = names(AuthSessionResponse);

export const beginResultName = (code: BeginAuthSessionResult): string => BEGIN_NAMES.get(code)!;
export const responseName = (code: AuthSessionResponse): string => RESPONSE_NAMES.get(code)!;
