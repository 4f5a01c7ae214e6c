/**
 * The one error type of the API. Domain modules throw `ApiError`; the HTTP layer maps it to a
 * status once (`httpStatus`), in Nakama's `{"code","message"}` shape.
 */

/** gRPC status codes used by Nakama's API (and therefore by Tessera's). */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

/** grpc-gateway's mapping from gRPC code to HTTP status, as Nakama serves it. */
const HTTP_STATUS: Record<GrpcCode, number> = {
  0: 200,
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

export class ApiError extends Error {
  readonly code: GrpcCode;
  /** HTTP status; derived from `code` unless a transport-level status fits better (413, 405). */
  readonly httpStatus: number;
  /** Extra response headers, e.g. `Retry-After` or `Allow`. */
  readonly headers: Record<string, string> | undefined;

  constructor(code: GrpcCode, message: string, options?: { httpStatus?: number; headers?: Record<string, string> }) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.httpStatus = options?.httpStatus ?? HTTP_STATUS[code];
    this.headers = options?.headers;
  }

  toJSON(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const invalidArgument = (message: string): ApiError => new ApiError(GrpcCode.INVALID_ARGUMENT, message);
export const unauthenticated = (message: string): ApiError => new ApiError(GrpcCode.UNAUTHENTICATED, message);
export const notFound = (message: string): ApiError => new ApiError(GrpcCode.NOT_FOUND, message);
export const alreadyExists = (message: string): ApiError => new ApiError(GrpcCode.ALREADY_EXISTS, message);
export const permissionDenied = (message: string): ApiError => new ApiError(GrpcCode.PERMISSION_DENIED, message);
export const failedPrecondition = (message: string): ApiError => new ApiError(GrpcCode.FAILED_PRECONDITION, message);
export const unavailable = (message: string): ApiError => new ApiError(GrpcCode.UNAVAILABLE, message);

/** The messages clients match on; kept in one place so routes and tests agree. */
export const Messages = {
  serverKeyRequired: "Server key required",
  serverKeyInvalid: "Server key invalid",
  authTokenRequired: "Auth token required",
  authTokenInvalid: "Auth token invalid",
  accountNotFound: "User account not found.",
  accountBanned: "User account banned.",
  invalidCredentials: "Invalid credentials.",
  usernameInUse: "Username is already in use.",
  refreshTokenRequired: "Refresh token is required.",
  refreshTokenInvalid: "Refresh token invalid or expired.",
  resourceNotFound: "Requested resource was not found.",
} as const;
