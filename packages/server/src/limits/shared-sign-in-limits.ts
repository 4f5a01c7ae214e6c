/**
 * Sign-in limits shared by every node through Redis (`cluster.redis_url`): a limit of 10 attempts
 * per identifier means 10 across the cluster, not 10 per node. Each limit counts in Redis and, while
 * Redis cannot answer, in this node's memory (limits per node until it returns).
 */
import { Redis } from "ioredis";
import type { Config } from "../config/config.js";
import type { Clock } from "../shared/time.js";
import type { Logger } from "../shared/logger.js";
import { disconnectRedis } from "../shared/redis-disconnect.js";
import { MemoryRateLimiter, type RateLimiter } from "./rate-limiter.js";
import { RedisRateLimiter } from "./redis-rate-limiter.js";
import { MAX_TRACKED_KEYS, SIGN_IN_WINDOW_MS, signInLimits, type SignInLimits } from "./sign-in-limits.js";

/** A Redis command that takes longer than this counts on the node instead (a sign-in never waits on Redis). */
const COMMAND_TIMEOUT_MS = 250;

export interface SharedSignInLimits {
  limits: SignInLimits;
  close(): Promise<void>;
}

export function sharedSignInLimits(config: Pick<Config, "ratelimit">, redisUrl: string, clock: Clock, logger: Logger): SharedSignInLimits {
  const redis = new Redis(redisUrl, {
    connectionName: "tessera-limits",
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(100 * 2 ** times, 2_000),
  });
  // Connection errors are reported through the limiters' fallback; an unheard "error" event would crash.
  redis.on("error", () => {});
  const limiter = (name: string, limit: number): RateLimiter | undefined => {
    if (limit <= 0) return undefined;
    const fallback = new MemoryRateLimiter({ limit, windowMs: SIGN_IN_WINDOW_MS, maxKeys: MAX_TRACKED_KEYS, clock });
    return new RedisRateLimiter({ redis, name, limit, windowMs: SIGN_IN_WINDOW_MS, clock, fallback, logger });
  };
  return {
    limits: signInLimits(limiter("signin_per_ip", config.ratelimit.signinPerIp), limiter("signin_per_identifier", config.ratelimit.signinPerIdentifier)),
    close: () => disconnectRedis(redis),
  };
}
