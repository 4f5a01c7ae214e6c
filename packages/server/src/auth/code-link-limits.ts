/**
 * How often sign-in codes may be looked up (Code-Link's info and confirm), against guessing a
 * live code (RFC 8628 §5.1): per signed-in account and per client address
 * (`code_link.lookups_per_account`, `code_link.lookups_per_ip`), every lookup counted, right or
 * wrong. Counting only wrong guesses would let a caller past the limit still learn which of its
 * guesses is right; a real link takes two lookups (info, then confirm). Past a limit: 429 with
 * `Retry-After`, before any code is read.
 */
import { ApiError, GrpcCode } from "../shared/api-error.js";
import type { Clock } from "../shared/time.js";
import { MemoryRateLimiter, type RateDecision, type RateLimiter } from "../limits/rate-limiter.js";
import { clientKey, MAX_TRACKED_KEYS } from "../limits/sign-in-limits.js";

const WINDOW_MS = 60_000;

export interface CodeLinkLookupLimits {
  /** Counts one lookup by `accountId` from `ip`; throws 429 past either limit. */
  admit(accountId: string, ip: string | null): Promise<void>;
}

/** The limits `config.codeLink` asks for (0: off), counted in this process's memory (each node counts its own). */
export function memoryCodeLinkLookupLimits(limits: { lookupsPerAccount: number; lookupsPerIp: number }, clock: Clock): CodeLinkLookupLimits {
  const limiter = (limit: number): RateLimiter | undefined =>
    limit > 0 ? new MemoryRateLimiter({ limit, windowMs: WINDOW_MS, maxKeys: MAX_TRACKED_KEYS, clock }) : undefined;
  return codeLinkLookupLimits(limiter(limits.lookupsPerAccount), limiter(limits.lookupsPerIp));
}

/** The limits over any two limiters (undefined: that limit is off), e.g. shared ones. */
export function codeLinkLookupLimits(perAccount: RateLimiter | undefined, perClient: RateLimiter | undefined): CodeLinkLookupLimits {
  return {
    async admit(accountId, ip) {
      if (perAccount) refuseIfLimited(await perAccount.attempt(`user:${accountId}`));
      if (perClient) refuseIfLimited(await perClient.attempt(clientKey(ip)));
    },
  };
}

function refuseIfLimited(decision: RateDecision): void {
  if (decision.allowed) return;
  throw new ApiError(GrpcCode.RESOURCE_EXHAUSTED, `Too many sign-in code lookups; retry in ${decision.retryAfterSec} s.`, {
    headers: { "Retry-After": String(decision.retryAfterSec) },
  });
}
