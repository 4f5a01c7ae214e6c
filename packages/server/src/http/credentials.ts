/**
 * Reading credentials from the Authorization header: HTTP Basic with the server key (compared in
 * constant time) and Bearer access tokens.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError, GrpcCode, Messages } from "../shared/api-error.js";

const unauthorized = (message: string, scheme: "Basic" | "Bearer", invalid: boolean): ApiError =>
  new ApiError(GrpcCode.UNAUTHENTICATED, message, {
    headers: { "WWW-Authenticate": scheme === "Basic" ? 'Basic realm="tessera"' : `Bearer realm="tessera"${invalid ? ', error="invalid_token"' : ""}` },
  });

/** Comparing SHA-256 digests keeps the comparison constant-time even when lengths differ. */
export function keysEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Checks `Authorization: Basic base64(serverKey:)`; throws Nakama's 401s. */
export function requireServerKey(header: string | undefined, serverKey: string): void {
  if (header === undefined || header === "") throw unauthorized(Messages.serverKeyRequired, "Basic", false);
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) throw unauthorized(Messages.serverKeyInvalid, "Basic", true);
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  if (!keysEqual(user, serverKey)) throw unauthorized(Messages.serverKeyInvalid, "Basic", true);
}

/** Returns the token of `Authorization: Bearer <token>`; throws Nakama's 401s. */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header === "") throw unauthorized(Messages.authTokenRequired, "Bearer", false);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized(Messages.authTokenInvalid, "Bearer", true);
  return match[1]!;
}

/** A 401 for a bearer token that failed verification, with the right challenge header. */
export function invalidBearer(): ApiError {
  return unauthorized(Messages.authTokenInvalid, "Bearer", true);
}
