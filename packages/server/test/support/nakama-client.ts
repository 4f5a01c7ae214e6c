/** The real nakama-js `Client` pointed at a test server, as the compatibility suites use it. */
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
