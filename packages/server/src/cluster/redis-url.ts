/**
 * Where `cluster.redis_url` points, safe to log. Apart from the Redis client, so that naming the
 * bus does not load it.
 */

/** `redis://host:port/db`, never the user or password: for logs. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname || "localhost"}:${u.port || "6379"}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(unparsable cluster.redis_url)";
  }
}
