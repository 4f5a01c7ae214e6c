/**
 * Wire behaviour of sessions over raw HTTP: refresh (rotation, vars, username re-read, bans), vars
 * limits, logout in all its forms, bearer failures, expiry, Tessera's session listing, and
 * `single_session`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SERVER_KEY, claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { RFC3339, assertError, assertUnauthorized, deviceId, ok, username } from "../support/expect.js";
import { TestClock } from "../support/test-clock.js";

const REFRESH = "/v2/account/session/refresh";
const LOGOUT = "/v2/session/logout";
const SESSIONS = "/v2/account/sessions";

type Session = { token: string; refresh_token: string; created?: boolean };

describe("session", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const signIn = async (id = deviceId(), vars?: Record<string, string>, headers?: Record<string, string>): Promise<Session> =>
    ok(await t.api.call("POST", "/v2/account/authenticate/device", { body: vars === undefined ? { id } : { id, vars }, serverKey: SERVER_KEY, headers }));
  const refresh = (token: string, vars?: unknown) => t.api.withKey(REFRESH, vars === undefined ? { token } : { token, vars });
  const account = (token: string) => t.api.withToken("GET", "/v2/account", token);
  /** The session's access token works and its refresh token does not refresh (or vice versa). */
  const assertEnded = async (s: Session) => {
    assertUnauthorized(await account(s.token), "Auth token invalid", "Bearer");
    assertError(await refresh(s.refresh_token), 401, "Refresh token invalid or expired.");
  };
  const assertLive = async (s: Session) => {
    ok(await account(s.token));
  };

  describe("refresh", () => {
    it("needs a refresh token", async () => {
      assertError(await t.api.withKey(REFRESH, {}), 400, "Refresh token is required.");
      assertError(await t.api.withKey(REFRESH, { token: "" }), 400, "Refresh token is required.");
      assertError(await t.api.withKey(REFRESH, { vars: { a: "b" } }), 400, "Refresh token is required.");
    });

    it("refuses garbage with 401 Refresh token invalid or expired. and a challenge", async () => {
      for (const bad of ["garbage", "a.b.c", "....", "x".repeat(9000)]) {
        assertUnauthorized(await refresh(bad), "Refresh token invalid or expired.", "Basic");
      }
    });

    it("refuses an access token used as a refresh token", async () => {
      const s = await signIn();
      assertUnauthorized(await refresh(s.token), "Refresh token invalid or expired.", "Basic");
      await assertLive(s);
    });

    it("refuses a refresh token used as a bearer token", async () => {
      const s = await signIn();
      assertUnauthorized(await account(s.refresh_token), "Auth token invalid", "Bearer");
    });

    it("returns a new token pair, rotating the refresh token", async () => {
      const s = await signIn(deviceId(), { a: "1" });
      const r = ok(await refresh(s.refresh_token));
      assert.deepEqual(Object.keys(r).sort(), ["refresh_token", "token"]);
      assert.notEqual(r.refresh_token, s.refresh_token);
      const before = claimsOf(s.token);
      const access = claimsOf(r.token);
      assert.equal(access["tid"], before["tid"], "same session");
      assert.equal(access["uid"], before["uid"]);
      assert.ok(access["iat"] >= before["iat"]);
      assert.equal(access["exp"] - access["iat"], 3600);
      assert.equal(claimsOf(r.refresh_token)["rgn"], claimsOf(s.refresh_token)["rgn"] + 1);
      await assertLive(r);
      // The rotated pair refreshes again.
      const r2 = ok(await refresh(r.refresh_token));
      assert.notEqual(r2.refresh_token, r.refresh_token);
      assert.equal(claimsOf(r2.refresh_token)["tid"], before["tid"]);
    });

    it("re-reads the username", async () => {
      const s = await signIn();
      const name = username("renamed");
      ok(await t.api.withToken("PUT", "/v2/account", s.token, { username: name }));
      const r = ok(await refresh(s.refresh_token));
      assert.equal(claimsOf(r.token)["usn"], name);
      assert.equal(claimsOf(r.refresh_token)["usn"], name);
    });

    it("refuses a banned account with 403", async () => {
      const s = await signIn();
      await t.server.core.store.setDisableTime(claimsOf(s.token)["uid"], Date.now(), Date.now());
      assertError(await refresh(s.refresh_token), 403, "User account banned.");
    });

    it("ends with the session: a logged-out session's refresh token is refused", async () => {
      const s = await signIn();
      ok(await t.api.withToken("POST", LOGOUT, s.token, {}));
      assertError(await refresh(s.refresh_token), 401, "Refresh token invalid or expired.");
    });
  });

  describe("vars", () => {
    const vrs = (token: string) => claimsOf(token)["vrs"];

    it("absent or {} on refresh keeps the session's vars", async () => {
      const s = await signIn(deviceId(), { region: "eu", tier: "gold" });
      const r1 = ok(await refresh(s.refresh_token));
      assert.deepEqual(vrs(r1.token), { region: "eu", tier: "gold" });
      const r2 = ok(await refresh(r1.refresh_token, {}));
      assert.deepEqual(vrs(r2.token), { region: "eu", tier: "gold" });
      assert.deepEqual(vrs(r2.refresh_token), { region: "eu", tier: "gold" });
      const r3 = ok(await refresh(r2.refresh_token, null));
      assert.deepEqual(vrs(r3.token), { region: "eu", tier: "gold" });
    });

    it("a non-empty map on refresh replaces them wholesale", async () => {
      const s = await signIn(deviceId(), { region: "eu", tier: "gold" });
      const r = ok(await refresh(s.refresh_token, { mode: "ranked" }));
      assert.deepEqual(vrs(r.token), { mode: "ranked" });
      assert.deepEqual(vrs(r.refresh_token), { mode: "ranked" });
      // And the replacement sticks for the next refresh.
      assert.deepEqual(vrs(ok(await refresh(r.refresh_token)).token), { mode: "ranked" });
    });

    it("keeps a __proto__ key like any other", async () => {
      const raw = '{"id":"' + deviceId() + '","vars":{"__proto__":"x","a":"b"}}';
      const s = ok(await t.api.call("POST", "/v2/account/authenticate/device", { rawBody: raw, serverKey: SERVER_KEY }));
      assert.equal(JSON.stringify(vrs(s.token)), '{"__proto__":"x","a":"b"}');
      // Also once stored and read back by a refresh.
      assert.equal(JSON.stringify(vrs(ok(await refresh(s.refresh_token)).token)), '{"__proto__":"x","a":"b"}');
    });

    const limitCases: { name: string; vars: unknown; message: RegExp }[] = [
      { name: "33 entries", vars: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"])), message: /at most 32 entries/ },
      { name: "a 65-byte key", vars: { ["k".repeat(65)]: "v" }, message: /key invalid, must be 1-64 bytes/ },
      { name: "an empty key", vars: { "": "v" }, message: /key invalid, must be 1-64 bytes/ },
      { name: "a control character in a key", vars: { "a\nb": "v" }, message: /key invalid, no control characters/ },
      { name: "a 257-byte value", vars: { k: "v".repeat(257) }, message: /value must be at most 256 bytes/ },
      { name: "a 129-character, 258-byte value", vars: { k: "é".repeat(129) }, message: /value must be at most 256 bytes/ },
      {
        name: "4097 bytes in total",
        vars: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${String(i).padStart(2, "0")}`, "v".repeat(238)])),
        message: /at most 4096 bytes in total/,
      },
      {
        name: "escapes past 4096 in total",
        vars: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${String(i).padStart(2, "0")}`, ">".repeat(253)])),
        message: /at most 4096 bytes in total/,
      },
      { name: "a number value", vars: { a: 1 }, message: /string/ },
      { name: "a null value", vars: { a: null }, message: /string/ },
      { name: "an object value", vars: { a: { b: "c" } }, message: /string/ },
      { name: "a string", vars: "x", message: /vars/ },
      { name: "an array", vars: ["a"], message: /vars/ },
    ];

    for (const c of limitCases) {
      it(`refuses ${c.name} with 400, at authenticate and at refresh`, async () => {
        assertError(await t.api.withKey("/v2/account/authenticate/device", { id: deviceId(), vars: c.vars }), 400, c.message);
        const s = await signIn(deviceId(), { keep: "me" });
        assertError(await refresh(s.refresh_token, c.vars), 400, c.message);
        // A refused refresh changes nothing: the same refresh token still works, vars intact.
        assert.deepEqual(vrs(ok(await refresh(s.refresh_token)).token), { keep: "me" });
      });
    }

    it("accepts maps exactly at the limits", async () => {
      const atLimits: Record<string, string>[] = [
        Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, "v"])),
        { ["k".repeat(64)]: "v".repeat(256) },
        { k: "é".repeat(128) },
        Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${String(i).padStart(2, "0")}`, "v".repeat(253)])), // 4096 bytes
      ];
      for (const vars of atLimits) {
        const s = await signIn(deviceId(), vars);
        assert.deepEqual(vrs(s.token), vars);
        assert.deepEqual(vrs(ok(await refresh(s.refresh_token, vars)).token), vars);
      }
    });

    it("any map within the limits gives tokens that still work as bearer and refresh tokens", async () => {
      // Worst case for the token size: every character escaped (6 bytes each in the payload).
      const vars = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${String(i).padStart(2, "0")}`, ">?~".repeat(14)]));
      const s = await signIn(deviceId(), vars);
      assert.deepEqual(vrs(s.token), vars);
      assert.ok(s.token.length < 8192, `token of ${s.token.length} bytes`);
      ok(await account(s.token));
      const r = ok(await refresh(s.refresh_token));
      assert.deepEqual(vrs(r.token), vars);
      const long = username("x").padEnd(128, ">");
      ok(await t.api.withToken("PUT", "/v2/account", r.token, { username: long }));
      const r2 = ok(await refresh(r.refresh_token));
      assert.equal(claimsOf(r2.token)["usn"], long);
      ok(await account(r2.token));
      ok(await refresh(r2.refresh_token));
    });
  });

  describe("logout", () => {
    it("with the token only ends that session and answers {}", async () => {
      const id = deviceId();
      const a = await signIn(id);
      const b = await signIn(id);
      assert.deepEqual(ok(await t.api.withToken("POST", LOGOUT, a.token, { token: a.token })), {});
      await assertEnded(a);
      await assertLive(b);
    });

    it("with the refresh token only ends that session", async () => {
      const id = deviceId();
      const a = await signIn(id);
      const b = await signIn(id);
      ok(await t.api.withToken("POST", LOGOUT, b.token, { refresh_token: a.refresh_token }));
      await assertEnded(a);
      await assertLive(b);
    });

    it("with both ends that session", async () => {
      const id = deviceId();
      const a = await signIn(id);
      const b = await signIn(id);
      ok(await t.api.withToken("POST", LOGOUT, a.token, { token: a.token, refresh_token: a.refresh_token }));
      await assertEnded(a);
      await assertLive(b);
    });

    it("with neither ends every session of the user, and only of that user", async () => {
      const id = deviceId();
      const a = await signIn(id);
      const b = await signIn(id);
      const c = await signIn(id);
      const stranger = await signIn();
      ok(await t.api.withToken("POST", LOGOUT, b.token, {}));
      await assertEnded(a);
      await assertEnded(b);
      await assertEnded(c);
      await assertLive(stranger);
      ok(await refresh(stranger.refresh_token));
      // A new sign-in still works.
      await assertLive(await signIn(id));
    });

    it("with no body at all also ends every session", async () => {
      const id = deviceId();
      const a = await signIn(id);
      const b = await signIn(id);
      assert.deepEqual(ok(await t.api.call("POST", LOGOUT, { bearer: a.token })), {});
      await assertEnded(a);
      await assertEnded(b);
    });

    it("refuses another user's tokens with 400 and ends nothing", async () => {
      const me = await signIn();
      const other = await signIn();
      assertError(await t.api.withToken("POST", LOGOUT, me.token, { token: other.token }), 400, "Session token invalid.");
      assertError(await t.api.withToken("POST", LOGOUT, me.token, { refresh_token: other.refresh_token }), 400, "Refresh token invalid.");
      assertError(await t.api.withToken("POST", LOGOUT, me.token, { token: me.token, refresh_token: other.refresh_token }), 400, "Refresh token invalid.");
      await assertLive(other);
      await assertLive(me);
      ok(await refresh(other.refresh_token));
    });

    it("refuses garbage and swapped tokens with 400", async () => {
      const me = await signIn();
      assertError(await t.api.withToken("POST", LOGOUT, me.token, { token: "garbage" }), 400, "Session token invalid.");
      assertError(await t.api.withToken("POST", LOGOUT, me.token, { refresh_token: "garbage" }), 400, "Refresh token invalid.");
      assertError(await t.api.withToken("POST", LOGOUT, me.token, { token: me.refresh_token }), 400, "Session token invalid.");
      assertError(await t.api.withToken("POST", LOGOUT, me.token, { refresh_token: me.token }), 400, "Refresh token invalid.");
      assertError(await t.api.withToken("POST", LOGOUT, me.token, { token: 42 }), 400, /"token"/);
      await assertLive(me);
    });

    it("needs a valid bearer token", async () => {
      assertUnauthorized(await t.api.call("POST", LOGOUT, { body: {} }), "Auth token required", "Bearer");
      assertUnauthorized(await t.api.withToken("POST", LOGOUT, "garbage", {}), "Auth token invalid", "Bearer");
      const s = await signIn();
      ok(await t.api.withToken("POST", LOGOUT, s.token, {}));
      assertUnauthorized(await t.api.withToken("POST", LOGOUT, s.token, {}), "Auth token invalid", "Bearer");
    });
  });

  describe("bearer failures", () => {
    it("missing is 401 Auth token required, with a Bearer challenge", async () => {
      assertUnauthorized(await t.api.call("GET", "/v2/account"), "Auth token required", "Bearer");
      assertUnauthorized(await t.api.call("GET", SESSIONS), "Auth token required", "Bearer");
    });

    it("bad is 401 Auth token invalid, with a Bearer challenge", async () => {
      const s = await signIn();
      const [h, p, sig] = s.token.split(".") as [string, string, string];
      const tampered = claimsOf(s.token);
      tampered["uid"] = claimsOf((await signIn()).token)["uid"];
      const forged = `${h}.${Buffer.from(JSON.stringify(tampered)).toString("base64url")}.${sig}`;
      const noneAlg = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${p}.`;
      for (const bad of ["garbage", forged, noneAlg, `${h}.${p}`, `${s.token}x`, s.token.slice(0, -2), s.refresh_token]) {
        assertUnauthorized(await account(bad), "Auth token invalid", "Bearer");
      }
      assertUnauthorized(await t.api.call("GET", "/v2/account", { headers: { Authorization: `Token ${s.token}` } }), "Auth token invalid", "Bearer");
      assertUnauthorized(await t.api.call("GET", "/v2/account", { serverKey: SERVER_KEY }), "Auth token invalid", "Bearer");
      await assertLive(s);
    });

    it("accepts the scheme in any case", async () => {
      const s = await signIn();
      ok(await t.api.call("GET", "/v2/account", { headers: { Authorization: `bearer ${s.token}` } }));
    });
  });

  describe("session listing (Tessera)", () => {
    it("lists the caller's live sessions with their details, newest first", async () => {
      const id = deviceId();
      const a = await signIn(id, undefined, { "User-Agent": "tessera-test/a" });
      await new Promise((r) => setTimeout(r, 5));
      const b = await signIn(id, undefined, { "User-Agent": "tessera-test/b" });
      const list = ok(await t.api.withToken("GET", SESSIONS, a.token));
      assert.deepEqual(Object.keys(list), ["sessions"]);
      assert.equal(list.sessions.length, 2);
      const [first, second] = list.sessions;
      assert.equal(first.id, claimsOf(b.token)["tid"]);
      assert.equal(second.id, claimsOf(a.token)["tid"]);
      assert.equal(first.current, false);
      assert.equal(second.current, true);
      for (const [info, s, ua] of [
        [first, b, "tessera-test/b"],
        [second, a, "tessera-test/a"],
      ] as const) {
        assert.deepEqual(Object.keys(info).sort(), ["client_ip", "create_time", "current", "expire_time", "id", "user_agent"]);
        assert.match(info.create_time, RFC3339);
        assert.equal(info.expire_time, new Date(claimsOf(s.refresh_token)["exp"] * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"));
        assert.match(info.client_ip, /127\.0\.0\.1|::1/);
        assert.equal(info.user_agent, ua);
      }
    });

    it("shows last_refresh_time after a refresh", async () => {
      const s = await signIn();
      const r = ok(await refresh(s.refresh_token));
      const [info] = ok(await t.api.withToken("GET", SESSIONS, r.token)).sessions;
      assert.match(info.last_refresh_time, RFC3339);
      assert.equal(info.current, true);
      assert.equal(info.expire_time, new Date(claimsOf(r.refresh_token)["exp"] * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"));
    });

    it("leaves out ended sessions and other users' sessions", async () => {
      const id = deviceId();
      const a = await signIn(id);
      const b = await signIn(id);
      await signIn();
      ok(await t.api.withToken("POST", LOGOUT, a.token, { token: a.token }));
      const list = ok(await t.api.withToken("GET", SESSIONS, b.token));
      assert.deepEqual(
        list.sessions.map((x: { id: string }) => x.id),
        [claimsOf(b.token)["tid"]],
      );
    });

    it("DELETE ends one session: its tokens stop working at once", async () => {
      const id = deviceId();
      const a = await signIn(id);
      const b = await signIn(id);
      assert.deepEqual(ok(await t.api.withToken("DELETE", `${SESSIONS}/${claimsOf(b.token)["tid"]}`, a.token)), {});
      await assertEnded(b);
      await assertLive(a);
      assert.equal(ok(await t.api.withToken("GET", SESSIONS, a.token)).sessions.length, 1);
      // Ending it again, or ending one that never existed, is 404.
      assertError(await t.api.withToken("DELETE", `${SESSIONS}/${claimsOf(b.token)["tid"]}`, a.token), 404, /not found/i);
      assertError(await t.api.withToken("DELETE", `${SESSIONS}/00000000-0000-4000-8000-000000000000`, a.token), 404, /not found/i);
    });

    it("DELETE of the caller's own session ends it", async () => {
      const s = await signIn();
      ok(await t.api.withToken("DELETE", `${SESSIONS}/${claimsOf(s.token)["tid"]}`, s.token));
      await assertEnded(s);
    });

    it("DELETE of another user's session is 404 and ends nothing", async () => {
      const me = await signIn();
      const other = await signIn();
      assertError(await t.api.withToken("DELETE", `${SESSIONS}/${claimsOf(other.token)["tid"]}`, me.token), 404, /not found/i);
      await assertLive(other);
      ok(await refresh(other.refresh_token));
    });
  });
});

describe("session expiry", () => {
  let t: TestServer;
  // The server's time: moved forward instead of waited for.
  const clock = new TestClock();
  before(async () => {
    t = await startTestServer({ "session.token_expiry_sec": 1 }, undefined, { clock });
  });
  after(() => t.close());

  it("rejects an expired access token, while its refresh token still gets a new one", async () => {
    // Times are whole seconds: a 1 s token issued at 12.999 s expires at 13 s. Sign in just after
    // a second begins, so the token has (almost) its whole second for the first call.
    clock.advance(1000 - (clock.now() % 1000) + 5);
    const s = ok(await t.api.withKey("/v2/account/authenticate/device", { id: deviceId() }));
    assert.equal(claimsOf(s.token)["exp"] - claimsOf(s.token)["iat"], 1);
    ok(await t.api.withToken("GET", "/v2/account", s.token));
    clock.advance(2100);
    assertUnauthorized(await t.api.withToken("GET", "/v2/account", s.token), "Auth token invalid", "Bearer");
    assertUnauthorized(await t.api.withToken("POST", LOGOUT, s.token, {}), "Auth token invalid", "Bearer");
    const r = ok(await t.api.withKey(REFRESH, { token: s.refresh_token }));
    assert.notEqual(r.token, s.token);
    assert.notEqual(r.refresh_token, s.refresh_token);
    assert.ok(claimsOf(r.token)["exp"] > claimsOf(s.token)["exp"]);
    ok(await t.api.withToken("GET", "/v2/account", r.token));
  });
});

describe("single_session", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ "session.single_session": true });
  });
  after(() => t.close());

  it("a second sign-in ends the first session", async () => {
    const id = deviceId();
    const first = ok(await t.api.withKey("/v2/account/authenticate/device", { id }));
    const other = ok(await t.api.withKey("/v2/account/authenticate/device", { id: deviceId() }));
    const second = ok(await t.api.withKey("/v2/account/authenticate/device", { id }));
    assertUnauthorized(await t.api.withToken("GET", "/v2/account", first.token), "Auth token invalid", "Bearer");
    assertError(await t.api.withKey(REFRESH, { token: first.refresh_token }), 401, "Refresh token invalid or expired.");
    ok(await t.api.withToken("GET", "/v2/account", second.token));
    ok(await t.api.withToken("GET", "/v2/account", other.token));
    const list = ok(await t.api.withToken("GET", SESSIONS, second.token));
    assert.deepEqual(
      list.sessions.map((x: { id: string }) => x.id),
      [claimsOf(second.token)["tid"]],
    );
  });

  it("a refresh does not end the session it refreshes", async () => {
    const s = ok(await t.api.withKey("/v2/account/authenticate/device", { id: deviceId() }));
    const r = ok(await t.api.withKey(REFRESH, { token: s.refresh_token }));
    ok(await t.api.withToken("GET", "/v2/account", r.token));
  });
});
