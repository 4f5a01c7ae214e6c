/**
 * Errors of the SDK. `TesseraError` is what a server call rejects with (the server's gRPC `code`,
 * its `message`, the HTTP `status`; status 0 for transport failures and time-outs).
 * `AuthenticationError` is what `AuthenticationService` rejects with: Unity Authentication's
 * `errorCode` numbers, so game code branches on codes, never on message text.
 */

/** Unity Authentication's authentication error codes. */
export const AuthenticationErrorCodes = {
  ClientInvalidUserState: 10000,
  ClientNoActiveSession: 10001,
  InvalidParameters: 10002,
  AccountAlreadyLinked: 10003,
  AccountLinkLimitExceeded: 10004,
  ClientUnlinkExternalIdNotFound: 10005,
  ClientInvalidProfile: 10006,
  InvalidSessionToken: 10007,
  InvalidProvider: 10008,
  BannedUser: 10009,
  EnvironmentMismatch: 10010,
} as const;

/** Unity's common error codes, shared by every service. */
export const CommonErrorCodes = {
  Unknown: 0,
  TransportError: 1,
  Timeout: 2,
  ServiceUnavailable: 3,
  TooManyRequests: 50,
  InvalidToken: 51,
  TokenExpired: 52,
  Forbidden: 53,
  NotFound: 54,
  InvalidRequest: 55,
  Conflict: 58,
} as const;

/**
 * A failed server call.
 *
 * @example
 * try { await client.getAccount(session); }
 * catch (e) { if (e instanceof TesseraError && e.status === 401) { ... } }
 */
export class TesseraError extends Error {
  /** gRPC status code from the server's `{code, message}` (14 for transport failures, 4 for time-outs, 1 for a call the caller aborted). */
  readonly code: number;
  /** HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** `api` the server answered with an error; `transport` no answer; `timeout` no answer in time. */
  readonly kind: "api" | "transport" | "timeout";
  /** The error answer's JSON, for the fields some calls add to `{code, message}` (Code-Link's RFC 8628 `error` and `interval`). */
  readonly body: Readonly<Record<string, unknown>> | undefined;

  constructor(
    kind: "api" | "transport" | "timeout",
    code: number,
    message: string,
    status: number,
    options?: { cause?: unknown; body?: Readonly<Record<string, unknown>> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TesseraError";
    this.kind = kind;
    this.code = code;
    this.status = status;
    this.body = options?.body;
  }
}

/**
 * What `AuthenticationService` rejects with.
 *
 * @example
 * try { await auth.signInAnonymously({ createAccount: false }); }
 * catch (e) {
 *   if (e instanceof AuthenticationError && e.errorCode === AuthenticationErrorCodes.ClientNoActiveSession) showWelcome();
 * }
 */
export class AuthenticationError extends Error {
  /** One of `AuthenticationErrorCodes` or `CommonErrorCodes`. */
  readonly errorCode: number;
  /** HTTP status of the server answer behind it, if any. */
  readonly status: number | undefined;

  constructor(errorCode: number, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AuthenticationError";
    this.errorCode = errorCode;
    this.status = options?.status;
  }
}

/** The operation an error came from, which decides a few codes (a 409 on link is AccountAlreadyLinked). */
export type Operation = "signIn" | "cachedSignIn" | "refresh" | "link" | "unlink" | "account" | "delete" | "signOut" | "ticket" | "codeLink";

/** Translates a failed call into Unity's error codes. */
export function toAuthenticationError(err: unknown, op: Operation): AuthenticationError {
  if (err instanceof AuthenticationError) return err;
  if (!(err instanceof TesseraError)) {
    return new AuthenticationError(CommonErrorCodes.Unknown, err instanceof Error ? err.message : String(err), { cause: err });
  }
  const opts = { status: err.status || undefined, cause: err };
  if (err.kind === "transport") return new AuthenticationError(CommonErrorCodes.TransportError, err.message, opts);
  if (err.kind === "timeout") return new AuthenticationError(CommonErrorCodes.Timeout, err.message, opts);
  switch (err.status) {
    case 400:
      // "Steam authentication is not configured.": the server does not offer this provider.
      if (/is not configured/i.test(err.message)) return new AuthenticationError(AuthenticationErrorCodes.InvalidProvider, err.message, opts);
      return new AuthenticationError(AuthenticationErrorCodes.InvalidParameters, err.message, opts);
    case 401:
      if (op === "cachedSignIn" || op === "refresh") return new AuthenticationError(AuthenticationErrorCodes.InvalidSessionToken, err.message, opts);
      return new AuthenticationError(CommonErrorCodes.InvalidToken, err.message, opts);
    case 403:
      if (/banned/i.test(err.message)) return new AuthenticationError(AuthenticationErrorCodes.BannedUser, err.message, opts);
      return new AuthenticationError(CommonErrorCodes.Forbidden, err.message, opts);
    case 404:
      if (op === "unlink") return new AuthenticationError(AuthenticationErrorCodes.ClientUnlinkExternalIdNotFound, err.message, opts);
      return new AuthenticationError(CommonErrorCodes.NotFound, err.message, opts);
    case 409:
      if (op === "link") return new AuthenticationError(AuthenticationErrorCodes.AccountAlreadyLinked, err.message, opts);
      return new AuthenticationError(CommonErrorCodes.Conflict, err.message, opts);
    case 429:
      return new AuthenticationError(CommonErrorCodes.TooManyRequests, err.message, opts);
    case 502:
    case 503:
    case 504:
      return new AuthenticationError(CommonErrorCodes.ServiceUnavailable, err.message, opts);
    default:
      return new AuthenticationError(CommonErrorCodes.Unknown, err.message, opts);
  }
}

/** True when retrying later may succeed (no answer, or the server is overloaded or unavailable). */
export function isTransient(err: unknown): boolean {
  if (err instanceof TesseraError) return err.kind !== "api" || err.status === 429 || err.status >= 500;
  if (err instanceof AuthenticationError) {
    const c = err.errorCode;
    return (
      c === CommonErrorCodes.TransportError ||
      c === CommonErrorCodes.Timeout ||
      c === CommonErrorCodes.ServiceUnavailable ||
      c === CommonErrorCodes.TooManyRequests
    );
  }
  return false;
}

/**
 * Returns `promise` with its rejection marked as handled, for calls that games often make without
 * `await` (Steam's `EndAuthSession` and `CancelAuthTicket` return nothing): a failure then does not
 * crash Node as an unhandled rejection, and a caller that awaits still gets it.
 */
export function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
