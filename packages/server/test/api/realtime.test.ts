/**
 * The realtime socket (`GET /ws`), driven by the official nakama-js 2.8.0 client and by a raw `ws`
 * client for exact bytes: authentication at upgrade, envelopes and errors, the `online` flag, and
 * every way the server closes a socket (revocation through the bus, bans, single_socket,
 * single_session, runtime disconnects, heartbeat, shutdown). Real servers, real SQLite files.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Client, DefaultSocket, Notification, Session } from "@heroiclabs/nakama-js";
import { WebSocket } from "ws";
import { banAccount } from "../../src/account/ban.js";
import { attachSocketServer } from "../../src/realtime/socket-server.js";
import { SocketRegistry } from "../../src/realtime/socket-registry.js";
import { signAccessToken } from "../../src/session/claims.js";
import { SERVER_KEY, claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { nakamaClient } from "../support/nakama-client.js";
import { eventually } from "../support/eventually.js";

// nakama-js creates sockets with the global WebSocket; Node 20 has none.
const globals = globalThis as { WebSocket?: unknown };
globals.WebSocket ??= WebSocket;

/** Generous: these are waits for events, never measurements of speed. */
const WAIT_MS = 10_000;
/**
 * nakama-js races each request, connect and heartbeat ping against a timer it never clears, so the
 * process lingers that long after the last one: keep them short (local answers take milliseconds).
 * A heartbeat ping left unanswered this long makes nakama-js throw in Node (it reads `window`),
 * which fails this file: the client's own pings are checked on every socket.
 */
const CLIENT_TIMEOUT_MS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const deviceId = (label: string): string => `${label}-${randomUUID()}`;

function wsUrl(t: TestServer | string, query = ""): string {
  const base = typeof t === "string" ? t : t.url;
  return base.replace(/^http/, "ws") + "/ws" + query;
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Closed {
  code: number;
  reason: string;
}

type Seen = { kind: "notification"; notification: Notification } | { kind: "close"; code: number; reason: string };

/** Everything to close in after() hooks. */
const openSockets = new Set<{ end(): void }>();

/** A nakama-js socket with what it saw, in order. */
class NakamaConn {
  readonly seen: Seen[] = [];
  readonly closed: Promise<Closed>;

  constructor(readonly socket: DefaultSocket) {
    let onClosed!: (c: Closed) => void;
    this.closed = new Promise((resolve) => (onClosed = resolve));
    socket.ondisconnect = (evt: Event) => {
      const e = evt as Partial<{ code: number; reason: string }>;
      if (typeof e.code !== "number") return; // disconnect(true) also fires with {}
      this.seen.push({ kind: "close", code: e.code, reason: e.reason ?? "" });
      onClosed({ code: e.code, reason: e.reason ?? "" });
    };
    socket.onnotification = (notification) => this.seen.push({ kind: "notification", notification });
    openSockets.add({ end: () => socket.disconnect(false) });
  }

  /** A round trip through the server: proves the socket is open and answered. */
  async ping(): Promise<unknown> {
    return withTimeout(this.socket.send({ ping: {} }, CLIENT_TIMEOUT_MS), "a pong");
  }

  notifications(): Notification[] {
    return this.seen.flatMap((s) => (s.kind === "notification" ? [s.notification] : []));
  }
}

function newSocket(t: TestServer): DefaultSocket {
  const socket = nakamaClient(t).createSocket(false, false) as DefaultSocket;
  socket.setHeartbeatTimeoutMs(CLIENT_TIMEOUT_MS);
  return socket;
}

async function connect(t: TestServer, session: Session): Promise<NakamaConn> {
  const conn = new NakamaConn(newSocket(t));
  await withTimeout(conn.socket.connect(session, true, CLIENT_TIMEOUT_MS), "the socket to open");
  return conn;
}

/** A raw `ws` client that queues incoming text frames. */
class RawConn {
  private readonly inbox: string[] = [];
  private waiting: ((text: string) => void) | undefined;
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = String(data);
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(text);
      } else this.inbox.push(text);
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    openSockets.add({ end: () => ws.terminate() });
  }

  static open(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<RawConn> {
    const ws = new WebSocket(url, options);
    const conn = new RawConn(ws);
    return withTimeout(
      new Promise<RawConn>((resolve, reject) => {
        ws.once("open", () => resolve(conn));
        ws.once("error", reject);
      }),
      "a raw socket to open",
    );
  }

  /** The next text frame, as sent. */
  nextText(): Promise<string> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return withTimeout(new Promise((resolve) => (this.waiting = resolve)), "a message");
  }

  async next(): Promise<any> {
    return JSON.parse(await this.nextText());
  }

  async request(text: string): Promise<any> {
    this.ws.send(text);
    return this.next();
  }
}

/** Opens an upgrade that must be refused; resolves with the HTTP answer. */
function refusal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const ws = new WebSocket(url, { headers });
  ws.on("error", () => {});
  return withTimeout(
    new Promise((resolve, reject) => {
      ws.once("open", () => {
        ws.terminate();
        reject(new Error("the upgrade was accepted"));
      });
      ws.once("unexpected-response", (_req, res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body: text === "" ? undefined : JSON.parse(text), headers: res.headers });
          ws.terminate();
        });
      });
    }),
    "the upgrade to be refused",
  );
}

function endAllSockets(): void {
  for (const s of openSockets) s.end();
  openSockets.clear();
}

describe("realtime socket", () => {
  let t: TestServer;
  let client: Client;
  before(async () => {
    t = await startTestServer();
    client = nakamaClient(t);
  });
  after(async () => {
    endAllSockets();
    await t.close();
  });

  describe("connecting and envelopes", () => {
    it("connects with nakama-js, answers its ping, and the account is online while connected", async () => {
      const session = await client.authenticateDevice(deviceId("online"), true);
      assert.equal((await client.getAccount(session)).user?.online, undefined, "offline before any socket");
      const conn = await connect(t, session);
      const pong = await conn.ping();
      assert.deepEqual(pong, { cid: (pong as { cid: string }).cid, pong: {} });
      assert.match((pong as { cid: string }).cid, /^\d+$/);
      assert.equal((await client.getAccount(session)).user?.online, true);
      assert.equal(t.server.core.presence.isOnline(session.user_id!), true);
    });

    it('answers a raw ping with exactly {"cid":"1","pong":{}} and WebSocket-level pings with a pong', async () => {
      const s = await t.api.device(deviceId("raw"));
      const raw = await RawConn.open(wsUrl(t, `?lang=en&status=true&token=${encodeURIComponent(s.token)}`));
      raw.ws.send('{"ping":{},"cid":"1"}');
      assert.equal(await raw.nextText(), '{"cid":"1","pong":{}}');
      const pong = withTimeout(new Promise<string>((resolve) => raw.ws.once("pong", (data) => resolve(String(data)))), "a WebSocket pong");
      raw.ws.ping("hello");
      assert.equal(await pong, "hello");
    });

    it("accepts the token in an Authorization: Bearer header", async () => {
      const s = await t.api.device(deviceId("header"));
      const raw = await RawConn.open(wsUrl(t), { headers: { Authorization: `Bearer ${s.token}` } });
      assert.deepEqual(await raw.request('{"ping":{},"cid":"2"}'), { cid: "2", pong: {} });
    });

    it("answers an unsupported message with an error carrying its cid, and stays open", async () => {
      const s = await t.api.device(deviceId("unsupported"));
      const raw = await RawConn.open(wsUrl(t, `?token=${s.token}`));
      const answer = await raw.request('{"channel_join":{"target":"lobby","type":1},"cid":"7"}');
      assert.equal(answer.cid, "7");
      assert.equal(answer.error.code, 1);
      assert.match(answer.error.message, /"channel_join" is not supported/);
      const unknown = await raw.request('{"teleport":{},"cid":"8"}');
      assert.deepEqual(unknown, { cid: "8", error: { code: 1, message: 'Unrecognized message type "teleport".' } });
      assert.deepEqual(await raw.request('{"ping":{},"cid":"9"}'), { cid: "9", pong: {} });

      // Through nakama-js: the call rejects with the error, the socket stays usable.
      const session = await client.authenticateDevice(deviceId("unsupported-js"), true);
      const conn = await connect(t, session);
      await assert.rejects(withTimeout(conn.socket.joinChat("lobby", 1, false, false), "the error answer"), (err: { code: number; message: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.message, /"channel_join" is not supported/);
        return true;
      });
      await conn.ping();
    });

    it("answers invalid JSON and malformed envelopes with error envelopes, and stays open", async () => {
      const s = await t.api.device(deviceId("invalid"));
      const raw = await RawConn.open(wsUrl(t, `?token=${s.token}`));
      const invalid = await raw.request("{not json");
      assert.equal(invalid.cid, undefined);
      assert.equal(invalid.error.code, 3);
      assert.match(invalid.error.message, /Invalid JSON/);
      assert.equal((await raw.request("[1,2]")).error.code, 3);
      assert.deepEqual(await raw.request('{"cid":"10"}'), { cid: "10", error: { code: 2, message: "Missing message." } });
      const two = await raw.request('{"ping":{},"rpc":{},"cid":"11"}');
      assert.equal(two.cid, "11");
      assert.equal(two.error.code, 3);
      const numericCid = await raw.request('{"ping":{},"cid":12}');
      assert.equal(numericCid.cid, undefined);
      assert.equal(numericCid.error.code, 3);
      assert.deepEqual(await raw.request('{"ping":"now","cid":"13"}'), { cid: "13", error: { code: 3, message: 'Message "ping" must be a JSON object.' } });
      assert.deepEqual(await raw.request('{"ping":{},"cid":"14"}'), { cid: "14", pong: {} });
      assert.equal(raw.ws.readyState, WebSocket.OPEN);
    });

    it("closes with 1003 on a binary frame and 1009 on an oversized message", async () => {
      const s = await t.api.device(deviceId("frames"));
      const binary = await RawConn.open(wsUrl(t, `?token=${s.token}`));
      binary.ws.send(Buffer.from('{"ping":{},"cid":"1"}'), { binary: true });
      assert.equal((await withTimeout(binary.closed, "the close after a binary frame")).code, 1003);
      const big = await RawConn.open(wsUrl(t, `?token=${s.token}`));
      big.ws.send(JSON.stringify({ ping: {}, cid: "1", pad: "x".repeat(10_000) }));
      assert.equal((await withTimeout(big.closed, "the close after an oversized message")).code, 1009);
    });
  });

  describe("refused at upgrade", () => {
    let live: { token: string; refresh_token: string };
    before(async () => {
      live = await t.api.device(deviceId("refused"));
    });

    const expectInvalid = async (url: string, headers?: Record<string, string>): Promise<void> => {
      const r = await refusal(url, headers);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { code: 16, message: "Auth token invalid" });
      assert.match(String(r.headers["www-authenticate"]), /^Bearer /);
    };

    it("without a token: 401 Auth token required", async () => {
      const r = await refusal(wsUrl(t, "?lang=en&status=true"));
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { code: 16, message: "Auth token required" });
    });

    it("a garbage token: 401", () => expectInvalid(wsUrl(t, "?token=not.a.jwt")));

    it("a token with a tampered signature: 401", async () => {
      const [h, p, sig] = live.token.split(".") as [string, string, string];
      const flipped = sig.slice(0, -2) + (sig.at(-2) === "A" ? "B" : "A") + sig.at(-1);
      await expectInvalid(wsUrl(t, `?token=${h}.${p}.${flipped}`));
    });

    it("an expired token of a live session: 401", async () => {
      const c = claimsOf(live.token);
      const nowSec = Math.floor(Date.now() / 1000);
      const expired = signAccessToken({ tid: c.tid, uid: c.uid, usn: c.usn, vrs: {}, iat: nowSec - 120, exp: nowSec - 60 }, t.server.core.keys.access);
      await expectInvalid(wsUrl(t, `?token=${expired}`));
    });

    it("a refresh token used as the token: 401", () => expectInvalid(wsUrl(t, `?token=${live.refresh_token}`)));

    it("a non-Bearer Authorization header: 401, even with a good token in the query", () =>
      expectInvalid(wsUrl(t, `?token=${live.token}`), { Authorization: "Basic " + Buffer.from(SERVER_KEY + ":").toString("base64") }));

    it("another path: 404; format=protobuf: 400", async () => {
      const other = await refusal(t.url.replace(/^http/, "ws") + `/socket?token=${live.token}`);
      assert.equal(other.status, 404);
      const protobuf = await refusal(wsUrl(t, `?format=protobuf&token=${live.token}`));
      assert.equal(protobuf.status, 400);
      assert.equal(protobuf.body.code, 3);
    });

    it("refused upgrades leave no socket behind: the account stays offline", () => {
      assert.equal(t.server.core.presence.isOnline(claimsOf(live.token).uid), false);
    });
  });

  describe("closing", () => {
    it("a client-initiated disconnect drops the socket and the account goes offline", async () => {
      const session = await client.authenticateDevice(deviceId("bye"), true);
      const conn = await connect(t, session);
      assert.equal((await client.getAccount(session)).user?.online, true);
      conn.socket.disconnect(true);
      await eventually(() => !t.server.core.presence.isOnline(session.user_id!), "the account to go offline", { timeoutMs: WAIT_MS, intervalMs: 20 });
      assert.equal((await client.getAccount(session)).user?.online, undefined);
    });

    it("logout closes the socket (notification -100 session_ended, close 4001) and the token is refused at upgrade", async () => {
      const session = await client.authenticateDevice(deviceId("logout"), true);
      const conn = await connect(t, session);
      await client.sessionLogout(session, session.token, session.refresh_token);
      const closed = await withTimeout(conn.closed, "the socket to close");
      assert.deepEqual(closed, { code: 4001, reason: "session ended: logout" });
      assert.equal(conn.seen.length, 2);
      assert.equal(conn.seen[0]!.kind, "notification");
      const n = conn.notifications()[0]!;
      assert.equal(n.code, -100);
      assert.equal(n.subject, "session_ended");
      assert.deepEqual(n.content, { reason: "logout" });
      assert.equal(t.server.core.presence.isOnline(session.user_id!), false);

      const again = await refusal(wsUrl(t, `?lang=en&status=true&token=${encodeURIComponent(session.token)}`));
      assert.equal(again.status, 401);
      assert.deepEqual(again.body, { code: 16, message: "Auth token invalid" });
      // nakama-js itself fails to connect with it too.
      const retry = newSocket(t);
      await assert.rejects(withTimeout(retry.connect(session, true, CLIENT_TIMEOUT_MS), "the refused connect"));
    });

    it("logout everywhere closes every socket of the account, and only of that account", async () => {
      const id = deviceId("everywhere");
      const s1 = await client.authenticateDevice(id, true);
      const s2 = await client.authenticateDevice(id, true);
      const other = await client.authenticateDevice(deviceId("bystander"), true);
      const [a1, a2, b] = await Promise.all([connect(t, s1), connect(t, s2), connect(t, other)]);
      const res = await t.api.withToken("POST", "/v2/session/logout", s1.token, {});
      assert.equal(res.status, 200);
      for (const conn of [a1, a2]) {
        assert.equal((await withTimeout(conn.closed, "a socket of the account to close")).code, 4001);
        assert.deepEqual(conn.notifications()[0]?.content, { reason: "logout_all" });
      }
      await b.ping();
      assert.deepEqual(b.seen, []);
      assert.equal((await client.getAccount(other)).user?.online, true);
    });

    it("DELETE /v2/account/sessions/{id} closes that session's sockets and leaves the account's other session connected", async () => {
      const id = deviceId("end-one");
      const s1 = await client.authenticateDevice(id, true);
      const s2 = await client.authenticateDevice(id, true);
      const [first, firstAgain, second] = await Promise.all([connect(t, s1), connect(t, s1), connect(t, s2)]);
      const res = await t.api.withToken("DELETE", `/v2/account/sessions/${claimsOf(s1.token).tid}`, s2.token);
      assert.equal(res.status, 200);
      for (const conn of [first, firstAgain]) {
        assert.equal((await withTimeout(conn.closed, "the ended session's socket to close")).code, 4001);
        assert.deepEqual(conn.notifications()[0]?.content, { reason: "ended" });
      }
      await second.ping();
      assert.deepEqual(second.seen, []);
      assert.equal((await client.getAccount(s2)).user?.online, true);
    });

    it("a ban pushes notification -8 banned, then closes with 4003", async () => {
      const id = deviceId("banned");
      const s1 = await client.authenticateDevice(id, true);
      const s2 = await t.api.device(id);
      const conn = await connect(t, s1);
      const raw = await RawConn.open(wsUrl(t, `?token=${s2.token}`));
      await banAccount(t.server.core, s1.user_id!);

      assert.deepEqual(await withTimeout(conn.closed, "the banned socket to close"), { code: 4003, reason: "banned" });
      assert.equal(conn.seen[0]!.kind, "notification");
      const n = conn.notifications()[0]!;
      assert.equal(n.code, -8);
      assert.equal(n.subject, "banned");
      assert.deepEqual(n.content, {});

      // The push as Nakama sends it: no cid, content a JSON string.
      const push = await raw.next();
      assert.deepEqual(Object.keys(push), ["notifications"]);
      const [note] = push.notifications.notifications;
      assert.match(note.id, UUID);
      assert.match(note.create_time, RFC3339);
      assert.deepEqual({ ...note, id: "", create_time: "" }, { id: "", subject: "banned", content: "{}", code: -8, create_time: "", persistent: false });
      assert.equal((await withTimeout(raw.closed, "the raw socket to close")).code, 4003);
    });

    it("deleting the account closes its sockets with session_ended {reason: deleted}", async () => {
      const session = await client.authenticateDevice(deviceId("deleted"), true);
      const conn = await connect(t, session);
      assert.equal((await t.api.withToken("DELETE", "/v2/account", session.token)).status, 200);
      assert.equal((await withTimeout(conn.closed, "the socket to close")).code, 4001);
      assert.deepEqual(conn.notifications()[0]?.content, { reason: "deleted" });
    });

    it("a session_disconnect bus message closes the session's sockets (4000) without revoking it", async () => {
      const session = await client.authenticateDevice(deviceId("kicked"), true);
      const bystander = await client.authenticateDevice(deviceId("kick-bystander"), true);
      const [conn, other] = await Promise.all([connect(t, session), connect(t, bystander)]);
      await t.server.core.bus.publish({ type: "session_disconnect", sessionId: claimsOf(session.token).tid, reason: "maintenance" });
      assert.deepEqual(await withTimeout(conn.closed, "the socket to close"), { code: 4000, reason: "disconnected" });
      const n = conn.notifications()[0]!;
      assert.equal(n.code, -101);
      assert.deepEqual(n.content, { reason: "maintenance" });
      await other.ping();
      // The session still works: REST and a new socket.
      assert.equal((await t.api.withToken("GET", "/v2/account", session.token)).status, 200);
      const back = await connect(t, session);
      await back.ping();
    });
  });
});

describe("session.single_socket", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ "session.single_socket": true });
  });
  after(async () => {
    endAllSockets();
    await t.close();
  });

  it("a new socket of the account closes the older one with notification -7 single_socket; the newer stays", async () => {
    const client = nakamaClient(t);
    const id = deviceId("single-socket");
    const s1 = await client.authenticateDevice(id, true);
    const s2 = await client.authenticateDevice(id, true);
    const other = await client.authenticateDevice(deviceId("other-account"), true);
    const older = await connect(t, s1);
    const bystander = await connect(t, other);
    const newer = await connect(t, s2);
    assert.deepEqual(await withTimeout(older.closed, "the older socket to close"), { code: 4007, reason: "single_socket" });
    const n = older.notifications()[0]!;
    assert.equal(n.code, -7);
    assert.equal(n.subject, "single_socket");
    assert.deepEqual(n.content, {});
    await newer.ping();
    await bystander.ping();
    assert.deepEqual(newer.seen, []);
    assert.equal((await client.getAccount(s2)).user?.online, true);
    // Single socket is not single session: the older session's token still works.
    assert.equal((await t.api.withToken("GET", "/v2/account", s1.token)).status, 200);
  });
});

describe("session.single_session", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ "session.single_session": true });
  });
  after(async () => {
    endAllSockets();
    await t.close();
  });

  it("signing in on a second device ends the first device's session and closes its socket", async () => {
    const client = nakamaClient(t);
    const phone = deviceId("phone");
    const laptop = deviceId("laptop");
    const first = await client.authenticateDevice(phone, true);
    await client.linkDevice(first, { id: laptop });
    const conn = await connect(t, first);

    const second = await client.authenticateDevice(laptop, false);
    assert.equal(second.user_id, first.user_id);
    assert.deepEqual(await withTimeout(conn.closed, "the first device's socket to close"), { code: 4001, reason: "session ended: single_session" });
    assert.deepEqual(conn.notifications()[0]?.content, { reason: "single_session" });
    assert.equal((await t.api.withToken("GET", "/v2/account", first.token)).status, 401);
    assert.equal((await refusal(wsUrl(t, `?token=${first.token}`))).status, 401);
    const secondConn = await connect(t, second);
    await secondConn.ping();
  });
});

describe("heartbeat", () => {
  let t: TestServer;
  let http: Server;
  let url: string;
  let sockets: ReturnType<typeof attachSocketServer>;
  before(async () => {
    t = await startTestServer();
    // A second socket server on the same Core with a short heartbeat, so a dead peer shows up quickly.
    http = createServer((_req, res) => res.writeHead(404).end());
    sockets = attachSocketServer(t.server.core, http, new SocketRegistry(), { heartbeatIntervalMs: 100 });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  after(async () => {
    endAllSockets();
    await sockets.close(0);
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await t.close();
  });

  it("drops a peer that stops answering WebSocket pings and keeps one that answers", async () => {
    const s = await t.api.device(deviceId("heartbeat"));
    const dead = await RawConn.open(wsUrl(url, `?token=${s.token}`), { autoPong: false });
    const healthy = await RawConn.open(wsUrl(url, `?token=${s.token}`));
    let pings = 0;
    const threePings = new Promise<void>((resolve) => healthy.ws.on("ping", () => ++pings === 3 && resolve()));
    assert.equal((await withTimeout(dead.closed, "the silent peer to be dropped")).code, 1006);
    await withTimeout(threePings, "three heartbeats");
    assert.equal(healthy.ws.readyState, WebSocket.OPEN);
    assert.deepEqual(await healthy.request('{"ping":{},"cid":"1"}'), { cid: "1", pong: {} });
  });
});

describe("shutdown", () => {
  it("closes every socket with 1001 server shutting down, and refuses new ones", async () => {
    const t = await startTestServer();
    try {
      const client = nakamaClient(t);
      const session = await client.authenticateDevice(deviceId("shutdown"), true);
      const conns = await Promise.all([connect(t, session), connect(t, session)]);
      await withTimeout(t.server.close(), "the server to close");
      for (const conn of conns) {
        assert.deepEqual(await withTimeout(conn.closed, "the socket to close"), { code: 1001, reason: "server shutting down" });
      }
      await assert.rejects(RawConn.open(wsUrl(t, `?token=${session.token}`)));
    } finally {
      endAllSockets();
      await t.close();
    }
  });
});
