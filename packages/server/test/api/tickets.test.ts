/**
 * Auth session tickets end to end over HTTP, on SQLite and on PostgreSQL: the ticket's bytes and
 * offline verification through the JWKS, every BeginAuthSession result, every asynchronous
 * response and the later changes (cancel, ban, sign-out, single-session, license), delivery by
 * long poll and by socket push, game-server credentials, licenses, key rotation, and the
 * Steam-Web-API-shaped validation. Time is a controllable clock where expiry matters.
 */
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import { banAccount } from "../../src/account/ban.js";
import { grantLicense, lendLicense, revokeLicense } from "../../src/tickets/licenses.js";
import { claimsOf, runCli, startTestServer, tempDir, type Api, type TestServer } from "../support/harness.js";
import { assertError, deviceId, ok } from "../support/expect.js";
import { TestClock } from "../support/test-clock.js";
import { BACKENDS, backendSettings, backendSkip, dropBackendDatabases } from "../support/backends.js";
import { createTestDatabase } from "../support/postgres.js";

const S_SECRET = "s-secret-".padEnd(40, "s");
const T_SECRET = "t-secret-".padEnd(40, "t");
const GAME_SERVERS = JSON.stringify([
  { identity: "eu-west-1", secret: S_SECRET },
  { identity: "us-east-1", secret: T_SECRET },
]);

interface Player {
  token: string;
  refresh: string;
  id: string;
  device: string;
}

interface Event {
  id: string;
  auth_session_id: string;
  seq: number;
  user_id: string;
  owner_id: string;
  is_borrowed: boolean;
  response: number;
  response_name: string;
  ended: boolean;
}

for (const backend of BACKENDS) {
  describe(`tickets on ${backend}`, { skip: backendSkip(backend) }, () => {
    const servers: TestServer[] = [];
    const clock = new TestClock();
    let t: TestServer;
    let api: Api;

    async function serve(settings: Record<string, string | number | boolean> = {}): Promise<TestServer> {
      const db = await backendSettings(backend);
      const server = await startTestServer({ "tickets.game_servers": GAME_SERVERS, "tickets.app_id": 480, ...db, ...settings }, undefined, { clock });
      servers.push(server);
      return server;
    }

    before(async () => {
      t = await serve();
      api = t.api;
    });
    after(async () => {
      for (const s of servers) await s.close();
      await dropBackendDatabases(backend);
    });

    async function player(on: Api = api): Promise<Player> {
      const device = deviceId();
      const s = await on.device(device);
      return { token: s.token, refresh: s.refresh_token, id: claimsOf(s.token)["uid"], device };
    }

    async function gameServer(identity = "eu-west-1", secret = S_SECRET, on: Api = api): Promise<string> {
      return ok(await on.withKey("/v2/tickets/server/authenticate", { identity, secret })).token;
    }

    async function ticket(p: Player, identity?: string, on: Api = api): Promise<{ handle: number; ticket: string }> {
      return ok(await on.withToken("POST", "/v2/tickets", p.token, identity === undefined ? {} : { identity }));
    }

    async function begin(validator: string, hex: string, userId: string, extra: Record<string, unknown> = {}, on: Api = api) {
      return ok(await on.withToken("POST", "/v2/tickets/auth-sessions", validator, { ticket: hex, user_id: userId, ...extra }));
    }

    /** Events each validator token has read and acknowledged, so one wait does not lose another's event. */
    const inbox = new Map<string, Event[]>();

    /** Polls until an event of `authSessionId` with `seq` arrives (acknowledging what it reads). */
    async function eventOf(validator: string, authSessionId: string, seq: number, on: Api = api, timeoutMs = 5000): Promise<Event> {
      const seen = inbox.get(validator) ?? [];
      inbox.set(validator, seen);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.find((e) => e.auth_session_id === authSessionId && e.seq === seq);
        if (found) return found;
        if (Date.now() >= deadline) assert.fail(`no event seq ${seq} for ${authSessionId} within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`);
        const { events } = ok(
          await on.withToken("POST", "/v2/tickets/auth-sessions/poll", validator, { wait_ms: Math.max(1, Math.min(1000, deadline - Date.now())) }),
        ) as {
          events: Event[];
        };
        for (const e of events) if (!seen.some((x) => x.id === e.id)) seen.push(e);
        if (events.length > 0) await on.withToken("POST", "/v2/tickets/auth-sessions/poll", validator, { ack: events.map((e) => e.id) });
      }
    }

    async function beginOk(validator: string, p: Player, identity = "eu-west-1", on: Api = api): Promise<{ id: string; first: Event; handle: number }> {
      const tk = await ticket(p, identity, on);
      const b = await begin(validator, tk.ticket, p.id, {}, on);
      assert.equal(b.result, 0, JSON.stringify(b));
      const first = await eventOf(validator, b.auth_session.id, 1, on);
      return { id: b.auth_session.id, first, handle: tk.handle };
    }

    it("issues a ticket whose bytes follow the documented layout and verify offline with the JWKS", async () => {
      const a = await player();
      const issued = await ticket(a, "eu-west-1");
      assert.match(issued.ticket, /^[0-9a-f]+$/);
      const bytes = Buffer.from(issued.ticket, "hex");
      const identity = Buffer.from("eu-west-1");
      assert.equal(bytes.length, 74 + identity.length + 64);
      assert.equal(bytes[0], 1, "version");
      assert.equal(bytes.readUInt32BE(9), issued.handle);
      assert.equal(bytes.readUInt32BE(29), 480, "app id");
      assert.equal(bytes.subarray(33, 49).toString("hex"), a.id.replace(/-/g, ""), "user id");
      assert.equal(bytes.subarray(49, 65).toString("hex"), claimsOf(a.token)["tid"].replace(/-/g, ""), "session id");
      const issuedAt = bytes.readUInt32BE(65);
      assert.equal(bytes.readUInt32BE(69) - issuedAt, 600, "default lifetime");
      assert.equal(bytes[73], identity.length);
      assert.ok(bytes.subarray(74, 74 + identity.length).equals(identity));

      const jwks = ok(await api.call("GET", "/.well-known/jwks.json")) as { keys: { kid: string; x: string; kty: string; crv: string; alg: string }[] };
      const kid = bytes.subarray(1, 9).toString("base64url");
      const jwk = jwks.keys.find((k) => k.kid === kid);
      assert.ok(jwk, "the ticket's key id is published");
      assert.deepEqual([jwk.kty, jwk.crv, jwk.alg], ["OKP", "Ed25519", "EdDSA"]);
      const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" });
      const signed = bytes.subarray(0, 74 + identity.length);
      const signature = bytes.subarray(74 + identity.length);
      assert.ok(verify(null, signed, key, signature), "signature verifies offline");
      const tampered = Buffer.from(signed);
      tampered[40] = tampered[40]! ^ 1;
      assert.ok(!verify(null, tampered, key, signature), "a changed byte breaks the signature");
    });

    it("validates a ticket for a game server: OK with the owner, then single use", async () => {
      const a = await player();
      const s = await gameServer();
      const tk = await ticket(a, "eu-west-1");
      const b = await begin(s, tk.ticket, a.id);
      assert.deepEqual([b.result, b.result_name], [0, "OK"]);
      assert.equal(b.auth_session.user_id, a.id);
      const first = await eventOf(s, b.auth_session.id, 1);
      assert.deepEqual(
        [first.response, first.response_name, first.user_id, first.owner_id, first.is_borrowed, first.ended],
        [0, "OK", a.id, a.id, false, false],
      );
      const listed = ok(await api.withToken("GET", "/v2/tickets/auth-sessions", s));
      assert.ok(listed.auth_sessions.some((x: { id: string; response: number }) => x.id === b.auth_session.id && x.response === 0));
      const mine = ok(await api.withToken("GET", "/v2/tickets", a.token));
      assert.equal(mine.tickets.find((x: { handle: number }) => x.handle === tk.handle)?.state, "in_use");

      // Ended, then the same ticket again: it was used up.
      ok(await api.withToken("DELETE", `/v2/tickets/auth-sessions/${b.auth_session.id}`, s));
      const again = await begin(s, tk.ticket, a.id);
      assert.equal(again.result, 0);
      const used = await eventOf(s, again.auth_session.id, 1);
      assert.deepEqual([used.response, used.response_name, used.ended], [7, "AuthTicketInvalidAlreadyUsed", true]);
    });

    it("answers every BeginAuthSession refusal at once", async () => {
      const a = await player();
      const other = await player();
      const s = await gameServer();
      const tk = await ticket(a, "eu-west-1");
      const bytes = Buffer.from(tk.ticket, "hex");
      const flipped = Buffer.from(bytes);
      flipped[40] = flipped[40]! ^ 0x10;
      assert.equal((await begin(s, flipped.toString("hex"), a.id)).result_name, "InvalidTicket");
      const badSignature = Buffer.from(bytes);
      badSignature[bytes.length - 1] = badSignature[bytes.length - 1]! ^ 1;
      assert.equal((await begin(s, badSignature.toString("hex"), a.id)).result_name, "InvalidTicket");
      assert.equal((await begin(s, "zz" + tk.ticket.slice(2), a.id)).result_name, "InvalidTicket", "not hex");
      assert.equal((await begin(s, tk.ticket.slice(0, 100), a.id)).result_name, "InvalidTicket", "truncated");
      assert.equal((await begin(s, tk.ticket, other.id)).result_name, "InvalidTicket", "another player's id");
      const v2 = Buffer.from(bytes);
      v2[0] = 2;
      assert.deepEqual([(await begin(s, v2.toString("hex"), a.id)).result, (await begin(s, v2.toString("hex"), a.id)).result_name], [3, "InvalidVersion"]);
      assert.deepEqual((await begin(s, tk.ticket, a.id, { app_id: 481 })).result, 4, "GameMismatch");

      const first = await begin(s, tk.ticket, a.id);
      assert.equal(first.result, 0);
      const dup = await begin(s, (await ticket(a, "eu-west-1")).ticket, a.id);
      assert.deepEqual([dup.result, dup.result_name, dup.auth_session], [2, "DuplicateRequest", undefined]);

      const later = await ticket(a, "eu-west-1");
      clock.advance(601_000);
      try {
        const expired = await begin(s, later.ticket, a.id);
        assert.deepEqual([expired.result, expired.result_name], [5, "ExpiredTicket"]);
      } finally {
        clock.advance(-601_000);
      }
      assertError(
        await api.withToken("POST", "/v2/tickets/auth-sessions", s, { ticket: tk.ticket, user_id: "not-a-uuid" }),
        400,
        "User ID invalid, must be a UUID.",
      );
      assertError(await api.withToken("POST", "/v2/tickets/auth-sessions", s, { user_id: a.id }), 400, "Ticket is required.");
    });

    it("refuses a ticket made for another identity without using it up", async () => {
      const a = await player();
      const s = await gameServer();
      const other = await gameServer("us-east-1", T_SECRET);
      const tk = await ticket(a, "eu-west-1");
      const wrong = await begin(other, tk.ticket, a.id);
      assert.equal(wrong.result, 0, "the identity is checked online");
      const refused = await eventOf(other, wrong.auth_session.id, 1);
      assert.deepEqual([refused.response, refused.response_name, refused.ended], [10, "AuthTicketNetworkIdentityFailure", true]);
      const right = await begin(s, tk.ticket, a.id);
      assert.equal((await eventOf(s, right.auth_session.id, 1)).response_name, "OK");
    });

    it("tells the validator when the player cancels the ticket, signs out, or is banned", async () => {
      const s = await gameServer();
      const a = await player();
      const canceled = await beginOk(s, a);
      ok(await api.withToken("DELETE", `/v2/tickets/${canceled.handle}`, a.token));
      const six = await eventOf(s, canceled.id, 2);
      assert.deepEqual([six.response, six.response_name, six.ended, six.owner_id], [6, "AuthTicketCanceled", true, a.id]);
      assertError(await api.withToken("DELETE", `/v2/tickets/${canceled.handle}`, a.token), 404, "Ticket not found.");

      const b = await player();
      const out = await beginOk(s, b);
      ok(await api.withToken("POST", "/v2/session/logout", b.token, {}));
      assert.equal((await eventOf(s, out.id, 2)).response_name, "UserNotConnectedToSteam");

      const c = await player();
      const banned = await beginOk(s, c);
      await banAccount(t.server.core, c.id);
      assert.equal((await eventOf(s, banned.id, 2)).response_name, "PublisherIssuedBan");

      const d = await player();
      const vac = await beginOk(s, d);
      await banAccount(t.server.core, d.id, { kind: "vac", reason: "aimbot" });
      assert.equal((await eventOf(s, vac.id, 2)).response_name, "VACBanned");
      assert.equal((await t.server.core.store.getAccount(d.id))?.banReason, "aimbot");

      // A ticket of a player banned before validation: the first response says so.
      const e = await player();
      const tk = await ticket(e, "eu-west-1");
      await banAccount(t.server.core, e.id, { kind: "vac" });
      const late = await begin(s, tk.ticket, e.id);
      assert.equal((await eventOf(s, late.auth_session.id, 1)).response_name, "VACBanned");
    });

    it("tells the validator LoggedInElseWhere when a single_session sign-in replaces the player's session", async () => {
      const single = await serve({ "session.single_session": true });
      const s = await gameServer("eu-west-1", S_SECRET, single.api);
      const a = await player(single.api);
      const session = await beginOk(s, a, "eu-west-1", single.api);
      await single.api.device(a.device);
      const moved = await eventOf(s, session.id, 2, single.api);
      assert.deepEqual([moved.response, moved.response_name, moved.ended], [4, "LoggedInElseWhere", true]);
      // A ticket of the replaced session, begun afterwards: the first response says the same.
      const a2 = await player(single.api);
      const tk = await ticket(a2, "eu-west-1", single.api);
      await single.api.device(a2.device);
      const b = await begin(s, tk.ticket, a2.id, {}, single.api);
      assert.equal((await eventOf(s, b.auth_session.id, 1, single.api)).response_name, "LoggedInElseWhere");
    });

    it("lets players validate each other's tickets (peer to peer)", async () => {
      const a = await player();
      const b = await player();
      const forB = await ticket(a, b.id);
      const forA = await ticket(b, a.id);
      const atB = await begin(b.token, forB.ticket, a.id);
      const atA = await begin(a.token, forA.ticket, b.id);
      const fromA = await eventOf(b.token, atB.auth_session.id, 1);
      const fromB = await eventOf(a.token, atA.auth_session.id, 1);
      assert.deepEqual([fromA.response_name, fromA.user_id], ["OK", a.id]);
      assert.deepEqual([fromB.response_name, fromB.user_id], ["OK", b.id]);
      // B's ticket for A is refused at a third player.
      const c = await player();
      const forA2 = await ticket(b, a.id);
      const atC = await begin(c.token, forA2.ticket, b.id);
      assert.equal((await eventOf(c.token, atC.auth_session.id, 1)).response_name, "AuthTicketNetworkIdentityFailure");
      // The validator signing out ends the auth sessions it began, silently.
      ok(await api.withToken("POST", "/v2/session/logout", b.token, {}));
      const left = await t.server.core.store.tickets.getAuthSession(atB.auth_session.id);
      assert.notEqual(left?.endedAt, null);
    });

    it("reports licenses: none, own, borrowed, and revoked later", async () => {
      const licensed = await serve({ "tickets.require_license": true });
      const core = licensed.server.core;
      const s = await gameServer("eu-west-1", S_SECRET, licensed.api);
      const owner = await player(licensed.api);
      const borrower = await player(licensed.api);
      const nobody = await player(licensed.api);

      const none = await begin(s, (await ticket(nobody, "eu-west-1", licensed.api)).ticket, nobody.id, {}, licensed.api);
      assert.deepEqual((await eventOf(s, none.auth_session.id, 1, licensed.api)).response_name, "NoLicenseOrExpired");

      await grantLicense(core, owner.id);
      assertError(
        await licensed.api.withToken("POST", "/v2/licenses/loans", nobody.token, { borrower_id: borrower.id }),
        400,
        "The owner has no license to lend.",
        9,
      );
      ok(await licensed.api.withToken("POST", "/v2/licenses/loans", owner.token, { borrower_id: borrower.id }));
      const own = await beginOk(s, owner, "eu-west-1", licensed.api);
      assert.deepEqual([own.first.owner_id, own.first.is_borrowed], [owner.id, false]);
      const lent = await beginOk(s, borrower, "eu-west-1", licensed.api);
      assert.deepEqual([lent.first.response_name, lent.first.user_id, lent.first.owner_id, lent.first.is_borrowed], ["OK", borrower.id, owner.id, true]);
      const status = ok(await licensed.api.withToken("GET", "/v2/licenses", borrower.token));
      assert.deepEqual([status.owns_app, status.owner_id, status.is_borrowed, status.borrowed.length], [true, owner.id, true, 1]);
      assert.equal(ok(await licensed.api.withToken("GET", "/v2/licenses", owner.token)).lent_to[0].user_id, borrower.id);

      await revokeLicense(core, owner.id);
      assert.equal((await eventOf(s, lent.id, 2, licensed.api)).response_name, "NoLicenseOrExpired");
      assert.equal((await eventOf(s, own.id, 2, licensed.api)).response_name, "NoLicenseOrExpired");
    });

    it("reports a borrowed copy without require_license too, and ends a loan", async () => {
      const s = await gameServer();
      const owner = await player();
      const borrower = await player();
      await lendLicense(t.server.core, owner.id, borrower.id);
      const lent = await beginOk(s, borrower);
      assert.deepEqual([lent.first.owner_id, lent.first.is_borrowed], [owner.id, true]);
      ok(await api.withToken("DELETE", `/v2/tickets/auth-sessions/${lent.id}`, s));
      ok(await api.withToken("DELETE", `/v2/licenses/loans/${borrower.id}`, owner.token));
      assertError(await api.withToken("DELETE", `/v2/licenses/loans/${borrower.id}`, owner.token), 404, "Loan not found.");
      const after = await beginOk(s, borrower);
      assert.deepEqual([after.first.owner_id, after.first.is_borrowed], [borrower.id, false]);
    });

    it("delivers at least once until acknowledged, and wakes a waiting poll at once", async () => {
      const s = await gameServer();
      const a = await player();
      const tk = await ticket(a, "eu-west-1");
      const b = await begin(s, tk.ticket, a.id);
      const deadline = Date.now() + 5000;
      let events: Event[] = [];
      while (events.length === 0 && Date.now() < deadline)
        events = ok(await api.withToken("POST", "/v2/tickets/auth-sessions/poll", s, { wait_ms: 500 })).events;
      const again = ok(await api.withToken("POST", "/v2/tickets/auth-sessions/poll", s, {})).events as Event[];
      assert.deepEqual(
        again.map((e) => e.id),
        events.map((e) => e.id),
        "unacknowledged events come again",
      );
      const acked = ok(await api.withToken("POST", "/v2/tickets/auth-sessions/poll", s, { ack: events.map((e) => e.id) })).events;
      assert.deepEqual(acked, []);

      const waiting = api.withToken("POST", "/v2/tickets/auth-sessions/poll", s, { wait_ms: 10_000 });
      await new Promise((r) => setTimeout(r, 100));
      const canceledAt = Date.now();
      ok(await api.withToken("DELETE", `/v2/tickets/${tk.handle}`, a.token));
      const woke = ok(await waiting).events as Event[];
      assert.equal(woke[0]?.response_name, "AuthTicketCanceled");
      assert.equal(woke[0]?.auth_session_id, b.auth_session.id);
      assert.ok(Date.now() - canceledAt < 1000, "the waiting poll answered within 1 s of the cancel");

      assertError(await api.withToken("POST", "/v2/tickets/auth-sessions/poll", s, { wait_ms: 30_001 }), 400, "wait_ms must be 0-30000.");
      assertError(await api.withToken("POST", "/v2/tickets/auth-sessions/poll", s, { ack: "x" }), 400, /"ack" must be a list/);
    });

    it("pushes responses to a player validator's socket (notification -102)", async () => {
      const a = await player();
      const b = await player();
      const ws = new WebSocket(`${t.url.replace(/^http/, "ws")}/ws?token=${encodeURIComponent(b.token)}`);
      const pushes: unknown[] = [];
      ws.on("message", (data) => pushes.push(JSON.parse(data.toString())));
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      try {
        const tk = await ticket(a, b.id);
        const begun = await begin(b.token, tk.ticket, a.id);
        const deadline = Date.now() + 5000;
        let content: Event | undefined;
        while (!content && Date.now() < deadline) {
          for (const p of pushes as { notifications?: { notifications: { code: number; subject: string; content: string }[] } }[]) {
            const n = p.notifications?.notifications[0];
            if (n?.code === -102 && n.subject === "auth_session_response") content = JSON.parse(n.content);
          }
          if (!content) await new Promise((r) => setTimeout(r, 20));
        }
        assert.ok(content, "a push arrived");
        assert.deepEqual([content.auth_session_id, content.response_name, content.user_id], [begun.auth_session.id, "OK", a.id]);
      } finally {
        ws.close();
      }
    });

    it("lets a game server hold a socket for its pushes", async () => {
      const s = await gameServer();
      const a = await player();
      const ws = new WebSocket(`${t.url.replace(/^http/, "ws")}/ws`, { headers: { Authorization: `Bearer ${s}` } });
      const pushes: string[] = [];
      ws.on("message", (data) => pushes.push(data.toString()));
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      try {
        const begun = await begin(s, (await ticket(a, "eu-west-1")).ticket, a.id);
        const deadline = Date.now() + 5000;
        while (!pushes.some((p) => p.includes(begun.auth_session.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(
          pushes.some((p) => p.includes(begun.auth_session.id) && p.includes("-102")),
          JSON.stringify(pushes),
        );
      } finally {
        ws.close();
      }
    });

    it("keeps game-server tokens and player tokens apart, and checks credentials", async () => {
      const a = await player();
      const s = await gameServer();
      assertError(await api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: T_SECRET }), 401, "Game server credentials invalid.");
      assertError(await api.withKey("/v2/tickets/server/authenticate", { identity: "nowhere", secret: S_SECRET }), 401, "Game server credentials invalid.");
      assertError(await api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1" }), 400, "Identity and secret are required.");
      assertError(await api.withToken("GET", "/v2/account", s), 401, "Auth token invalid");
      assertError(await api.withToken("POST", "/v2/tickets", s, {}), 401, "Auth token invalid");
      assertError(await api.withToken("POST", "/v2/tickets/auth-sessions", a.refresh, { ticket: "00", user_id: a.id }), 401, "Auth token invalid");
      clock.advance(3601_000);
      try {
        assertError(await api.withToken("GET", "/v2/tickets/auth-sessions", s), 401, "Auth token invalid");
      } finally {
        clock.advance(-3601_000);
      }
    });

    it("renews a game server's token from its previous one, keeping its auth sessions; no other session can be named", async () => {
      const a = await player();
      const first = ok(await api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: S_SECRET }));
      assert.equal(first.session_id, claimsOf(first.token)["tid"]);
      const b = await begin(first.token, (await ticket(a, "eu-west-1")).ticket, a.id);
      const renew = (previous: string, identity = "eu-west-1", secret = S_SECRET) =>
        api.withKey("/v2/tickets/server/authenticate", { identity, secret, previous_token: previous });
      const renewed = ok(await renew(first.token));
      assert.equal(renewed.session_id, first.session_id);
      assert.deepEqual(
        ok(await api.withToken("GET", "/v2/tickets/auth-sessions", renewed.token)).auth_sessions.map((x: { id: string }) => x.id),
        [b.auth_session.id],
      );
      const fresh = ok(await api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: S_SECRET }));
      assert.notEqual(fresh.session_id, first.session_id, "a plain sign-in is another instance");
      const refused = "previous_token is not a recent token of this game server.";
      assertError(await renew(first.token, "us-east-1", T_SECRET), 400, refused);
      assertError(await renew(a.token), 400, refused);
      assertError(await renew("garbage"), 400, refused);
      clock.advance((3600 + 86_400 + 1) * 1000);
      try {
        assertError(await renew(first.token), 400, refused);
      } finally {
        clock.advance(-(3600 + 86_400 + 1) * 1000);
      }
    });

    it("creates, lists and deletes game-server credentials at run time; deleting one stops its tokens", async () => {
      const core = t.server.core;
      const { createGameServer, deleteGameServer, listGameServers } = await import("../../src/tickets/game-servers.js");
      const created = await createGameServer(core, "ap-south-1");
      assert.ok(created.secret.length >= 32);
      const token = await gameServer("ap-south-1", created.secret);
      ok(await api.withToken("GET", "/v2/tickets/auth-sessions", token));
      const list = await listGameServers(core);
      assert.deepEqual(
        list.map((g) => [g.identity, g.source]),
        [
          ["ap-south-1", "runtime"],
          ["eu-west-1", "config"],
          ["us-east-1", "config"],
        ],
      );
      await assert.rejects(createGameServer(core, "ap-south-1"), /already exists/);
      await assert.rejects(createGameServer(core, "eu-west-1"), /declared in the configuration/);
      await deleteGameServer(core, "ap-south-1");
      assertError(await api.withToken("GET", "/v2/tickets/auth-sessions", token), 401, "Auth token invalid");
    });

    it("limits open tickets per session and cancels them all", async () => {
      const limited = await serve({ "tickets.max_open_per_session": 2 });
      const a = await player(limited.api);
      await ticket(a, undefined, limited.api);
      await ticket(a, "x", limited.api);
      assertError(await limited.api.withToken("POST", "/v2/tickets", a.token, {}), 429, /Too many open tickets/, 8);
      assertError(await limited.api.withToken("POST", "/v2/tickets", a.token, { identity: "bad\u0001id" }), 400, /no control characters/);
      assert.equal(ok(await limited.api.withToken("GET", "/v2/tickets", a.token)).tickets.length, 2);
      assert.equal(ok(await limited.api.withToken("DELETE", "/v2/tickets", a.token)).canceled, 2);
      assert.equal(ok(await limited.api.withToken("GET", "/v2/tickets", a.token)).tickets.length, 0);
      await ticket(a, undefined, limited.api);
      assertError(await limited.api.withToken("DELETE", "/v2/tickets/0", a.token), 400, /Ticket handle invalid/);
    });

    it("rotates the signing key: old tickets still verify, new ones name the new key", async () => {
      const a = await player();
      const s = await gameServer();
      const before = await ticket(a, "eu-west-1");
      const kid = await t.server.core.tickets.keyring.rotate();
      const afterRotation = await ticket(a, "eu-west-1");
      assert.equal(Buffer.from(afterRotation.ticket, "hex").subarray(1, 9).toString("base64url"), kid);
      const jwks = ok(await api.call("GET", "/.well-known/jwks.json")).keys as { kid: string }[];
      assert.equal(jwks[0]!.kid, kid, "the current key comes first");
      assert.ok(jwks.length >= 2);
      const old = await begin(s, before.ticket, a.id);
      assert.equal((await eventOf(s, old.auth_session.id, 1)).response_name, "OK");
    });

    it("answers the Steam-Web-API-shaped validation in Steam's shapes", async () => {
      const steam = (q: Record<string, string>) => api.call("GET", `/ISteamUserAuth/AuthenticateUserTicket/v1/?${new URLSearchParams(q)}`);
      const a = await player();
      const tk = await ticket(a, "eu-west-1");
      const good = await steam({ key: S_SECRET, appid: "480", ticket: tk.ticket, identity: "eu-west-1" });
      assert.deepEqual(ok(good), { response: { params: { result: "OK", steamid: a.id, ownersteamid: a.id, vacbanned: false, publisherbanned: false } } });
      const errorOf = async (q: Record<string, string>) => ok(await steam(q)).response.error;
      assert.deepEqual(await errorOf({ key: S_SECRET, appid: "480", ticket: tk.ticket }), { errorcode: 103, errordesc: "Ticket has already been used" });
      const fresh = await ticket(a, "eu-west-1");
      assert.deepEqual(await errorOf({ key: S_SECRET, appid: "481", ticket: fresh.ticket }), { errorcode: 102, errordesc: "Ticket for other app" });
      assert.deepEqual(await errorOf({ key: T_SECRET, appid: "480", ticket: fresh.ticket }), { errorcode: 106, errordesc: "Ticket is for another identity" });
      const flipped = Buffer.from(fresh.ticket, "hex");
      flipped[50] = flipped[50]! ^ 4;
      assert.deepEqual(await errorOf({ key: S_SECRET, appid: "480", ticket: flipped.toString("hex") }), { errorcode: 101, errordesc: "Invalid ticket" });
      assert.deepEqual(await errorOf({ key: S_SECRET, appid: "480", ticket: "xyz" }), { errorcode: 3, errordesc: "Invalid parameter" });
      const later = await ticket(a, "eu-west-1");
      clock.advance(601_000);
      try {
        assert.deepEqual(await errorOf({ key: S_SECRET, appid: "480", ticket: later.ticket }), { errorcode: 104, errordesc: "Ticket has expired" });
      } finally {
        clock.advance(-601_000);
      }
      const canceled = await ticket(a, "eu-west-1");
      ok(await api.withToken("DELETE", `/v2/tickets/${canceled.handle}`, a.token));
      assert.deepEqual(await errorOf({ key: S_SECRET, appid: "480", ticket: canceled.ticket }), { errorcode: 105, errordesc: "Ticket was canceled" });

      const b = await player();
      const out = await ticket(b);
      ok(await api.withToken("POST", "/v2/session/logout", b.token, {}));
      assert.deepEqual(await errorOf({ key: S_SECRET, appid: "480", ticket: out.ticket }), { errorcode: 107, errordesc: "User is not signed in" });
      const c = await player();
      const bannedTicket = await ticket(c);
      await banAccount(t.server.core, c.id);
      assert.deepEqual(ok(await steam({ key: S_SECRET, appid: "480", ticket: bannedTicket.ticket })).response.params, {
        result: "OK",
        steamid: c.id,
        ownersteamid: c.id,
        vacbanned: false,
        publisherbanned: true,
      });

      assertError(await steam({ key: "wrong", appid: "480", ticket: fresh.ticket }), 403, /key is not a valid game server secret/);
      assertError(await steam({ appid: "480", ticket: fresh.ticket }), 403, /key/);
      assertError(await steam({ key: S_SECRET, appid: "480", ticket: fresh.ticket, identity: "us-east-1" }), 403, /identity does not match/);
      assertError(await steam({ key: S_SECRET, ticket: fresh.ticket }), 400, "Required parameter 'appid' is missing.");
      assertError(await steam({ key: S_SECRET, appid: "480" }), 400, "Required parameter 'ticket' is missing.");
      const noSlash = await api.call(
        "GET",
        `/ISteamUserAuth/AuthenticateUserTicket/v1?${new URLSearchParams({ key: S_SECRET, appid: "480", ticket: fresh.ticket })}`,
      );
      assert.equal(ok(noSlash).response.params.result, "OK");
    });

    it("gives exactly one OK when many validators race for one ticket", async () => {
      const a = await player();
      const tk = await ticket(a);
      const validators = await Promise.all(Array.from({ length: 12 }, () => gameServer()));
      const begun = await Promise.all(validators.map((v) => begin(v, tk.ticket, a.id)));
      assert.ok(begun.every((b) => b.result === 0));
      const firsts = await Promise.all(begun.map((b, i) => eventOf(validators[i]!, b.auth_session.id, 1)));
      const names = firsts.map((e) => e.response_name).sort();
      assert.deepEqual(names, [...new Array<string>(11).fill("AuthTicketInvalidAlreadyUsed"), "OK"]);
    });

    if (backend === "postgres") {
      it("answers VACCheckTimedOut when the validation cannot finish in time", async () => {
        const { url } = await createTestDatabase();
        const slow = await startTestServer({ "tickets.game_servers": GAME_SERVERS, "database.url": url, "tickets.validation_timeout_ms": 300 });
        servers.push(slow);
        const pg = await import("pg");
        const blocker = new pg.default.Client({ connectionString: url });
        await blocker.connect();
        try {
          const a = await player(slow.api);
          const s = await gameServer("eu-west-1", S_SECRET, slow.api);
          const tk = await ticket(a, "eu-west-1", slow.api);
          const ticketId = Buffer.from(tk.ticket, "hex")
            .subarray(13, 29)
            .toString("hex")
            .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
          // Another transaction holds the ticket row: the single-use claim waits behind it.
          await blocker.query("BEGIN");
          assert.equal((await blocker.query("SELECT id FROM auth_tickets WHERE id = $1 FOR UPDATE", [ticketId])).rowCount, 1);
          const b = await begin(s, tk.ticket, a.id, {}, slow.api);
          const first = await eventOf(s, b.auth_session.id, 1, slow.api);
          assert.deepEqual([first.response, first.response_name, first.ended], [5, "VACCheckTimedOut", true]);
          await blocker.query("ROLLBACK");
          // The late validation result does not follow the timeout.
          await new Promise((r) => setTimeout(r, 300));
          const rest = ok(await slow.api.withToken("POST", "/v2/tickets/auth-sessions/poll", s, {})).events as Event[];
          assert.deepEqual(
            rest.filter((e) => e.auth_session_id === b.auth_session.id && e.seq > 1),
            [],
          );
        } finally {
          await blocker.end();
        }
      });
    }

    it("answers NoLicenseOrExpired in the Steam shape when a license is required", async () => {
      const licensed = await serve({ "tickets.require_license": true });
      const a = await player(licensed.api);
      const tk = await ticket(a, undefined, licensed.api);
      const res = await licensed.api.call(
        "GET",
        `/ISteamUserAuth/AuthenticateUserTicket/v1/?${new URLSearchParams({ key: S_SECRET, appid: "480", ticket: tk.ticket })}`,
      );
      assert.deepEqual(ok(res).response.error, { errorcode: 109, errordesc: "User does not own the app" });
    });
  });
}

describe("game-server credentials", () => {
  it("are refused in configuration when the secret is short or an identity repeats", async () => {
    const { loadConfig, ConfigError } = await import("../../src/config/config.js");
    const load = (value: unknown) => loadConfig({ env: { TESSERA_TICKETS_GAME_SERVERS: JSON.stringify(value) } });
    assert.throws(
      () => load([{ identity: "a", secret: "short" }]),
      (e: unknown) => e instanceof ConfigError && e.setting === "tickets.game_servers[0].secret",
    );
    assert.throws(
      () =>
        load([
          { identity: "a", secret: "x".repeat(32) },
          { identity: "a", secret: "y".repeat(32) },
        ]),
      (e: unknown) => e instanceof ConfigError && /declared twice/.test(e.message),
    );
    assert.throws(
      () => load({ identity: "a" }),
      (e: unknown) => e instanceof ConfigError && e.setting === "tickets.game_servers",
    );
    assert.throws(
      () => loadConfig({ env: { TESSERA_TICKETS_APP_ID: "4294967296" } }),
      (e: unknown) => e instanceof ConfigError && e.setting === "tickets.app_id",
    );
    assert.equal(load([{ identity: "eu", secret: "z".repeat(32) }]).tickets.gameServers[0]!.identity, "eu");
  });

  it("are managed with the CLI against the configured database", async () => {
    const dir = tempDir();
    try {
      const created = await runCli(["gameserver", "create", "eu-central-1", "--data-dir", dir.path]);
      assert.equal(created.code, 0, created.output);
      const secret = /secret: (\S+)/.exec(created.output)?.[1];
      assert.ok(secret && secret.length >= 32, created.output);
      const list = await runCli(["gameserver", "list", "--data-dir", dir.path]);
      assert.match(list.output, /eu-central-1\truntime/);
      const again = await runCli(["gameserver", "create", "eu-central-1", "--data-dir", dir.path]);
      assert.equal(again.code, 1);
      assert.match(again.output, /already exists/);
      const server = await startTestServer({}, dir.path);
      try {
        assert.equal((await server.api.withKey("/v2/tickets/server/authenticate", { identity: "eu-central-1", secret })).status, 200);
      } finally {
        await server.stop();
      }
      assert.equal((await runCli(["gameserver", "delete", "eu-central-1", "--data-dir", dir.path])).code, 0);
      assert.match((await runCli(["gameserver", "list", "--data-dir", dir.path])).output, /no game servers/);
      const missing = await runCli(["gameserver", "delete", "eu-central-1", "--data-dir", dir.path]);
      assert.equal(missing.code, 1);
      assert.match(missing.output, /not found/);
      const bad = await runCli(["gameserver", "frobnicate", "--data-dir", dir.path]);
      assert.equal(bad.code, 2);
    } finally {
      dir.remove();
    }
  });
});

describe("Steam family sharing in ticket validation", () => {
  it("names the Tessera account of Steam's ownersteamid as the game owner of a borrowed game", async () => {
    const { startFakeSteam, steamId } = await import("../support/fake-steam.js");
    const steam = await startFakeSteam();
    const t = await startTestServer({ ...steam.settings(), "tickets.game_servers": GAME_SERVERS });
    try {
      const signIn = async (player: { steamId: string; ownerSteamId?: string }) => {
        const s = ok(await t.api.withKey("/v2/account/authenticate/steam", { token: steam.ticketFor(player) }));
        return { token: s.token as string, id: claimsOf(s.token)["uid"] as string };
      };
      const ownerSteam = steamId();
      const owner = await signIn({ steamId: ownerSteam });
      const borrower = await signIn({ steamId: steamId(), ownerSteamId: ownerSteam });
      const stranger = await signIn({ steamId: steamId(), ownerSteamId: steamId() });
      const s = ok(await t.api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: S_SECRET })).token;
      const validate = async (p: { token: string; id: string }) => {
        const tk = ok(await t.api.withToken("POST", "/v2/tickets", p.token, { identity: "eu-west-1" }));
        const b = ok(await t.api.withToken("POST", "/v2/tickets/auth-sessions", s, { ticket: tk.ticket, user_id: p.id }));
        const deadline = Date.now() + 5000;
        for (;;) {
          const { events } = ok(await t.api.withToken("POST", "/v2/tickets/auth-sessions/poll", s, { wait_ms: 1000 }));
          const e = (events as Event[]).find((x) => x.auth_session_id === b.auth_session.id);
          if (e) return e;
          assert.ok(Date.now() < deadline, "no response");
        }
      };
      const lent = await validate(borrower);
      assert.deepEqual([lent.response_name, lent.owner_id, lent.is_borrowed], ["OK", owner.id, true]);
      const unknownOwner = await validate(stranger);
      assert.deepEqual([unknownOwner.owner_id, unknownOwner.is_borrowed], [stranger.id, false], "an owner without a Tessera account is not named");
    } finally {
      await t.close();
      await steam.close();
    }
  });
});
