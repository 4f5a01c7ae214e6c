/**
 * Password hashing with argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1). The native
 * argon2 addon hashes on libuv's thread pool, off the event loop; `boundedPasswordHasher` caps how
 * many hashes run and wait at once, so a flood of email sign-ins fails fast (503) instead of
 * queueing without bound.
 */
import { availableParallelism } from "node:os";
import { randomBytes } from "node:crypto";
import argon2 from "argon2";
import { ApiError, GrpcCode } from "../shared/api-error.js";
import { ConcurrencyLimit, OverloadedError } from "../limits/concurrency-limit.js";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * Does the work of a `verify` that cannot succeed, for a sign-in naming no account (or one
   * without a password): it then takes as long as a wrong password, so timing does not tell
   * which accounts exist.
   */
  verifyNone(password: string): Promise<false>;
}

export const ARGON2_PARAMS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

let dummyHash: Promise<string> | undefined;
/** A hash at the same parameters of a random password nobody knows, made once per process. */
const dummy = (): Promise<string> => (dummyHash ??= argon2.hash(randomBytes(32).toString("base64url"), ARGON2_PARAMS));

async function verifyArgon2(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    // A corrupt stored hash must read as "wrong password", not crash the request.
    return false;
  }
}

export const argon2idHasher: PasswordHasher = {
  hash: (password) => argon2.hash(password, ARGON2_PARAMS),
  verify: verifyArgon2,
  async verifyNone(password) {
    await verifyArgon2(await dummy(), password);
    return false;
  },
};

/** The thread-pool share hashing may use by default: every CPU, but one pool thread stays free for file and DNS work. */
export function defaultHashConcurrency(): number {
  const pool = Number(process.env["UV_THREADPOOL_SIZE"]) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool - 1));
}

/** The answer when the hashing queue is full: the server is busy, not the client wrong (503, retry). */
export const passwordQueueFull = (): ApiError =>
  new ApiError(GrpcCode.UNAVAILABLE, "Too many password checks in progress; retry shortly.", { headers: { "Retry-After": "1" } });

/**
 * `inner` with at most `concurrency` operations at once (0: `defaultHashConcurrency()`) and at
 * most `queue` waiting; past that, 503 at once. Every operation, including `verifyNone`, takes a slot.
 */
export function boundedPasswordHasher(
  inner: PasswordHasher,
  options: { concurrency: number; queue: number },
): PasswordHasher & { readonly limit: ConcurrencyLimit } {
  const limit = new ConcurrencyLimit(options.concurrency === 0 ? defaultHashConcurrency() : options.concurrency, options.queue, "password hashing");
  const bounded = async <T>(task: () => Promise<T>): Promise<T> => {
    try {
      return await limit.run(task);
    } catch (err) {
      if (err instanceof OverloadedError) throw passwordQueueFull();
      throw err;
    }
  };
  return {
    limit,
    hash: (password) => bounded(() => inner.hash(password)),
    verify: (hash, password) => bounded(() => inner.verify(hash, password)),
    verifyNone: (password) => bounded(() => inner.verifyNone(password)),
  };
}
