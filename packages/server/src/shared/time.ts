/** Time: the clock every domain function reads (`Core.clock`, a leaf so anything may import it) and Nakama's timestamp format. */

export interface Clock {
  /** Unix milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** RFC 3339 in UTC with whole seconds, as Nakama prints timestamps. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
