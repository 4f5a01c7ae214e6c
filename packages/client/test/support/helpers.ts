/**
 * Shared pieces of the SDK suites: real servers (the server's own test harness, and its fake Steam
 * Web API), a `fetch` that
 * passes every request through to the real server while recording it, event and condition waits
 * with generous time-outs, and raw `node:http` servers for the failure modes a real Tessera server
 * never shows (no answer at all).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestServer, SERVER_KEY, type TestServer } from "../../../server/test/support/harness.js";
import { Client, systemClock, type AuthenticationService, type AuthenticationEventName, type Clock, type TimeOptions } from "../../src/index.js";

export { SERVER_KEY, startTestServer, type TestServer };
export { customId, deviceId, email, username, PASSWORD, RFC3339, UUID } from "../../../server/test/support/expect.js";
export { startFakeSteam, steamId, type FakeSteam } from "../../../server/test/support/fake-steam.js";

/** One request the SDK made, and how it ended. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** HTTP status, or "error" when no answer arrived. */
  outcome: number | "error" | "pending";
}

/** A `Client` whose requests go to the real server and are recorded on the way. */
export interface TracedClient {
  client: Client;
  requests: RecordedRequest[];
  /** Requests to the refresh endpoint so far. */
  refreshes(): RecordedRequest[];
}

/**
 * A Client for `url` that records every request. `onRequest` runs synchronously when a request
 * starts (for example to look at the service's state while it refreshes); `clock` and `timers`
 * go to the client (a `ManualTime`, say).
 */
export function tracedClient(url: string, options: { onRequest?: (path: string) => void; timeoutMs?: number } & TimeOptions = {}): TracedClient {
  const requests: RecordedRequest[] = [];
  const tracing: typeof fetch = async (input, init) => {
    const u = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const rec: RecordedRequest = { method: init?.method ?? "GET", path: u.pathname, outcome: "pending" };
    requests.push(rec);
    options.onRequest?.(u.pathname);
    try {
      const res = await fetch(input, init);
      rec.outcome = res.status;
      return res;
    } catch (err) {
      rec.outcome = "error";
      throw err;
    }
  };
  const clientOptions = {
    url,
    serverKey: SERVER_KEY,
    fetch: tracing,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.timers === undefined ? {} : { timers: options.timers }),
  };
  return {
    client: new Client(clientOptions),
    requests,
    refreshes: () => requests.filter((r) => r.path === "/v2/account/session/refresh"),
  };
}

export function plainClient(url: string): Client {
  return new Client({ url, serverKey: SERVER_KEY });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `condition` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Counts every event of a service, from now on. */
export function countEvents(auth: AuthenticationService): Record<AuthenticationEventName, number> {
  const counts: Record<AuthenticationEventName, number> = {
    signedIn: 0,
    signedOut: 0,
    expired: 0,
    signInFailed: 0,
    signInCodeReceived: 0,
    signInCodeExpired: 0,
  };
  auth.on("signedIn", () => counts.signedIn++);
  auth.on("signedOut", () => counts.signedOut++);
  auth.on("expired", () => counts.expired++);
  auth.on("signInFailed", () => counts.signInFailed++);
  auth.on("signInCodeReceived", () => counts.signInCodeReceived++);
  auth.on("signInCodeExpired", () => counts.signInCodeExpired++);
  return counts;
}

/** Resolves at the next `event` of `auth` (with the time it fired by `clock`); rejects after `timeoutMs` real ms. */
export function nextEvent(auth: AuthenticationService, event: AuthenticationEventName, timeoutMs = 15_000, clock: Clock = systemClock): Promise<number> {
  return new Promise((resolve, reject) => {
    const listener = () => {
      clearTimeout(timer);
      auth.off(event, listener);
      resolve(clock.now());
    };
    const timer = setTimeout(() => {
      auth.off(event, listener);
      reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    auth.on(event, listener);
  });
}

/** A URL on which nothing listens (a port that was just free). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** A raw HTTP server with the given handler (for answers no Tessera server gives). */
export async function rawServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
