/** The real nakama-js `Client` pointed at a test server, as the compatibility suites use it, and how its refusals read. */
import assert from "node:assert/strict";
import { Client } from "@heroiclabs/nakama-js";
import { SERVER_KEY } from "./harness.js";

export interface NakamaClientOptions {
  /** The server key to present (default the harness's `SERVER_KEY`). */
  serverKey?: string;
  /** nakama-js's per-request time-out in ms (default 5000). */
  timeoutMs?: number;
  /** nakama-js's own session auto-refresh (default off, so tests refresh explicitly). */
  autoRefreshSession?: boolean;
}

/**
 * @example
 * const client = nakamaClient(t, { timeoutMs: 2_000 });
 * const session = await client.authenticateDevice(deviceId, true);
 */
export function nakamaClient(server: { url: string }, options: NakamaClientOptions = {}): Client {
  const url = new URL(server.url);
  return new Client(options.serverKey ?? SERVER_KEY, url.hostname, url.port, false, options.timeoutMs ?? 5_000, options.autoRefreshSession ?? false);
}

/** A refused nakama-js call: the HTTP status and the Nakama error body. */
export interface Rejection {
  status: number;
  body: { code?: number; message?: string } | undefined;
}

/**
 * Awaits a nakama-js call that must fail; nakama-js rejects with the fetch `Response`.
 * @example
 * assert.equal((await rejection(client.authenticateApple("bad"))).status, 401);
 */
export async function rejection(call: Promise<unknown>): Promise<Rejection> {
  let error: unknown;
  try {
    await call;
  } catch (err) {
    error = err;
  }
  if (error === undefined) assert.fail("expected the nakama-js call to reject");
  assert.ok(error instanceof Response, `expected a fetch Response, got ${String(error)}`);
  const text = await error.text();
  return { status: error.status, body: text === "" ? undefined : (JSON.parse(text) as Rejection["body"]) };
}
