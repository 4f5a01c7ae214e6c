/**
 * Compatibility with the official client: a real Tessera server (real SQLite file, ephemeral port)
 * driven only through `@heroiclabs/nakama-js` 2.8.0's own API — authenticate, account, refresh
 * (with Tessera's rotation and vars rule), logout, and the token payload escaping that keeps the
 * client's broken base64 decoder working.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type Client, Session } from "@heroiclabs/nakama-js";
import { WebSocket as WsWebSocket } from "ws";
import { startFakeSteam, steamId, type FakeSteam } from "../support/fake-steam.js";
import { startTestServer, type TestServer } from "../support/harness.js";
import { nakamaClient, rejection } from "../support/nakama-client.js";

// nakama-js only touches WebSocket when a socket is created; Node 20 has no global one.
const globals = globalThis as { WebSocket?: unknown };
globals.WebSocket ??= WsWebSocket;

/**
 * nakama-js races every request against a timer it never clears, so the test process lingers up
 * to this long after the last request; local requests take milliseconds.
 */
const CLIENT_TIMEOUT_MS = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Tessera's default `session.token_expiry_sec`. */
const DEFAULT_TOKEN_EXPIRY_SEC = 3600;

/** A device id unique to this run (10-128 bytes). */
const deviceId = (label: string): string => `${label}-${randomUUID()}`;

/** The base64url payload segment of a JWT. */
const payloadSegment = (jwt: string): string => jwt.split(".")[1]!;

describe("nakama-js 2.8.0 against Tessera", () => {
  let t: TestServer;
  let client: Client;

  before(async () => {
    t = await startTestServer();
    client = nakamaClient(t, { timeoutMs: CLIENT_TIMEOUT_MS });
  });
  after(() => t.close());

  describe("authenticate", () => {
    it("by device: created the first time, then the same user; account shows the device", async () => {
      const id = deviceId("device");
      const username = `dev_${randomUUID().slice(0, 8)}`;
      const first = await client.authenticateDevice(id, true, username);
      assert.equal(first.created, true);
      assert.match(first.user_id ?? "", UUID);
      assert.equal(first.username, username);

      // An existing account keeps its username, whatever the sign-in asks for.
      const second = await client.authenticateDevice(id, true, "someone_else");
      assert.equal(second.created, false);
      assert.equal(second.user_id, first.user_id);
      assert.equal(second.username, username);
      assert.notEqual(second.refresh_token, first.refresh_token, "each sign-in is a new session");

      const account = await client.getAccount(second);
      assert.equal(account.user?.id, first.user_id);
      assert.equal(account.user?.username, username);
      assert.deepEqual(account.devices, [{ id }]);
      assert.equal(account.email, undefined);
      assert.equal(account.custom_id, undefined);
    });

    it("by email: address stored lower-case, same user on the next sign-in, wrong password is 401", async () => {
      const local = `Player.${randomUUID().slice(0, 8)}`;
      const mixed = `${local}@Example.COM`;
      const password = "correct horse battery";
      const username = `mail_${randomUUID().slice(0, 8)}`;
      const first = await client.authenticateEmail(mixed, password, true, username);
      assert.equal(first.created, true);
      assert.equal(first.username, username);

      const second = await client.authenticateEmail(mixed.toLowerCase(), password);
      assert.equal(second.created, false);
      assert.equal(second.user_id, first.user_id);

      const account = await client.getAccount(second);
      assert.equal(account.email, mixed.toLowerCase());
      assert.equal(account.user?.username, username);
      assert.equal(account.devices, undefined);

      const wrong = await rejection(client.authenticateEmail(mixed, "not the password"));
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body?.message, "Invalid credentials.");
    });

    it("by custom id: created, then the same user; account shows the custom id", async () => {
      const customId = `custom-${randomUUID()}`;
      const username = `cus_${randomUUID().slice(0, 8)}`;
      const first = await client.authenticateCustom(customId, true, username);
      assert.equal(first.created, true);
      const second = await client.authenticateCustom(customId, false);
      assert.equal(second.created, false);
      assert.equal(second.user_id, first.user_id);
      assert.equal(second.username, username);

      const account = await client.getAccount(first);
      assert.equal(account.custom_id, customId);
      assert.equal(account.user?.id, first.user_id);
      assert.equal(account.user?.username, username);
    });

    it("create=false for an unknown identity rejects with 404", async () => {
      const res = await rejection(client.authenticateDevice(deviceId("unknown"), false));
      assert.equal(res.status, 404);
      assert.equal(res.body?.message, "User account not found.");
    });

    it("without a username a new account gets a random one", async () => {
      const session = await client.authenticateDevice(deviceId("nousername"), true);
      assert.equal(session.created, true);
      assert.match(session.username ?? "", /^[A-Za-z]{10}$/);
    });

    it("the Session reads expiry from the token and restores from stored tokens", async () => {
      const before = Math.floor(Date.now() / 1000);
      const session = await client.authenticateDevice(deviceId("expiry"), true, undefined, { region: "eu" });
      const after = Math.ceil(Date.now() / 1000);
      assert.ok(session.expires_at !== undefined && session.refresh_expires_at !== undefined);
      assert.ok(
        session.expires_at >= before + DEFAULT_TOKEN_EXPIRY_SEC && session.expires_at <= after + DEFAULT_TOKEN_EXPIRY_SEC,
        `expires_at ${session.expires_at}`,
      );
      assert.ok(session.refresh_expires_at > session.expires_at);
      assert.equal(session.isexpired(Date.now() / 1000), false);
      assert.equal(session.isexpired(session.expires_at + 1), true);
      assert.equal(session.isrefreshexpired(Date.now() / 1000), false);

      const restored = Session.restore(session.token, session.refresh_token);
      assert.equal(restored.created, false);
      assert.equal(restored.user_id, session.user_id);
      assert.equal(restored.username, session.username);
      assert.deepEqual(restored.vars, { region: "eu" });
      assert.equal(restored.expires_at, session.expires_at);
      assert.equal((await client.getAccount(restored)).user?.id, session.user_id);
    });
  });

  describe("refresh", () => {
    it("vars given at sign-in are in session.vars; refresh without vars keeps them and rotates the refresh token", async () => {
      const session = await client.authenticateDevice(deviceId("vars-keep"), true, undefined, { k: "v1", mode: "ranked" });
      assert.deepEqual(session.vars, { k: "v1", mode: "ranked" });
      const oldRefresh = session.refresh_token;

      // nakama-js sends `vars: {}` here; Tessera's rule: absent or {} keeps the session's vars.
      const refreshed = await client.sessionRefresh(session);
      assert.equal(refreshed, session, "nakama-js updates the session in place");
      assert.deepEqual(session.vars, { k: "v1", mode: "ranked" });
      assert.notEqual(session.refresh_token, oldRefresh, "Tessera rotates refresh tokens");
      assert.equal((await client.getAccount(session)).user?.id, session.user_id);
    });

    it("refresh with a non-empty map replaces the vars wholesale; a later empty refresh keeps the new ones", async () => {
      const session = await client.authenticateDevice(deviceId("vars-replace"), true, undefined, { k: "v1", extra: "x" });
      await client.sessionRefresh(session, { k: "v2" });
      assert.deepEqual(session.vars, { k: "v2" });
      await client.sessionRefresh(session);
      assert.deepEqual(session.vars, { k: "v2" });
      assert.deepEqual(Session.restore(session.token, session.refresh_token).vars, { k: "v2" });
    });

    it("a session without vars has none after refresh either", async () => {
      const session = await client.authenticateDevice(deviceId("vars-none"), true);
      assert.equal(session.vars, undefined);
      await client.sessionRefresh(session);
      assert.equal(session.vars, undefined);
    });

    it("every refresh issues a new refresh token and the new one works for the next refresh", async () => {
      const session = await client.authenticateDevice(deviceId("rotation"), true);
      const seen = new Set([session.refresh_token]);
      for (let i = 0; i < 3; i++) {
        await client.sessionRefresh(session);
        assert.ok(!seen.has(session.refresh_token), `refresh ${i + 1} returned a refresh token seen before`);
        seen.add(session.refresh_token);
        assert.equal(session.isexpired(Date.now() / 1000), false);
      }
      assert.equal((await client.getAccount(session)).user?.id, session.user_id);
    });

    it("the refresh token just rotated out, within the grace window, returns the current tokens", async () => {
      const session = await client.authenticateDevice(deviceId("grace"), true);
      const stale = Session.restore(session.token, session.refresh_token);
      await client.sessionRefresh(session);
      await client.sessionRefresh(stale);
      assert.equal(stale.refresh_token, session.refresh_token);
      assert.equal(stale.token, session.token);
      // Still one usable chain: the current token keeps working.
      await client.sessionRefresh(session);
      assert.equal((await client.getAccount(session)).user?.id, session.user_id);
    });
  });

  describe("logout", () => {
    it("sessionLogout with both tokens ends the session: getAccount and sessionRefresh reject with 401", async () => {
      const id = deviceId("logout");
      const session = await client.authenticateDevice(id, true);
      const other = await client.authenticateDevice(id, true);
      const { token, refresh_token } = session;

      assert.equal(await client.sessionLogout(session, session.token, session.refresh_token), true);

      const account = await rejection(client.getAccount(session));
      assert.equal(account.status, 401);
      assert.equal(account.body?.message, "Auth token invalid");

      const refresh = await rejection(client.sessionRefresh(session));
      assert.equal(refresh.status, 401);
      assert.equal(refresh.body?.message, "Refresh token invalid or expired.");
      assert.equal(session.token, token, "a failed refresh leaves the session as it was");
      assert.equal(session.refresh_token, refresh_token);

      // Only that session ended: the user's other session is untouched.
      assert.equal((await client.getAccount(other)).user?.id, session.user_id);
      await client.sessionRefresh(other);
    });

    it("logout after rotation ends the session for every token of it", async () => {
      const session = await client.authenticateDevice(deviceId("logout-rotated"), true);
      const original = Session.restore(session.token, session.refresh_token);
      await client.sessionRefresh(session);
      await client.sessionLogout(session, session.token, session.refresh_token);
      assert.equal((await rejection(client.getAccount(original))).status, 401);
      assert.equal((await rejection(client.sessionRefresh(original))).status, 401);
      assert.equal((await rejection(client.getAccount(session))).status, 401);
    });

    it("with autoRefreshSession the client's own refreshes rotate tokens and logout still ends the session", async () => {
      const auto = nakamaClient(t, { timeoutMs: CLIENT_TIMEOUT_MS, autoRefreshSession: true });
      // Treat every token as about to expire, so each call refreshes first (as near expiry).
      auto.expiredTimespanMs = (DEFAULT_TOKEN_EXPIRY_SEC + 60) * 1000;
      const session = await auto.authenticateDevice(deviceId("auto"), true, undefined, { k: "v" });
      const firstRefresh = session.refresh_token;

      await auto.getAccount(session);
      assert.notEqual(session.refresh_token, firstRefresh, "getAccount refreshed (and rotated) before the call");
      assert.deepEqual(session.vars, { k: "v" });

      // sessionLogout refreshes first too, then sends the tokens as they were when called:
      // they belong to the same session, so the session ends.
      assert.equal(await auto.sessionLogout(session, session.token, session.refresh_token), true);

      const viaAuto = await rejection(auto.getAccount(session));
      assert.equal(viaAuto.status, 401, "the automatic refresh is refused");
      assert.equal(viaAuto.body?.message, "Refresh token invalid or expired.");
      const viaPlain = await rejection(client.getAccount(session));
      assert.equal(viaPlain.status, 401);
      assert.equal(viaPlain.body?.message, "Auth token invalid");
    });

    it("without autoRefreshSession logout sends exactly the session's tokens and nothing is refreshed", async () => {
      const manual = nakamaClient(t, { timeoutMs: CLIENT_TIMEOUT_MS, autoRefreshSession: false });
      manual.expiredTimespanMs = (DEFAULT_TOKEN_EXPIRY_SEC + 60) * 1000;
      const session = await manual.authenticateDevice(deviceId("noauto"), true);
      const { token, refresh_token } = session;
      await manual.getAccount(session);
      assert.equal(session.refresh_token, refresh_token, "no refresh happened");
      assert.equal(await manual.sessionLogout(session, token, refresh_token), true);
      assert.equal(session.token, token);
      assert.equal((await rejection(manual.getAccount(session))).status, 401);
      assert.equal((await rejection(manual.sessionRefresh(session))).status, 401);
    });
  });

  describe("payload escaping for nakama-js's base64 decoder", () => {
    const usernames = ["a?b", "x~~~y", "c>d", "zoë", "名前", "emoji😀name", "?~>ÿ€ mixed", "ok?~", "😀".repeat(32)];

    it("control: an unescaped non-ASCII payload really breaks nakama-js 2.8.0", () => {
      // Proves the checks below can fail: raw UTF-8 JSON is what a plain JWT library would sign.
      for (const usn of ["zoë", "名前"]) {
        const claims = { tid: randomUUID(), uid: randomUUID(), usn, exp: 4102444800, iat: 1700000000 };
        const raw = ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", Buffer.from(JSON.stringify(claims)).toString("base64url"), "c2ln"].join(".");
        let decoded: string | undefined;
        try {
          decoded = new Session(raw, "", false).username;
        } catch {
          decoded = undefined;
        }
        assert.notEqual(decoded, usn);
      }
    });

    for (const username of usernames) {
      it(`username ${JSON.stringify(username)} survives sign-in, account read, refresh and restore`, async () => {
        const session = await client.authenticateDevice(deviceId("usn"), true, username);
        assert.equal(session.created, true);
        assert.equal(session.username, username);
        assert.doesNotMatch(payloadSegment(session.token), /[-_]/);
        assert.doesNotMatch(payloadSegment(session.refresh_token), /[-_]/);
        assert.equal((await client.getAccount(session)).user?.username, username);

        await client.sessionRefresh(session);
        assert.equal(session.username, username);
        assert.doesNotMatch(payloadSegment(session.token), /[-_]/);
        assert.equal(Session.restore(session.token, session.refresh_token).username, username);
      });
    }

    // Whether `?`, `>` or `~` turns into `_`/`-` depends on its place in a 3-byte base64 group,
    // so each is tried at all three offsets.
    for (const ch of ["?", ">", "~"]) {
      it(`username with ${JSON.stringify(ch)} at every base64 alignment`, async () => {
        const unique = randomUUID().slice(0, 8);
        for (const username of [`a${ch}${unique}`, `ab${ch}${unique}`, `abc${ch}${unique}`]) {
          const session = await client.authenticateDevice(deviceId("align"), true, username);
          assert.equal(session.username, username);
          assert.doesNotMatch(payloadSegment(session.token), /[-_]/);
          await client.sessionRefresh(session);
          assert.equal(session.username, username);
        }
      });
    }

    it("vars with such characters in keys and values decode exactly, at sign-in and after a replacing refresh", async () => {
      const vars = { "a?b": "x~~~y", "c>d": "zoë", 名前: "emoji😀name", "~": "?>", "ÿ€": "" };
      const session = await client.authenticateCustom(`vars-${randomUUID()}`, true, "vars_zoë", vars);
      assert.deepEqual(session.vars, vars);
      assert.equal(session.username, "vars_zoë");

      const next = { "?": "~", ключ: "значение>?", "😀": "😀😀" };
      await client.sessionRefresh(session, next);
      assert.deepEqual(session.vars, next);
      assert.doesNotMatch(payloadSegment(session.token), /[-_]/);
      assert.doesNotMatch(payloadSegment(session.refresh_token), /[-_]/);
      await client.sessionRefresh(session);
      assert.deepEqual(Session.restore(session.token, session.refresh_token).vars, next);
    });
  });

  describe("server key", () => {
    it("a wrong server key makes authenticate and refresh reject with 401", async () => {
      const wrong = nakamaClient(t, { timeoutMs: CLIENT_TIMEOUT_MS, serverKey: "not-the-key" });
      const auth = await rejection(wrong.authenticateDevice(deviceId("wrongkey"), true));
      assert.equal(auth.status, 401);
      assert.equal(auth.body?.message, "Server key invalid");
      assert.equal(auth.body?.code, 16);

      const session = await client.authenticateDevice(deviceId("wrongkey-refresh"), true);
      const refresh = await rejection(wrong.sessionRefresh(session));
      assert.equal(refresh.status, 401);
      assert.equal(refresh.body?.message, "Server key invalid");
      // Bearer calls do not involve the server key.
      assert.equal((await wrong.getAccount(session)).user?.id, session.user_id);
    });
  });
});

describe("nakama-js 2.8.0: Steam against a fake Steam Web API", () => {
  let steam: FakeSteam;
  let t: TestServer;
  let client: Client;
  before(async () => {
    steam = await startFakeSteam();
    t = await startTestServer(steam.settings());
    client = nakamaClient(t, { timeoutMs: CLIENT_TIMEOUT_MS });
  });
  after(async () => {
    await t.close();
    await steam.close();
  });

  it("authenticateSteam(token, create, username, sync, vars): created, then the same user; getAccount shows steam_id", async () => {
    const player = { steamId: steamId() };
    const username = `steam_${randomUUID().slice(0, 8)}`;
    const ticket = steam.ticketFor(player);
    const first = await client.authenticateSteam(ticket, true, username, true, { platform: "steam" });
    assert.equal(first.created, true);
    assert.equal(first.username, username);
    assert.deepEqual(first.vars, { platform: "steam" });
    assert.equal(steam.requests.at(-1)!.query["ticket"], ticket, "the client's ticket reached Steam as sent");

    const second = await client.authenticateSteam(steam.ticketFor(player), false);
    assert.equal(second.created, false);
    assert.equal(second.user_id, first.user_id);
    const account = await client.getAccount(second);
    assert.equal(account.user?.steam_id, player.steamId);

    const unknown = await rejection(client.authenticateSteam(steam.ticketFor({ steamId: steamId() }), false));
    assert.deepEqual([unknown.status, unknown.body?.message], [404, "User account not found."]);
    const refused = await rejection(client.authenticateSteam("00".repeat(64), true));
    assert.deepEqual([refused.status, refused.body], [401, { code: 16, message: "Could not authenticate Steam profile." }]);
  });

  it("linkSteam(session, {account: {token}, sync}) and unlinkSteam(session, {token})", async () => {
    const session = await client.authenticateDevice(deviceId("steam-link"), true);
    const player = { steamId: steamId() };
    assert.equal(await client.linkSteam(session, { account: { token: steam.ticketFor(player) }, sync: false }), true);
    assert.equal((await client.getAccount(session)).user?.steam_id, player.steamId);
    const bySteam = await client.authenticateSteam(steam.ticketFor(player), false);
    assert.equal(bySteam.user_id, session.user_id);

    const other = await client.authenticateDevice(deviceId("steam-other"), true);
    const taken = await rejection(client.linkSteam(other, { account: { token: steam.ticketFor(player) } }));
    assert.deepEqual([taken.status, taken.body], [409, { code: 6, message: "Steam ID is already in use." }]);

    assert.equal(await client.unlinkSteam(session, { token: steam.ticketFor(player) }), true);
    assert.equal((await client.getAccount(session)).user?.steam_id, undefined);
  });
});

describe("nakama-js 2.8.0: reuse of a rotated-out refresh token (no grace window)", () => {
  let t: TestServer;
  let client: Client;

  before(async () => {
    t = await startTestServer({ "session.refresh_reuse_grace_sec": 0 });
    client = nakamaClient(t, { timeoutMs: CLIENT_TIMEOUT_MS });
  });
  after(() => t.close());

  it("a client presenting a stale refresh token is refused and the whole session ends", async () => {
    const session = await client.authenticateDevice(deviceId("reuse"), true);
    const stale = Session.restore(session.token, session.refresh_token);
    await client.sessionRefresh(session);
    await sleep(5); // Past the (zero) grace window.

    const reuse = await rejection(client.sessionRefresh(stale));
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body?.message, "Refresh token invalid or expired.");
    // Reuse revokes the family: the current tokens are dead too.
    assert.equal((await rejection(client.sessionRefresh(session))).status, 401);
    assert.equal((await rejection(client.getAccount(session))).status, 401);
  });
});
