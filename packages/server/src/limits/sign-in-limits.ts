/**
 * The sign-in rate limits (`ratelimit.*`): attempts per minute per client address and per
 * identifier (device id, email, custom id, username, game-server identity). Against password
 * guessing on one account (the identifier limit, whatever the addresses) and against credential
 * stuffing or account-creation floods from one address (the address limit). Past a limit the
 * request answers 429 (code 8) with `Retry-After` before any account is looked up.
 */
import { createHash } from "node:crypto";
import type { Config } from "../config/config.js";
import type { Clock } from "../shared/time.js";
import { ApiError, GrpcCode } from "../shared/api-error.js";
import { MemoryRateLimiter, type RateLimiter } from "./rate-limiter.js";

/** The window every sign-in limit counts in. */
export const SIGN_IN_WINDOW_MS = 60_000;
/** Keys each limiter holds at most (about 150 bytes each: 15 MB at the bound). */
export const MAX_TRACKED_KEYS = 100_000;
/** Identifiers longer than this are counted by their SHA-256, so a key never holds a huge string. */
const MAX_KEY_CHARS = 160;

export interface SignInLimits {
  /** Counts a sign-in attempt from `ip`; throws 429 past the limit. */
  admitClient(ip: string | null): Promise<void>;
  /** Counts a sign-in attempt naming `identifier` (e.g. `email:a@b.c`); throws 429 past the limit. */
  admitIdentifier(identifier: string): Promise<void>;
}

/** The limits `config.ratelimit` asks for, counted in this process's memory. */
export function memorySignInLimits(config: Pick<Config, "ratelimit">, clock: Clock): SignInLimits {
  const limiter = (limit: number): RateLimiter | undefined =>
    limit > 0 ? new MemoryRateLimiter({ limit, windowMs: SIGN_IN_WINDOW_MS, maxKeys: MAX_TRACKED_KEYS, clock }) : undefined;
  return signInLimits(limiter(config.ratelimit.signinPerIp), limiter(config.ratelimit.signinPerIdentifier));
}

/** Sign-in limits over any two limiters (undefined: that limit is off), e.g. shared ones. */
export function signInLimits(perClient: RateLimiter | undefined, perIdentifier: RateLimiter | undefined): SignInLimits {
  return {
    async admitClient(ip) {
      if (perClient) refuseIfLimited(await perClient.attempt(clientKey(ip)));
    },
    async admitIdentifier(identifier) {
      if (perIdentifier) refuseIfLimited(await perIdentifier.attempt(boundedKey(identifier)));
    },
  };
}

function refuseIfLimited(decision: Awaited<ReturnType<RateLimiter["attempt"]>>): void {
  if (decision.allowed) return;
  throw tooManySignIns(decision.retryAfterSec);
}

/** The 429 of a limited sign-in; the same for both limits, so it does not say which one or whether the account exists. */
export function tooManySignIns(retryAfterSec: number): ApiError {
  return new ApiError(GrpcCode.RESOURCE_EXHAUSTED, `Too many sign-in attempts; retry in ${retryAfterSec} s.`, {
    headers: { "Retry-After": String(retryAfterSec) },
  });
}

/**
 * The counting key of a client address. An IPv6 host controls at least a /64, so the /64 is the
 * unit; an IPv4 address written as IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address.
 */
export function clientKey(ip: string | null): string {
  if (ip === null || ip === "") return "ip:unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `ip:${mapped[1]}`;
  if (!ip.includes(":")) return `ip:${ip}`;
  return `ip6:${ipv6Prefix64(ip)}`;
}

/** The first four groups of an IPv6 address, expanded (`2001:db8::1` → `2001:db8:0:0`). */
function ipv6Prefix64(ip: string): string {
  const address = ip.split("%")[0]!.toLowerCase();
  const [head, tail] = address.includes("::") ? (address.split("::", 2) as [string, string]) : [address, undefined];
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":");
}

function boundedKey(identifier: string): string {
  return identifier.length <= MAX_KEY_CHARS ? identifier : "sha256:" + createHash("sha256").update(identifier).digest("base64url");
}
