/**
 * @tessera/client: the Tessera SDK for browsers and Node (no runtime dependencies).
 *
 * @example
 * import { Client, AuthenticationService, MemoryStorage } from "@tessera/client";
 * const client = new Client({ url: "http://127.0.0.1:7350", serverKey: "defaultkey" });
 * const auth = new AuthenticationService({ client, projectId: "my-game", profile: "default", storage: new MemoryStorage() });
 * await auth.signInAnonymously();
 */
export { Client, type ClientOptions, type AuthenticateOptions, type Account, type AccountUser, type AccountUpdate, type SessionInfo, type SessionLike } from "./client.js";
export { Session, decodeClaims, type TokenClaims } from "./session.js";
export {
  AuthenticationService,
  AuthenticationState,
  type AuthenticationEvents,
  type AuthenticationEventName,
  type AuthenticationServiceOptions,
  type SignInOptions,
  type PlayerInfo,
} from "./authentication-service.js";
export { AuthenticationError, AuthenticationErrorCodes, CommonErrorCodes, TesseraError } from "./errors.js";
export { MemoryStorage, WebStorage, sessionTokenKey, type TokenStorage, type WebStorageLike } from "./storage.js";
export { refreshTiming, type RefreshTiming } from "./refresh-timing.js";
