/**
 * @tessera/client: the Tessera SDK for browsers and Node (no runtime dependencies).
 *
 * @example
 * import { Client, AuthenticationService, MemoryStorage } from "@tessera/client";
 * const client = new Client({ url: "http://127.0.0.1:7350", serverKey: "defaultkey" });
 * const auth = new AuthenticationService({ client, projectId: "my-game", profile: "default", storage: new MemoryStorage() });
 * await auth.signInAnonymously();
 * const ticket = await new AuthTickets({ client, auth }).getAuthSessionTicket({ identity: "eu-west-1" });
 */
export {
  Client,
  type ClientOptions,
  type AuthenticateOptions,
  type IdTokenAuthenticateOptions,
  type FacebookAuthenticateOptions,
  type GameCenterSignature,
  type Account,
  type AccountUser,
  type AccountUpdate,
  type SessionInfo,
  type SessionLike,
  type ValidatorLike,
  type CallOptions,
  type TicketJson,
  type OpenTicketJson,
  type AuthSessionJson,
  type BeginAuthSessionJson,
  type AuthSessionEventJson,
  type LicenseJson,
  type LicensesJson,
  type CodeSignInResult,
  type CodeLinkGenerateJson,
  type CodeLinkInfoJson,
} from "./client.js";
export { newCodeVerifier, codeChallengeOf, CODE_VERIFIER_LENGTH } from "./code-link.js";
export { Session, decodeClaims, type TokenClaims } from "./session.js";
export {
  AuthenticationService,
  AuthenticationState,
  type AuthenticationEvents,
  type AuthenticationEventName,
  type AuthenticationServiceOptions,
  type SignInOptions,
  type IdTokenSignInOptions,
  type FacebookSignInOptions,
  type PlayerInfo,
  type IdentityTypeId,
  type SignInCodeInfo,
  type SignInWithCodeOptions,
} from "./authentication-service.js";
export { AuthenticationError, AuthenticationErrorCodes, CommonErrorCodes, TesseraError } from "./errors.js";
export { MemoryStorage, WebStorage, sessionTokenKey, type TokenStorage, type WebStorageLike } from "./storage.js";
export { refreshTiming, type RefreshTiming } from "./refresh-timing.js";
export { systemClock, systemTimers, type Clock, type Timers, type TimerHandle, type TimeOptions } from "./clock.js";
export {
  AuthTickets,
  type AuthTicketsOptions,
  type AuthTicketsEvents,
  type AuthTicketsEventName,
  type BeginAuthSessionOutcome,
} from "./tickets/auth-tickets.js";
export { AuthTicket } from "./tickets/auth-ticket.js";
export { AuthenticationSession, type AuthSessionListener } from "./tickets/authentication-session.js";
export { GameServerSession, type GameServerCredential, type GameServerTokenJson } from "./tickets/game-server-session.js";
// Steamworks' result codes with Steam's numbers: the wire contract's own tables, bundled in.
export { BeginAuthSessionResult, AuthSessionResponse } from "@tessera/protocol";
export { toHex, fromHex } from "./tickets/hex.js";
