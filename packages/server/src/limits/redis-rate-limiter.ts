/**
 * The sign-in limits shared by every node: the same sliding-window estimate as the in-memory
 * limiter (two fixed windows, the previous one weighted by its overlap), counted in Redis by one
 * Lua script, so a check and its count are atomic across nodes. Keys are hashes (no email or
 * device id is written to Redis) and expire after two windows. While Redis cannot answer (down,
 * slow past `COMMAND_TIMEOUT_MS`), each node falls back to its own in-memory limiter: limits then
 * hold per node — at most N times the limit across N nodes — instead of failing sign-ins.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { Clock } from "../shared/time.js";
import type { Logger } from "../shared/logger.js";
import type { RateDecision, RateLimiter } from "./rate-limiter.js";

const SCRIPT = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local start = tonumber(ARGV[4])
local overlap = 1 - (now - start) / windowMs
if prev * overlap + cur + 1 > limit then
  local at
  if cur + 1 <= limit then
    at = start + windowMs * (1 - (limit - cur - 1) / prev)
  else
    at = start + windowMs + windowMs * (1 - (limit - 1) / cur)
  end
  return {0, math.ceil(at - now)}
end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], windowMs * 2)
return {1, 0}
`;

type WithScript = Redis & {
  tesseraRateAttempt(current: string, previous: string, now: number, windowMs: number, limit: number, start: number): Promise<[number, number]>;
};

export interface RedisRateLimiterOptions {
  redis: Redis;
  /** Names the limit (keys of different limits never mix). */
  name: string;
  limit: number;
  windowMs: number;
  clock: Clock;
  /** Counts attempts while Redis cannot answer. */
  fallback: RateLimiter;
  logger: Logger;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: WithScript;
  private degraded = false;

  constructor(private readonly options: RedisRateLimiterOptions) {
    if (!("tesseraRateAttempt" in options.redis)) options.redis.defineCommand("tesseraRateAttempt", { numberOfKeys: 2, lua: SCRIPT });
    this.redis = options.redis as WithScript;
  }

  async attempt(key: string): Promise<RateDecision> {
    const { windowMs, limit, clock, name } = this.options;
    const now = clock.now();
    const window = Math.floor(now / windowMs);
    const id = createHash("sha256").update(`${name}\u0000${key}`).digest("base64url");
    try {
      // One hash tag, so both windows of a key live on one Redis Cluster slot.
      const [allowed, retryMs] = await this.redis.tesseraRateAttempt(
        `tessera:rl:{${id}}:${window}`,
        `tessera:rl:{${id}}:${window - 1}`,
        now,
        windowMs,
        limit,
        window * windowMs,
      );
      if (this.degraded) {
        this.degraded = false;
        this.options.logger.info(`rate limits: ${name} counted in Redis again`);
      }
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterSec: Math.max(1, Math.ceil(retryMs / 1000)) };
    } catch (err) {
      if (!this.degraded) {
        this.degraded = true;
        this.options.logger.warn(`rate limits: ${name} counted per node while Redis cannot answer`, {
          error: err instanceof Error ? err.message : String(err),
        });
      }
      return this.options.fallback.attempt(key);
    }
  }
}
