/**
 * Several Tessera nodes as one cluster: the Redis bus (exactly-once delivery, surviving Redis going
 * away and coming back), the database poll that replays revocations when the bus cannot carry them
 * (cursor, overlap for clock skew, de-duplication), the settings that refuse a cluster with keys
 * generated per node, and three real server processes sharing one fresh PostgreSQL database and a
 * Redis this file starts itself: logout, refresh-token reuse and bans on one node close sockets on
 * the others within 1 s with Redis, within 2 s without it, and the bus resumes when Redis returns.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { BusMessage } from "../../src/cluster/bus.js";
import { LocalBus } from "../../src/cluster/local-bus.js";
import { BUS_CHANNEL, RedisBus } from "../../src/cluster/redis-bus.js";
import { RevocationPoller } from "../../src/cluster/revocation-poll.js";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { enforceSafety, safetyFindings } from "../../src/config/safety.js";
import type { Logger } from "../../src/shared/logger.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { SessionRow } from "../../src/store/store.js";
import { assertError, assertUnauthorized, ok } from "../support/expect.js";
import { Api, claimsOf, quietLogger, spawnServer, tempDir, type SpawnedServer } from "../support/harness.js";
import { eventually } from "../support/eventually.js";
import { createTestDatabase, dropAllTestDatabases, postgresSkip } from "../support/postgres.js";
import { TestRedis, redisSkip, sparePort } from "../support/redis.js";
import { startTcpProxy } from "../support/tcp-proxy.js";
import { WatchedSocket } from "../support/watched-socket.js";

/** The documented staleness bounds (docs/deployment.md). */
const BUS_BOUND_MS = 1000;
const POLL_BOUND_MS = 2000;
/** Room for a loaded CI machine to schedule the processes involved; the bounds above are the claim. */
const MARGIN_MS = 500;

/** Sign-ins per minute naming one identifier, across the cluster. */
const IDENTIFIER_LIMIT = 4;
const GAME_SERVER_SECRET = "cluster-game-server-secret-0123456789abcdef";

const KEYS = {
  TESSERA_SESSION_ENCRYPTION_KEY: "cluster-test-access-key-0123456789abcdef",
  TESSERA_SESSION_REFRESH_ENCRYPTION_KEY: "cluster-test-refresh-key-0123456789abcdef",
};

const postgresSkipReason = await postgresSkip();
const redisSkipReason = redisSkip();

interface LogLine {
  level: keyof Logger;
  message: string;
}

function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: keyof Logger) => (message: string) => void lines.push({ level, message });
  return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

/** Resolves with `promise`, or fails naming `what` once `deadline` (a Date.now() value) has passed. */
function by<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within the bound`)), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const revoked = (userId: string, sessionIds: string[], reason: string): BusMessage => ({ type: "sessions_revoked", userId, sessionIds, reason }) as BusMessage;

describe("cluster settings", () => {
  const load = (overrides: Record<string, string>) => loadConfig({ env: {}, overrides });
  const PG = "postgres://postgres@127.0.0.1:5432/tessera";

  it("accepts cluster.redis_url with PostgreSQL and both signing keys", () => {
    const config = load({
      "cluster.redis_url": "redis://:s3cret@127.0.0.1:6379/0",
      "database.url": PG,
      "session.encryption_key": KEYS.TESSERA_SESSION_ENCRYPTION_KEY,
      "session.refresh_encryption_key": KEYS.TESSERA_SESSION_REFRESH_ENCRYPTION_KEY,
    });
    assert.equal(config.cluster.redisUrl, "redis://:s3cret@127.0.0.1:6379/0");
    assert.equal(load({}).cluster.redisUrl, undefined);
    assert.equal(
      loadConfig({ env: { TESSERA_REDIS_URL: "rediss://cache.internal:6380", TESSERA_DATABASE_URL: PG, ...KEYS } }).cluster.redisUrl,
      "rediss://cache.internal:6380",
    );
  });

  it("refuses keys generated per node, a SQLite database and malformed URLs, naming the setting", () => {
    const keys = {
      "session.encryption_key": KEYS.TESSERA_SESSION_ENCRYPTION_KEY,
      "session.refresh_encryption_key": KEYS.TESSERA_SESSION_REFRESH_ENCRYPTION_KEY,
    };
    const refused = (overrides: Record<string, string>, setting: string, pattern: RegExp) =>
      assert.throws(
        () => load(overrides),
        (err: unknown) => err instanceof ConfigError && err.setting === setting && pattern.test(err.message) && !err.message.includes("s3cret"),
        JSON.stringify(overrides),
      );
    refused({ "cluster.redis_url": "redis://127.0.0.1:6379", "database.url": PG }, "session.encryption_key", /same value on every node/);
    refused(
      { "cluster.redis_url": "redis://127.0.0.1:6379", "database.url": PG, "session.encryption_key": KEYS.TESSERA_SESSION_ENCRYPTION_KEY },
      "session.refresh_encryption_key",
      /same value on every node/,
    );
    refused({ "cluster.redis_url": "redis://127.0.0.1:6379", ...keys }, "cluster.redis_url", /needs a PostgreSQL database\.url/);
    for (const bad of ["http://127.0.0.1:6379", "redis:127.0.0.1", "redis://", "redis://u:s3cret@host:99999"]) {
      refused({ "cluster.redis_url": bad, "database.url": PG, ...keys }, "cluster.redis_url", /expected redis:\/\//);
    }
  });

  it("warns when PostgreSQL is used with generated keys (refused with production)", () => {
    const findings = safetyFindings(load({ "database.url": PG }));
    const keys = findings.find((f) => f.setting === "session.encryption_key");
    assert.ok(keys, JSON.stringify(findings));
    assert.match(keys.message, /every other node sharing the database will refuse them/);
    const withKeys = load({ "database.url": PG, "session.encryption_key": "a".repeat(32), "session.refresh_encryption_key": "b".repeat(32) });
    assert.deepEqual(
      safetyFindings(withKeys).map((f) => f.setting),
      ["socket.server_key"],
      "only the default server key is left",
    );
    assert.throws(
      () => enforceSafety(load({ "database.url": PG, "socket.server_key": "a-real-secret", production: "true" })),
      (err: unknown) => err instanceof ConfigError && err.setting === "session.encryption_key" && /refused because production is on/.test(err.message),
    );
  });
});

describe("RevocationPoller (the database poll)", () => {
  const NOW = 1_700_000_000_000;
  let dir: { path: string; remove(): void };
  let store: SqliteStore;
  let now: number;
  const clock = { now: () => now };

  before(() => {
    dir = tempDir("tessera-poll-");
    store = SqliteStore.open({ path: join(dir.path, "tessera.db") });
  });
  after(async () => {
    await store.close();
    dir.remove();
  });

  async function sessionsOf(count: number): Promise<{ accountId: string; ids: string[] }> {
    const accountId = randomUUID();
    await store.createAccount({ id: accountId, username: `poll-${accountId}`, createTime: NOW }, undefined);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const row: SessionRow = {
        id: randomUUID(),
        accountId,
        createdAt: NOW,
        lastRefreshAt: null,
        generation: 0,
        rotatedAt: NOW,
        username: "p",
        vars: {},
        issuedAtSec: NOW / 1000,
        tokenExpiresAtSec: NOW / 1000 + 3600,
        refreshExpiresAtSec: NOW / 1000 + 86_400,
        clientIp: null,
        userAgent: null,
        revokedAt: null,
        revokedReason: null,
      };
      await store.createSession(row);
      ids.push(row.id);
    }
    return { accountId, ids };
  }

  it("replays what other nodes revoked, once, grouped by account and reason, to this node's subscribers", async () => {
    now = NOW;
    const bus = new LocalBus();
    const got: BusMessage[] = [];
    bus.subscribe((m) => got.push(m));
    const poller = new RevocationPoller({ source: store, bus, clock, logger: quietLogger, pageSize: 2 });
    try {
      const a = await sessionsOf(3);
      const b = await sessionsOf(1);
      // Written by "another node": straight to the shared store, nothing on this node's bus.
      await store.revokeAccountSessions(a.accountId, "banned", now + 100);
      await store.revokeSession(b.ids[0]!, "logout", now + 200);
      now += 1000;
      assert.equal(await poller.poll(), 4, "every revocation, across pages of 2");
      assert.deepEqual(
        got.map((m) => (m.type === "sessions_revoked" ? { ...m, sessionIds: [...m.sessionIds].sort() } : m)),
        [revoked(a.accountId, [...a.ids].sort(), "banned"), revoked(b.accountId, b.ids, "logout")],
      );
      assert.equal(await poller.poll(), 0, "the overlap window reads them again, but they are not replayed twice");
      assert.equal(got.length, 2);

      // Revoked by this node: its bus delivered the news already, the poll does not repeat it.
      const c = await sessionsOf(1);
      await store.revokeSession(c.ids[0]!, "logout", now);
      await bus.publish(revoked(c.accountId, c.ids, "logout"));
      assert.equal(await poller.poll(), 0);
      assert.equal(got.length, 3);
    } finally {
      await poller.close();
    }
  });

  it("finds revocations stamped by clocks up to the overlap (10 s) behind or ahead of its own", async () => {
    now = NOW + 1_000_000;
    const bus = new LocalBus();
    const got: BusMessage[] = [];
    bus.subscribe((m) => got.push(m));
    const poller = new RevocationPoller({ source: store, bus, clock, logger: quietLogger });
    try {
      const behind = await sessionsOf(1);
      await store.revokeSession(behind.ids[0]!, "logout", now - 8000);
      assert.equal(await poller.poll(), 1, "a node whose clock lags 8 s");

      // A node an hour ahead: its row is replayed, and the cursor does not leap an hour ahead with
      // it (it never passes this node's own clock), so the next normal revocation is still found.
      const ahead = await sessionsOf(1);
      await store.revokeSession(ahead.ids[0]!, "ended", now + 3_600_000);
      assert.equal(await poller.poll(), 1);
      now += 500;
      const normal = await sessionsOf(1);
      await store.revokeSession(normal.ids[0]!, "logout", now - 200);
      assert.equal(await poller.poll(), 1);
      assert.equal(await poller.poll(), 0, "the future row is not replayed again");

      // Beyond the overlap: the documented limit (keep node clocks synchronised).
      const tooFar = await sessionsOf(1);
      await store.revokeSession(tooFar.ids[0]!, "logout", now - 15_000);
      assert.equal(await poller.poll(), 0);
      assert.deepEqual(
        got.flatMap((m) => (m.type === "sessions_revoked" ? m.sessionIds : [])),
        [behind.ids[0], ahead.ids[0], normal.ids[0]],
      );
    } finally {
      await poller.close();
    }
  });

  it("polls on its own timer while the bus does not reach other nodes", async () => {
    now = NOW + 10_000_000; // Past every row the tests above wrote, their future one included.
    const bus = new LocalBus();
    const got: BusMessage[] = [];
    bus.subscribe((m) => got.push(m));
    const poller = new RevocationPoller({ source: store, bus, clock, logger: quietLogger, intervalMs: 20 });
    poller.start();
    try {
      const s = await sessionsOf(1);
      await store.revokeSession(s.ids[0]!, "refresh_reuse", now);
      await eventually(() => got.length === 1, "the timer's poll");
      assert.deepEqual(got, [revoked(s.accountId, s.ids, "refresh_reuse")]);
    } finally {
      await poller.close();
    }
  });
});

describe("RedisBus", { skip: redisSkipReason }, () => {
  let redis: TestRedis;
  const buses: RedisBus[] = [];
  before(async () => {
    redis = await TestRedis.start();
  });
  after(async () => {
    for (const bus of buses) await bus.close();
    await redis.close();
  });

  async function node(): Promise<{ bus: RedisBus; got: BusMessage[]; lines: LogLine[] }> {
    const { logger, lines } = recordingLogger();
    const bus = await RedisBus.open({ url: redis.url, logger });
    buses.push(bus);
    const got: BusMessage[] = [];
    bus.subscribe((m) => got.push(m));
    return { bus, got, lines };
  }

  /** Publishes a marker from `from` and waits until every node has it: everything sent before has arrived. */
  async function settle(from: RedisBus, nodes: { got: BusMessage[] }[]): Promise<void> {
    const marker = { type: "session_disconnect", sessionId: randomUUID(), reason: "marker" } as const;
    await from.publish(marker);
    await eventually(
      () => nodes.every((n) => n.got.some((m) => m.type === "session_disconnect" && m.sessionId === marker.sessionId)),
      "the marker on every node",
    );
  }

  const without = (got: BusMessage[], reason = "marker") => got.filter((m) => !(m.type === "session_disconnect" && m.reason === reason));

  it("delivers every message to every node exactly once, the publisher included, whatever its type", async () => {
    const a = await node();
    const b = await node();
    const c = await node();
    const second: BusMessage[] = [];
    a.bus.subscribe((m) => second.push(m));
    for (const n of [a, b, c]) assert.deepEqual(n.bus.health(), { state: "connected", transport: "redis", epoch: 1 });

    const m1 = revoked(randomUUID(), [randomUUID(), randomUUID()], "logout");
    const m2: BusMessage = { type: "session_disconnect", sessionId: randomUUID(), reason: "maintenance" };
    // A type added later (tickets): carried as is, without the bus knowing it.
    const m3 = { type: "ticket_canceled", handle: 7, nested: { list: [1, "x", null] } } as unknown as BusMessage;
    await a.bus.publish(m1);
    assert.deepEqual(a.got, [m1], "the publisher's own subscribers have it when publish resolves");
    await b.bus.publish(m2);
    await c.bus.publish(m3);
    await settle(a.bus, [a, b, c]);
    await settle(c.bus, [a, b, c]);
    const sorted = (list: BusMessage[]) =>
      without(list)
        .map((m) => JSON.stringify(m))
        .sort();
    for (const [name, got] of [
      ["a", a.got],
      ["b", b.got],
      ["c", c.got],
      ["a's second subscriber", second],
    ] as const) {
      assert.deepEqual(sorted(got), sorted([m1, m2, m3]), `node ${name}`);
    }
  });

  it("ignores foreign messages on its channel", async () => {
    const a = await node();
    const b = await node();
    await redis.publishRaw(BUS_CHANNEL, "not json");
    await redis.publishRaw(BUS_CHANNEL, JSON.stringify({ v: 1, node: "someone", message: { no: "type" } }));
    await redis.publishRaw(BUS_CHANNEL, JSON.stringify({ v: 99, node: "future", message: { type: "x" } }));
    await settle(b.bus, [a, b]);
    assert.deepEqual(without(a.got), []);
    assert.equal(a.lines.filter((l) => l.level === "warn" && /not a Tessera bus envelope/.test(l.message)).length, 1, "warned once, not per message");
  });

  it("keeps publishing locally while Redis is away, logs losing and regaining it once, and resumes", async () => {
    const a = await node();
    const b = await node();
    await redis.kill();
    await eventually(() => a.bus.health().state === "disconnected" && b.bus.health().state === "disconnected", "both buses to notice");

    // Something that accepts connections on the Redis port and drops them: every retry shows up here.
    let attempts = 0;
    const dropper = createServer((socket: Socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(redis.port, "127.0.0.1", resolve));
    try {
      await eventually(() => attempts >= 8, "several reconnection attempts");
    } finally {
      await new Promise<void>((resolve) => dropper.close(() => resolve()));
    }
    const health = a.bus.health();
    assert.equal(health.state, "disconnected");
    assert.equal(health.epoch, 1);

    const m = revoked(randomUUID(), [randomUUID()], "logout");
    await by(a.bus.publish(m), Date.now() + BUS_BOUND_MS, "publish while Redis is down");
    assert.deepEqual(without(a.got), [m], "this node's subscribers still hear it");
    for (const n of [a, b]) {
      const lost = n.lines.filter((l) => l.level === "warn" && /lost Redis at redis:\/\/127\.0\.0\.1:\d+/.test(l.message));
      assert.equal(lost.length, 1, `logged once, not per retry: ${JSON.stringify(n.lines)}`);
    }

    await redis.start();
    await eventually(() => a.bus.health().state === "connected" && b.bus.health().state === "connected", "both buses to reconnect");
    assert.deepEqual(a.bus.health(), { state: "connected", transport: "redis", epoch: 2 });
    const back = a.lines.filter((l) => l.level === "info" && /is back; 1 message\(s\) published meanwhile reached this node only/.test(l.message));
    assert.equal(back.length, 1, JSON.stringify(a.lines));
    const after = revoked(randomUUID(), [randomUUID()], "ended");
    await b.bus.publish(after);
    await settle(b.bus, [a, b]);
    assert.deepEqual(without(a.got), [m, after], "news flows again; nothing from the outage arrives late");
    assert.deepEqual(without(b.got), [after]);
  });

  it("notices a Redis that falls silent (a network dropping packets), and reconnects when it answers again", async () => {
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: redis.port });
    try {
      const { logger, lines } = recordingLogger();
      const bus = await RedisBus.open({ url: `redis://127.0.0.1:${proxy.port}`, logger });
      buses.push(bus);
      const got: BusMessage[] = [];
      bus.subscribe((m) => got.push(m));
      assert.equal(bus.health().state, "connected");

      proxy.cut("blackhole");
      await eventually(() => bus.health().state === "disconnected", "the silence to be noticed");
      const health = bus.health();
      assert.ok(health.state === "disconnected" && /no answer to PING/.test(health.reason), JSON.stringify(health));
      assert.equal(lines.filter((l) => l.level === "warn" && /lost Redis/.test(l.message)).length, 1);
      const m = revoked(randomUUID(), [randomUUID()], "logout");
      await by(bus.publish(m), Date.now() + BUS_BOUND_MS, "publish while Redis is silent");
      assert.deepEqual(got, [m]);

      proxy.restore();
      await eventually(() => bus.health().state === "connected", "the reconnection");
    } finally {
      await proxy.close();
    }
  });

  it("starts without Redis, says so once, and connects when it comes", async () => {
    const port = await sparePort();
    const { logger, lines } = recordingLogger();
    const bus = await RedisBus.open({ url: `redis://127.0.0.1:${port}`, logger, connectWaitMs: 200 });
    buses.push(bus);
    assert.equal(bus.health().state, "disconnected");
    assert.equal(lines.filter((l) => l.level === "warn" && /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ .*starting without it/.test(l.message)).length, 1);
    const late = await TestRedis.start(port);
    try {
      await eventually(() => bus.health().state === "connected", "the late Redis");
      assert.ok(lines.some((l) => l.level === "info" && /connected to Redis/.test(l.message)));
    } finally {
      await late.close();
    }
  });
});

const clusterSkip = postgresSkipReason || redisSkipReason;

describe("a cluster of three nodes on PostgreSQL and Redis", { skip: clusterSkip }, () => {
  const REFRESH = "/v2/account/session/refresh";
  const GRACE_SEC = 1;
  let redis: TestRedis;
  const dirs: { remove(): void }[] = [];
  const sockets: WatchedSocket[] = [];
  let nodes: { name: string; api: Api; server: SpawnedServer }[];
  let a: (typeof nodes)[number];
  let b: (typeof nodes)[number];
  let c: (typeof nodes)[number];

  before(async () => {
    const db = await createTestDatabase();
    redis = await TestRedis.start();
    const runtime = tempDir("tessera-cluster-runtime-");
    dirs.push(runtime);
    // Bans come from a runtime module, as an operator's would: a player asking for one gets it.
    writeFileSync(
      join(runtime.path, "ban.mjs"),
      `export function InitModule(ctx, logger, nk, initializer) {
        initializer.registerBeforeUpdateAccount(async (ctx, logger, nk, data) => {
          if (data.displayName !== "ban me") return data;
          await nk.usersBanId([ctx.userId]);
          return null;
        });
      }\n`,
    );
    const start = async (name: string) => {
      const dir = tempDir(`tessera-cluster-${name}-`);
      dirs.push(dir);
      const args = ["--port", "0", "--data-dir", dir.path, "--database-url", db.url, "--redis-url", redis.url, "--runtime.path", runtime.path];
      args.push("--tickets.game_servers", JSON.stringify([{ identity: "eu-west-1", secret: GAME_SERVER_SECRET }]));
      args.push("--ratelimit.signin_per_identifier", String(IDENTIFIER_LIMIT));
      const server = await spawnServer([...args, "--session.refresh_reuse_grace_sec", String(GRACE_SEC)], { env: KEYS });
      return { name, api: new Api(server.url), server };
    };
    // One first, so the others find the schema migrated (they would wait on its lock anyway).
    nodes = [await start("a")];
    nodes.push(...(await Promise.all([start("b"), start("c")])));
    [a, b, c] = nodes as [typeof a, typeof b, typeof c];
  });

  after(async () => {
    for (const s of sockets) s.end();
    for (const n of nodes ?? []) {
      n.server.child.kill("SIGTERM");
      await n.server.exited;
    }
    await redis?.close();
    for (const d of dirs) d.remove();
    await dropAllTestDatabases();
  });

  async function socketOn(node: (typeof nodes)[number], token: string): Promise<WatchedSocket> {
    const socket = await WatchedSocket.open(node.api.url, token);
    sockets.push(socket);
    await socket.roundTrip();
    return socket;
  }

  const signIn = (node: (typeof nodes)[number]) => node.api.device(`cluster-${randomUUID()}`);

  const gameServer = async (node: (typeof nodes)[number]): Promise<string> =>
    ok(await node.api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: GAME_SERVER_SECRET })).token;

  /** A player signed in on `node` with a ticket for game server eu-west-1 issued there. */
  async function playerTicket(node: (typeof nodes)[number]) {
    const s = await signIn(node);
    const tk = ok(await node.api.withToken("POST", "/v2/tickets", s.token, { identity: "eu-west-1" }));
    return { session: s, userId: claimsOf(s.token)["uid"] as string, handle: tk.handle as number, ticket: tk.ticket as string };
  }

  /** Begins on `node` and waits for the validation result (the first event). */
  async function beginAndResult(node: (typeof nodes)[number], validator: string, t: { ticket: string; userId: string }) {
    const begun = ok(await node.api.withToken("POST", "/v2/tickets/auth-sessions", validator, { ticket: t.ticket, user_id: t.userId }));
    assert.equal(begun.result_name, "OK");
    let first: { response_name: string; id: string } | undefined;
    await eventually(async () => {
      const { events } = ok(await node.api.withToken("POST", "/v2/tickets/auth-sessions/poll", validator, { wait_ms: 1000 }));
      first = events.find((e: { auth_session_id: string; seq: number }) => e.auth_session_id === begun.auth_session.id && e.seq === 1);
      if (events.length > 0) await node.api.withToken("POST", "/v2/tickets/auth-sessions/poll", validator, { ack: events.map((e: { id: string }) => e.id) });
      return first !== undefined;
    }, "the validation result");
    return { id: begun.auth_session.id as string, first: first! };
  }

  /** Starts a long poll on `node` and resolves with the first event of `authSessionId` it returns. */
  async function nextEvent(node: (typeof nodes)[number], validator: string, authSessionId: string): Promise<{ response_name: string; at: number }> {
    for (;;) {
      const { events } = ok(await node.api.withToken("POST", "/v2/tickets/auth-sessions/poll", validator, { wait_ms: 10_000 }));
      const e = events.find((x: { auth_session_id: string }) => x.auth_session_id === authSessionId);
      if (e) return { response_name: e.response_name, at: Date.now() };
    }
  }

  it("is ready on every node, with the database and the Redis bus", async () => {
    for (const n of nodes) assert.deepEqual(ok(await n.api.call("GET", "/readyz")), { status: "ok", database: "ok", bus: "ok" }, n.name);
  });

  it("logout on A: B refuses the token at once and closes the session's socket within 1 s", async () => {
    const s = await signIn(a);
    const onB = await socketOn(b, s.token);
    const onC = await socketOn(c, s.token);
    ok(await b.api.withToken("GET", "/v2/account", s.token));

    ok(await a.api.withToken("POST", "/v2/session/logout", s.token, { token: s.token }));
    const revokedAt = Date.now();
    assertUnauthorized(await b.api.withToken("GET", "/v2/account", s.token), "Auth token invalid", "Bearer");
    for (const [name, socket] of [
      ["B", onB],
      ["C", onC],
    ] as const) {
      const closed = await by(socket.closed, revokedAt + BUS_BOUND_MS + MARGIN_MS, `${name} closing the socket`);
      assert.deepEqual([closed.code, closed.reason], [4001, "session ended: logout"]);
      assert.deepEqual(socket.notifications(), [{ code: -100, subject: "session_ended", content: { reason: "logout" } }]);
    }
  });

  it("refresh reuse across nodes: within the grace window B answers like A; after it, the session is revoked everywhere", async () => {
    const s0 = await signIn(a);
    const onB = await socketOn(b, s0.token);
    const onC = await socketOn(c, s0.token);
    const rotated = ok(await a.api.withKey(REFRESH, { token: s0.refresh_token }));
    const rotatedAt = Date.now();
    // Inside the window, a duplicate refresh on another node gets the same tokens, no alarm.
    assert.deepEqual(ok(await b.api.withKey(REFRESH, { token: s0.refresh_token })), rotated);
    assert.equal(onB.isClosed || onC.isClosed, false);

    // Past the window (a configured deadline, not an event to wait for), the old token is theft.
    await new Promise((r) => setTimeout(r, Math.max(0, rotatedAt + GRACE_SEC * 1000 + 100 - Date.now())));
    assertError(await b.api.withKey(REFRESH, { token: s0.refresh_token }), 401, "Refresh token invalid or expired.");
    const revokedAt = Date.now();
    for (const [name, socket] of [
      ["B", onB],
      ["C", onC],
    ] as const) {
      const closed = await by(socket.closed, revokedAt + BUS_BOUND_MS + MARGIN_MS, `${name} closing the socket`);
      assert.deepEqual([closed.code, closed.reason], [4001, "session ended: refresh_reuse"]);
    }
    for (const n of nodes) {
      assertUnauthorized(await n.api.withToken("GET", "/v2/account", rotated.token), "Auth token invalid", "Bearer");
      assertError(await n.api.withKey(REFRESH, { token: rotated.refresh_token }), 401, "Refresh token invalid or expired.");
    }
  });

  it("a ban on A closes the account's sockets on B and C with the banned notification", async () => {
    const s = await signIn(a);
    const onB = await socketOn(b, s.token);
    const other = await signIn(c);
    const bystander = await socketOn(b, other.token); // Another account: its socket stays.
    const onC = await socketOn(c, s.token);
    assertError(await a.api.withToken("PUT", "/v2/account", s.token, { display_name: "ban me" }), 404, "Requested resource was not found.");
    const bannedAt = Date.now();
    for (const [name, socket] of [
      ["B", onB],
      ["C", onC],
    ] as const) {
      const closed = await by(socket.closed, bannedAt + BUS_BOUND_MS + MARGIN_MS, `${name} closing the socket`);
      assert.deepEqual([closed.code, closed.reason], [4003, "banned"]);
      assert.deepEqual(socket.notifications(), [{ code: -8, subject: "banned", content: {} }]);
    }
    assertUnauthorized(await b.api.withToken("GET", "/v2/account", s.token), "Auth token invalid", "Bearer");
    await bystander.roundTrip();
  });

  it("a ticket issued on A is validated on B, and its cancel on C wakes B's waiting poll within 1 s", async () => {
    const t = await playerTicket(a);
    const s = await gameServer(b);
    const { id, first } = await beginAndResult(b, s, t);
    assert.equal(first.response_name, "OK");
    const waiting = nextEvent(b, s, id);
    await new Promise((r) => setTimeout(r, 200));
    ok(await c.api.withToken("DELETE", `/v2/tickets/${t.handle}`, t.session.token));
    const canceledAt = Date.now();
    const next = await by(waiting, canceledAt + BUS_BOUND_MS + MARGIN_MS, "B's poll receiving the cancel");
    assert.equal(next.response_name, "AuthTicketCanceled");
  });

  it("one ticket validated at once on A and B gives exactly one OK", async () => {
    const t = await playerTicket(c);
    const [onA, onB] = await Promise.all([gameServer(a), gameServer(b)]);
    const results = await Promise.all([beginAndResult(a, onA, t), beginAndResult(b, onB, t)]);
    assert.deepEqual(results.map((r) => r.first.response_name).sort(), ["AuthTicketInvalidAlreadyUsed", "OK"]);

    const steam = (node: (typeof nodes)[number], ticket: string) =>
      node.api.call("GET", `/ISteamUserAuth/AuthenticateUserTicket/v1/?${new URLSearchParams({ key: GAME_SERVER_SECRET, appid: "0", ticket })}`);
    for (let round = 0; round < 5; round++) {
      const u = await playerTicket(a);
      const answers = await Promise.all(nodes.map((n) => steam(n, u.ticket)));
      const oks = answers.filter((r) => ok(r).response.params?.result === "OK");
      const used = answers.filter((r) => ok(r).response.error?.errorcode === 103);
      assert.deepEqual([oks.length, used.length], [1, 2], JSON.stringify(answers.map((r) => r.body)));
    }
  });

  it("counts sign-in limits across the cluster: an identifier's attempts on A, B and C share one limit", async () => {
    const device = `cluster-limited-${randomUUID()}`;
    const attempt = (node: (typeof nodes)[number]) => node.api.withKey("/v2/account/authenticate/device", { id: device });
    for (const node of [a, b, c, a]) ok(await attempt(node));
    const refused = await attempt(b);
    assertError(refused, 429, /Too many sign-in attempts/, 8);
    assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);
    assertError(await attempt(c), 429, /Too many sign-in attempts/, 8);
  });

  it("with Redis killed: nodes stay ready (bus reconnecting), and a logout on A still closes B's socket within 2 s through the database poll", async () => {
    await redis.kill();
    for (const n of nodes) {
      await eventually(async () => (await n.api.call("GET", "/readyz")).body?.bus === "redis reconnecting", `${n.name} to notice`);
      const res = await n.api.call("GET", "/readyz");
      assert.equal(res.status, 200, "Redis down does not take the node out of rotation");
      assert.deepEqual(res.body, { status: "degraded", database: "ok", bus: "redis reconnecting" });
    }
    const s = await signIn(a);
    const onB = await socketOn(b, s.token);
    const onC = await socketOn(c, s.token);
    ok(await a.api.withToken("POST", "/v2/session/logout", s.token, {}));
    const revokedAt = Date.now();
    assertUnauthorized(await b.api.withToken("GET", "/v2/account", s.token), "Auth token invalid", "Bearer");
    for (const [name, socket] of [
      ["B", onB],
      ["C", onC],
    ] as const) {
      const closed = await by(socket.closed, revokedAt + POLL_BOUND_MS + MARGIN_MS, `${name} closing the socket without Redis`);
      assert.deepEqual([closed.code, closed.reason], [4001, "session ended: logout_all"]);
    }
    for (const n of nodes) {
      const lost = n.server.output().match(/cluster bus: lost Redis at redis:\/\/127\.0\.0\.1:\d+/g) ?? [];
      assert.equal(lost.length, 1, `${n.name} logs losing Redis once, not per retry`);
    }
  });

  it("with Redis killed: a ticket cancelled on A still reaches a poll waiting on B within 2 s", async () => {
    const t = await playerTicket(a);
    const s = await gameServer(b);
    const { id } = await beginAndResult(b, s, t);
    const waiting = nextEvent(b, s, id);
    await new Promise((r) => setTimeout(r, 200));
    ok(await a.api.withToken("DELETE", `/v2/tickets/${t.handle}`, t.session.token));
    const canceledAt = Date.now();
    const next = await by(waiting, canceledAt + POLL_BOUND_MS + MARGIN_MS, "B's poll receiving the cancel without Redis");
    assert.equal(next.response_name, "AuthTicketCanceled");
  });

  it("with Redis back: the bus resumes on every node, and a logout on A closes B's socket within 1 s again", async () => {
    await redis.start();
    for (const n of nodes) {
      await eventually(async () => (await n.api.call("GET", "/readyz")).body?.bus === "ok", `${n.name} to reconnect`);
      assert.deepEqual(ok(await n.api.call("GET", "/readyz")), { status: "ok", database: "ok", bus: "ok" });
      assert.match(n.server.output(), /cluster bus: Redis at redis:\/\/127\.0\.0\.1:\d+ is back/);
    }
    const s = await signIn(a);
    const onB = await socketOn(b, s.token);
    ok(await a.api.withToken("DELETE", `/v2/account/sessions/${claimsOf(s.token)["tid"]}`, s.token));
    const revokedAt = Date.now();
    const closed = await by(onB.closed, revokedAt + BUS_BOUND_MS + MARGIN_MS, "B closing the socket");
    assert.deepEqual([closed.code, closed.reason], [4001, "session ended: ended"]);
  });
});
