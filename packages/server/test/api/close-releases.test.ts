/**
 * A closed server leaves nothing behind that keeps its process alive: no timer, socket, worker
 * or database connection. A game embedding Tessera (`startServer` from the package) must be able
 * to exit once it has called `close()`. Elsewhere a leaked handle would only make a test file
 * slower (its process lives on until the handle goes); this suite makes it a failure.
 *
 * Each case records the process's active resources, starts a server, uses what holds resources
 * (HTTP with and without keep-alive, a sign-in, a refresh, a realtime socket, an auth ticket, the
 * SQLite log's worker, PostgreSQL's pool, the Redis bus), closes it, and compares.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { WebSocket } from "ws";
import { SERVER_KEY, startTestServer } from "../support/harness.js";
import { deviceId } from "../support/expect.js";
import { becomes } from "../support/eventually.js";
import { backendSettings, backendSkip, BACKENDS, dropBackendDatabases } from "../support/backends.js";
import { redisSkip, TestRedis } from "../support/redis.js";

/** The kinds of resource keeping the event loop alive, counted (`Timeout` ×3 …). */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** What `after` holds beyond `before`, e.g. `["Timeout +2"]`; empty when nothing was left. */
function leftBehind(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after].filter(([kind, n]) => n > (before.get(kind) ?? 0)).map(([kind, n]) => `${kind} +${n - (before.get(kind) ?? 0)}`);
}

interface Answer {
  status: number;
  json: any;
}

/** One request on `agent` (keep-alive) or on a connection of its own; waits until the answer is read. */
function call(url: string, method: string, path: string, auth: string, body: unknown, agent: Agent | false): Promise<Answer> {
  const u = new URL(path, url);
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path: u.pathname + u.search,
        agent,
        headers: { Authorization: auth, ...(text === undefined ? {} : { "Content-Type": "application/json" }) },
      },
      (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (data += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: data === "" ? undefined : JSON.parse(data) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

/**
 * Nothing but connections still closing is left once `close()` has resolved: no timer, server,
 * worker or process. A connection the server has ended (its side sent the last bytes, e.g.
 * PostgreSQL's Terminate) is gone once the peer closes its side; that is waited for, not assumed.
 */
async function assertReleased(before: Map<string, number>): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  const closing = (kind: string): boolean => kind.startsWith("TCPSocketWrap") || kind.startsWith("PipeWrap");
  assert.deepEqual(
    leftBehind(before, activeResources()).filter((kind) => !closing(kind)),
    [],
    "left behind after close()",
  );
  await becomes(() => leftBehind(before, activeResources()).length === 0);
  assert.deepEqual(leftBehind(before, activeResources()), [], "connections never closed after close()");
}

const basic = "Basic " + Buffer.from(SERVER_KEY + ":").toString("base64");

/** Signs in, refreshes, reads the account, opens and closes a realtime socket, issues a ticket. */
async function exercise(url: string, agent: Agent | false): Promise<void> {
  const session = await call(url, "POST", "/v2/account/authenticate/device?create=true", basic, { id: deviceId() }, agent);
  assert.equal(session.status, 200, JSON.stringify(session.json));
  const bearer = "Bearer " + session.json.token;
  assert.equal((await call(url, "GET", "/v2/account", bearer, undefined, agent)).status, 200);
  const refreshed = await call(url, "POST", "/v2/account/session/refresh", basic, { token: session.json.refresh_token }, agent);
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
  assert.equal((await call(url, "POST", "/v2/tickets", "Bearer " + refreshed.json.token, {}, agent)).status, 200);

  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws?token=${encodeURIComponent(refreshed.json.token)}`);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  ws.close(1000);
  await new Promise<void>((resolve) => ws.once("close", () => resolve()));
}

describe("a closed server leaves nothing that keeps the process alive", () => {
  for (const backend of BACKENDS) {
    it(`on ${backend}: connections of their own and keep-alive ones, a realtime socket, tickets`, { skip: backendSkip(backend) }, async () => {
      // The test's own connection that makes a fresh database is not the server's.
      const database = await backendSettings(backend);
      const before = activeResources();
      const t = await startTestServer(database);
      const agent = new Agent({ keepAlive: true });
      try {
        await exercise(t.url, false);
        await exercise(t.url, agent);
      } finally {
        // The client's idle keep-alive connections are the client's; the server's side must go.
        agent.destroy();
        await t.close();
      }
      await assertReleased(before);
      await dropBackendDatabases(backend);
    });
  }

  it("with a Redis bus (a cluster node on PostgreSQL)", { skip: backendSkip("postgres") || redisSkip() }, async () => {
    const redis = await TestRedis.start();
    try {
      const database = await backendSettings("postgres");
      const before = activeResources();
      const t = await startTestServer({
        ...database,
        "cluster.redis_url": redis.url,
        "session.encryption_key": "close-releases-shared-key-0123456789",
        "session.refresh_encryption_key": "close-releases-shared-refresh-0123456789",
      });
      try {
        await exercise(t.url, false);
      } finally {
        await t.close();
      }
      await assertReleased(before);
    } finally {
      await redis.kill();
      await dropBackendDatabases("postgres");
    }
  });
});
