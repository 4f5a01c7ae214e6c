/**
 * Compact JWS (HS256) signing and verification for session tokens. Verification is strict:
 * the header must name exactly HS256 (an allow-list of one) and hold nothing but `alg` and
 * `typ` (no key selection: `kid`, `jku`, `jwk` are refused), the signature is compared in
 * constant time, and malformed input of any kind is a `TokenError`, never an exception of
 * another type.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { clientSafeJson } from "./token-json.js";

/** Nakama's header, byte for byte. */
const HEADER_B64 = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");
const B64URL = /^[A-Za-z0-9_-]+$/;

export class TokenError extends Error {
  constructor(readonly reason: "malformed" | "algorithm" | "signature" | "claims" | "expired") {
    super(`token ${reason}`);
    this.name = "TokenError";
  }
}

/** Signs `payload` (serialised with client-safe escaping) with HMAC-SHA256. */
export function signHs256(payload: object, key: Buffer): string {
  const body = HEADER_B64 + "." + Buffer.from(clientSafeJson(payload)).toString("base64url");
  return body + "." + createHmac("sha256", key).update(body).digest("base64url");
}

/** Verifies signature and algorithm and returns the decoded payload object (claims unchecked). */
export function verifyHs256(token: string, key: Buffer): Record<string, unknown> {
  if (typeof token !== "string" || token.length > 8192) throw new TokenError("malformed");
  const first = token.indexOf(".");
  const second = token.indexOf(".", first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf(".", second + 1) !== -1 || second === token.length - 1) {
    throw new TokenError("malformed");
  }
  const headerPart = token.slice(0, first);
  const payloadPart = token.slice(first + 1, second);
  const signaturePart = token.slice(second + 1);
  if (!B64URL.test(headerPart) || !B64URL.test(payloadPart) || !B64URL.test(signaturePart)) throw new TokenError("malformed");

  if (headerPart !== HEADER_B64) {
    // Not Nakama's exact header: accept only an equivalent HS256 header.
    const header = parseJsonObject(Buffer.from(headerPart, "base64url").toString("utf8"));
    if (header["alg"] !== "HS256") throw new TokenError("algorithm");
    if (header["typ"] !== undefined && header["typ"] !== "JWT") throw new TokenError("algorithm");
    // Tessera never writes `kid`, `jku`, `jwk`, `x5u`, `x5c` or `crit`: a header naming a key (or
    // anything else) was not made here, so it is refused rather than ignored (RFC 8725 §3.1).
    for (const name of Object.keys(header)) if (name !== "alg" && name !== "typ") throw new TokenError("algorithm");
  }

  // Compare the encoded text, not decoded bytes: base64url's last character carries 2 unused bits,
  // so decoding would accept 4 spellings of one signature (a malleable token string).
  const expected = Buffer.from(createHmac("sha256", key).update(token.slice(0, second)).digest("base64url"));
  const given = Buffer.from(signaturePart);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenError("signature");
  return parseJsonObject(Buffer.from(payloadPart, "base64url").toString("utf8"));
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TokenError("malformed");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TokenError("malformed");
  return value as Record<string, unknown>;
}
