/**
 * The one error type of the API. Domain modules throw `ApiError`; the HTTP layer maps it to a
 * status once (`httpStatus`), in Nakama's `{"code","message"}` shape.
 * The gRPC codes and Nakama's fixed messages are the wire contract's (@tessera/protocol),
 * re-exported so domain code imports them with `ApiError`.
 */
import { GrpcCode } from "@tessera/protocol";

export { GrpcCode, Messages } from "@tessera/protocol";

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
