/**
 * Verifying a provider's signed JWT (Apple's identity token, a Google ID token, a Facebook Limited
 * Login token, an OpenID Connect ID token) with jose: the signature with the provider's keys
 * under an algorithm allow-list, `iss` one of the provider's, `aud` one of the configured client
 * ids, `exp` required and in the future, `nbf`/`iat` not in the future, all within the leeway.
 */
import { decodeJwt, errors, jwtVerify, type JWTPayload } from "jose";
import type { Clock } from "../../shared/time.js";
import { CredentialRejectedError } from "./provider-errors.js";
import type { RemoteKeySet } from "./remote-key-set.js";

/** Longer tokens are refused before any work: real ones are 1-2 KB. */
export const MAX_ID_TOKEN_LENGTH = 16 * 1024;

/** Asymmetric algorithms only: a provider's token is never checked with a shared secret, and never `none`. */
export const ID_TOKEN_ALGORITHMS = ["RS256", "ES256"] as const;

export interface IdTokenRules {
  readonly keys: RemoteKeySet;
  readonly issuers: readonly string[];
  /** The configured client ids; the token's `aud` must name one. */
  readonly audiences: readonly string[];
  readonly algorithms?: readonly string[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (at most 60). */
  readonly leewaySec: number;
  readonly clock: Clock;
  /** When the client sent one, the token's `nonce` must equal it. */
  readonly nonce?: string | undefined;
}

/** The verified claims with a non-empty string `sub`. */
export type VerifiedClaims = JWTPayload & { sub: string };

export async function verifyIdToken(token: string, rules: IdTokenRules): Promise<VerifiedClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, rules.keys.getKey, {
      algorithms: [...(rules.algorithms ?? ID_TOKEN_ALGORITHMS)],
      issuer: [...rules.issuers],
      audience: [...rules.audiences],
      requiredClaims: ["exp", "sub"],
      clockTolerance: rules.leewaySec,
      currentDate: new Date(rules.clock.now()),
    }));
  } catch (err) {
    if (err instanceof errors.JOSEError) throw new CredentialRejectedError(reasonOf(err));
    throw err;
  }
  if (typeof payload.sub !== "string" || payload.sub === "") throw new CredentialRejectedError("sub is missing or empty");
  if (payload.iat !== undefined && payload.iat > rules.clock.now() / 1000 + rules.leewaySec) throw new CredentialRejectedError("iat is in the future");
  if (rules.nonce !== undefined && payload["nonce"] !== rules.nonce) throw new CredentialRejectedError("nonce does not match");
  return payload as VerifiedClaims;
}

/** The `sub` a token claims, unverified: only the sign-in limits' key, never an identity. */
export function claimedSubject(token: unknown): string | undefined {
  if (typeof token !== "string" || token.length > MAX_ID_TOKEN_LENGTH) return undefined;
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === "string" && sub !== "" ? sub : undefined;
  } catch {
    return undefined;
  }
}

function reasonOf(err: InstanceType<typeof errors.JOSEError>): string {
  if (err instanceof errors.JWTExpired) return "token expired";
  if (err instanceof errors.JWTClaimValidationFailed) return `claim ${err.claim} ${err.reason}`;
  if (err instanceof errors.JOSEAlgNotAllowed) return "algorithm not allowed";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "signature does not verify";
  return err.code;
}
