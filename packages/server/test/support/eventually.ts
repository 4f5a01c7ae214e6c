/**
 * Waiting for what happens in the background (a bus message, a reconnection, a metric, a revoked
 * token): poll a condition on the real clock until it holds, with a time-out that fails the test
 * naming what did not happen. The one copy every suite uses; nothing here asserts how fast.
 */
import assert from "node:assert/strict";

export interface PollOptions {
  /** How long to wait before failing, in ms (default 15000). */
  timeoutMs?: number;
  /** How long between two checks, in ms (default 25). */
  intervalMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_INTERVAL_MS = 25;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `check` holds; fails with "timed out waiting for `what`" after `timeoutMs`.
 *
 * @example
 * await eventually(() => bus.health().state === "connected", "the reconnection");
 */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, options: PollOptions = {}): Promise<void> {
  if (!(await becomes(check, options))) assert.fail(`timed out waiting for ${what}`);
}

/**
 * Whether `check` held within `timeoutMs` (for a suite that asserts the answer itself).
 *
 * @example
 * assert.ok(await becomes(async () => (await api.call("GET", "/readyz")).status === 200));
 */
export async function becomes(check: () => boolean | Promise<boolean>, options: PollOptions = {}): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await pause(options.intervalMs ?? DEFAULT_INTERVAL_MS);
  }
}

/**
 * Runs `attempt` until it stops throwing, and returns what it returned; after `timeoutMs` the
 * last error goes to the test (for checks written as assertions).
 *
 * @example
 * await passes(async () => assert.equal(value(await scrape(api), "tessera_up"), 1));
 */
export async function passes<T>(attempt: () => T | Promise<T>, options: PollOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await pause(options.intervalMs ?? DEFAULT_INTERVAL_MS);
    }
  }
}
