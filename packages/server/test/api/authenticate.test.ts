/**
 * Wire behaviour of `POST /v2/account/authenticate/{device,email,custom,anonymous}` over raw HTTP:
 * Nakama's query parameters, validation messages, failures and client quirks (REFERENCE.md §1-§2).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SERVER_KEY, claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { PASSWORD, UUID, assertError, assertUnauthorized, customId, deviceId, email, ok, username } from "../support/expect.js";

const DEVICE = "/v2/account/authenticate/device";
const EMAIL = "/v2/account/authenticate/email";
const CUSTOM = "/v2/account/authenticate/custom";
const ANONYMOUS = "/v2/account/authenticate/anonymous";

describe("authenticate", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const account = async (token: string) => ok(await t.api.withToken("GET", "/v2/account", token));
  const ban = async (token: string) => {
    const uid = claimsOf(token)["uid"] as string;
    assert.equal(await t.server.core.store.setDisableTime(uid, Date.now(), Date.now()), true);
  };

  describe("session response and tokens", () => {
    it("returns {token, refresh_token, created:true} on create and omits created afterwards", async () => {
      const id = deviceId();
      const first = ok(await t.api.withKey(DEVICE, { id }));
      assert.deepEqual(Object.keys(first).sort(), ["created", "refresh_token", "token"]);
      assert.equal(first.created, true);
      const second = ok(await t.api.withKey(DEVICE, { id }));
      assert.deepEqual(Object.keys(second).sort(), ["refresh_token", "token"]);
      assert.equal(claimsOf(second.token)["uid"], claimsOf(first.token)["uid"]);
      assert.notEqual(claimsOf(second.token)["tid"], claimsOf(first.token)["tid"], "each sign-in is a new session");
    });

    it("issues Nakama's HS256 tokens with tid, uid, usn, exp, iat and nothing else", async () => {
      const s = ok(await t.api.withKey(DEVICE, { id: deviceId() }));
      const header = JSON.parse(Buffer.from(s.token.split(".")[0], "base64url").toString("utf8"));
      assert.deepEqual(header, { alg: "HS256", typ: "JWT" });
      const access = claimsOf(s.token);
      assert.deepEqual(Object.keys(access).sort(), ["exp", "iat", "tid", "uid", "usn"], "vrs omitted when empty; no iss/sub/aud/nbf");
      assert.match(access["tid"], UUID);
      assert.match(access["uid"], UUID);
      assert.equal(access["exp"] - access["iat"], 3600);
      const refresh = claimsOf(s.refresh_token);
      assert.equal(refresh["tid"], access["tid"]);
      assert.equal(refresh["iat"], access["iat"]);
      assert.equal(refresh["uid"], access["uid"]);
      assert.equal(refresh["exp"] - refresh["iat"], 2592000);
      assert.notEqual(s.token, s.refresh_token);
    });

    it("carries vars given at sign-in in both tokens", async () => {
      const vars = { region: "eu", tier: "gold" };
      const s = ok(await t.api.withKey(DEVICE, { id: deviceId(), vars }));
      assert.deepEqual(claimsOf(s.token)["vrs"], vars);
      assert.deepEqual(claimsOf(s.refresh_token)["vrs"], vars);
    });
  });

  describe("create", () => {
    it("defaults to true for device, custom and email", async () => {
      assert.equal(ok(await t.api.withKey(DEVICE, { id: deviceId() })).created, true);
      assert.equal(ok(await t.api.withKey(CUSTOM, { id: customId() })).created, true);
      assert.equal(ok(await t.api.withKey(EMAIL, { email: email(), password: PASSWORD })).created, true);
    });

    it("create=false with an unknown identity is 404 User account not found.", async () => {
      assertError(await t.api.withKey(`${DEVICE}?create=false`, { id: deviceId() }), 404, "User account not found.");
      assertError(await t.api.withKey(`${CUSTOM}?create=false`, { id: customId() }), 404, "User account not found.");
    });

    it("create=false with an unknown email is 401 Invalid credentials., as a wrong password is (no account enumeration)", async () => {
      // Nakama answers 404 here; Tessera deliberately answers as for a wrong password (docs/security.md).
      assertUnauthorized(await t.api.withKey(`${EMAIL}?create=false`, { email: email(), password: PASSWORD }), "Invalid credentials.", "Basic");
    });

    it("create=false with a known identity signs in", async () => {
      const id = deviceId();
      const created = ok(await t.api.withKey(DEVICE, { id }));
      const again = ok(await t.api.withKey(`${DEVICE}?create=false`, { id }));
      assert.equal(again.created, undefined);
      assert.equal(claimsOf(again.token)["uid"], claimsOf(created.token)["uid"]);
    });

    it("accepts grpc-gateway booleans and rejects other values", async () => {
      assertError(await t.api.withKey(`${DEVICE}?create=0`, { id: deviceId() }), 404, "User account not found.");
      assertError(await t.api.withKey(`${DEVICE}?create=FALSE`, { id: deviceId() }), 404, "User account not found.");
      assert.equal(ok(await t.api.withKey(`${DEVICE}?create=1`, { id: deviceId() })).created, true);
      assertError(await t.api.withKey(`${DEVICE}?create=maybe`, { id: deviceId() }), 400, /create/);
    });
  });

  describe("username query parameter", () => {
    it("gives a new account a random 10-letter username when absent", async () => {
      const s = ok(await t.api.withKey(DEVICE, { id: deviceId() }));
      const usn = claimsOf(s.token)["usn"];
      assert.match(usn, /^[A-Za-z]{10}$/);
      assert.equal((await account(s.token)).user.username, usn);
      const other = claimsOf(ok(await t.api.withKey(DEVICE, { id: deviceId() })).token)["usn"];
      assert.notEqual(other, usn);
    });

    it("treats an empty username as absent", async () => {
      const s = ok(await t.api.withKey(`${DEVICE}?username=`, { id: deviceId() }));
      assert.match(claimsOf(s.token)["usn"], /^[A-Za-z]{10}$/);
    });

    it("sets the requested username on create", async () => {
      const name = username();
      const s = ok(await t.api.withKey(`${CUSTOM}?username=${name}`, { id: customId() }));
      assert.equal(claimsOf(s.token)["usn"], name);
      assert.equal((await account(s.token)).user.username, name);
    });

    it("keeps an existing account's username", async () => {
      const id = deviceId();
      const name = username();
      ok(await t.api.withKey(`${DEVICE}?username=${name}`, { id }));
      const again = ok(await t.api.withKey(`${DEVICE}?username=${username()}`, { id }));
      assert.equal(claimsOf(again.token)["usn"], name);
      assert.equal((await account(again.token)).user.username, name);
    });

    it("refuses a taken username on create with 409 and creates nothing", async () => {
      const name = username();
      ok(await t.api.withKey(`${DEVICE}?username=${name}`, { id: deviceId() }));
      const id = deviceId();
      assertError(await t.api.withKey(`${DEVICE}?username=${name}`, { id }), 409, "Username is already in use.");
      assertError(await t.api.withKey(`${DEVICE}?create=false`, { id }), 404, "User account not found.");
      assertError(await t.api.withKey(`${CUSTOM}?username=${name}`, { id: customId() }), 409, "Username is already in use.");
      assertError(await t.api.withKey(`${EMAIL}?username=${name}`, { email: email(), password: PASSWORD }), 409, "Username is already in use.");
      assertError(await t.api.withKey(`${ANONYMOUS}?username=${name}`, {}), 409, "Username is already in use.");
    });

    it("allows spaces and non-ASCII in usernames", async () => {
      const name = `Zoë ${username()}`;
      const s = ok(await t.api.withKey(`${DEVICE}?username=${encodeURIComponent(name)}`, { id: deviceId() }));
      assert.equal(claimsOf(s.token)["usn"], name);
      assert.equal((await account(s.token)).user.username, name);
    });

    it("limits usernames to 1-128 bytes (bytes, not characters)", async () => {
      const msg = "Username invalid, must be 1-128 bytes.";
      assertError(await t.api.withKey(`${DEVICE}?username=${"u".repeat(129)}`, { id: deviceId() }), 400, msg);
      assertError(await t.api.withKey(`${DEVICE}?username=${encodeURIComponent("é".repeat(65))}`, { id: deviceId() }), 400, msg);
      const longest = "u".repeat(118) + username("").slice(0, 10);
      assert.equal(claimsOf(ok(await t.api.withKey(`${DEVICE}?username=${longest}`, { id: deviceId() })).token)["usn"], longest);
    });

    it("refuses control characters in usernames", async () => {
      for (const bad of ["a%00b", "tab%09name", "new%0Aline", "cr%0Dname", "del%7Fname"]) {
        const res = await t.api.withKey(`${DEVICE}?username=${bad}`, { id: deviceId() });
        assertError(res, 400, /^Username invalid/);
      }
    });
  });

  describe("device", () => {
    it("requires an id", async () => {
      assertError(await t.api.withKey(DEVICE, {}), 400, "Device ID is required.");
      assertError(await t.api.withKey(DEVICE, { id: "" }), 400, "Device ID is required.");
      assertError(await t.api.withKey(DEVICE, { id: null }), 400, "Device ID is required.");
    });

    it("refuses spaces and control characters", async () => {
      const msg = "Device ID invalid, no spaces or control characters allowed.";
      assertError(await t.api.withKey(DEVICE, { id: "has a space in it" }), 400, msg);
      assertError(await t.api.withKey(DEVICE, { id: "tab\tinside-id" }), 400, msg);
      assertError(await t.api.withKey(DEVICE, { id: "nul\u0000inside-id" }), 400, msg);
      assertError(await t.api.withKey(DEVICE, { id: "newline-id\n" }), 400, msg);
    });

    it("limits ids to 10-128 bytes", async () => {
      const msg = "Device ID invalid, must be 10-128 bytes.";
      assertError(await t.api.withKey(DEVICE, { id: "123456789" }), 400, msg);
      assertError(await t.api.withKey(DEVICE, { id: "d".repeat(129) }), 400, msg);
      assertError(await t.api.withKey(DEVICE, { id: "é".repeat(65) }), 400, msg);
      const shortest = deviceId().slice(-10);
      assert.equal(ok(await t.api.withKey(DEVICE, { id: shortest })).created, true);
      const longest = deviceId().padEnd(128, "x");
      assert.equal(ok(await t.api.withKey(DEVICE, { id: longest })).created, true);
    });
  });

  describe("custom", () => {
    it("requires an id", async () => {
      assertError(await t.api.withKey(CUSTOM, {}), 400, "Custom ID is required.");
      assertError(await t.api.withKey(CUSTOM, { id: "" }), 400, "Custom ID is required.");
    });

    it("limits ids to 6-128 bytes", async () => {
      const msg = "Custom ID invalid, must be 6-128 bytes.";
      assertError(await t.api.withKey(CUSTOM, { id: "12345" }), 400, msg);
      assertError(await t.api.withKey(CUSTOM, { id: "c".repeat(129) }), 400, msg);
      assert.equal(ok(await t.api.withKey(CUSTOM, { id: customId().slice(-6) })).created, true);
    });

    it("refuses spaces and control characters", async () => {
      assertError(await t.api.withKey(CUSTOM, { id: "custom id" }), 400, /^Custom ID invalid/);
      assertError(await t.api.withKey(CUSTOM, { id: "custom\u0001id" }), 400, /^Custom ID invalid/);
    });

    it("signs the same custom id into the same account", async () => {
      const id = customId();
      const a = ok(await t.api.withKey(CUSTOM, { id }));
      const b = ok(await t.api.withKey(CUSTOM, { id }));
      assert.equal(claimsOf(a.token)["uid"], claimsOf(b.token)["uid"]);
      assert.equal((await account(b.token)).custom_id, id);
    });
  });

  describe("email", () => {
    it("checks the address format and length", async () => {
      assertError(await t.api.withKey(EMAIL, { email: "not-an-email-address", password: PASSWORD }), 400, "Invalid email address format.");
      assertError(await t.api.withKey(EMAIL, { email: "nobody@nowhere", password: PASSWORD }), 400, "Invalid email address format.");
      assertError(await t.api.withKey(EMAIL, { email: "a@b.co", password: PASSWORD }), 400, "Invalid email address, must be 10-255 bytes.");
      const tooLong = "a".repeat(244) + "@example.com"; // 256 bytes
      assertError(await t.api.withKey(EMAIL, { email: tooLong, password: PASSWORD }), 400, "Invalid email address, must be 10-255 bytes.");
    });

    it("refuses spaces and control characters in the address", async () => {
      assertError(await t.api.withKey(EMAIL, { email: "has space@example.com", password: PASSWORD }), 400, /^Invalid email address/);
      assertError(await t.api.withKey(EMAIL, { email: "ctl\u0001x@example.com", password: PASSWORD }), 400, /^Invalid email address/);
    });

    it("requires a password of at least 8 characters", async () => {
      const msg = "Password must be at least 8 characters long.";
      assertError(await t.api.withKey(EMAIL, { email: email(), password: "short" }), 400, msg);
      assertError(await t.api.withKey(EMAIL, { email: email(), password: "1234567" }), 400, msg);
      assertError(await t.api.withKey(EMAIL, { email: email() }), 400, msg);
      assert.equal(ok(await t.api.withKey(EMAIL, { email: email(), password: "12345678" })).created, true);
    });

    it("stores the address lower-case and signs in whatever the case", async () => {
      const local = email();
      const mixed = local.replace(/^p/, "Mixed.P").replace("example.com", "Example.COM");
      const created = ok(await t.api.withKey(EMAIL, { email: mixed, password: PASSWORD }));
      assert.equal((await account(created.token)).email, mixed.toLowerCase());
      const again = ok(await t.api.withKey(EMAIL, { email: mixed.toLowerCase(), password: PASSWORD }));
      assert.equal(again.created, undefined);
      assert.equal(claimsOf(again.token)["uid"], claimsOf(created.token)["uid"]);
    });

    it("refuses a wrong password with 401 Invalid credentials.", async () => {
      const address = email();
      ok(await t.api.withKey(EMAIL, { email: address, password: PASSWORD }));
      assertUnauthorized(await t.api.withKey(EMAIL, { email: address, password: "wrong password" }), "Invalid credentials.", "Basic");
      assertUnauthorized(await t.api.withKey(`${EMAIL}?create=false`, { email: address, password: "wrong password" }), "Invalid credentials.", "Basic");
      assertUnauthorized(await t.api.withKey(EMAIL, { email: address, password: PASSWORD.toUpperCase() }), "Invalid credentials.", "Basic");
    });

    it("signs in with username and password when email is absent", async () => {
      const name = username();
      const created = ok(await t.api.withKey(`${EMAIL}?username=${name}`, { email: email(), password: PASSWORD }));
      const byName = ok(await t.api.withKey(`${EMAIL}?username=${name}`, { password: PASSWORD }));
      assert.equal(byName.created, undefined);
      assert.equal(claimsOf(byName.token)["uid"], claimsOf(created.token)["uid"]);
      const emptyEmail = ok(await t.api.withKey(`${EMAIL}?username=${name}&`, { email: "", password: PASSWORD }));
      assert.equal(claimsOf(emptyEmail.token)["uid"], claimsOf(created.token)["uid"]);
    });

    it("refuses a wrong password, an unknown username and a password-less account by username", async () => {
      const name = username();
      ok(await t.api.withKey(`${EMAIL}?username=${name}`, { email: email(), password: PASSWORD }));
      assertError(await t.api.withKey(`${EMAIL}?username=${name}`, { password: "wrong password" }), 401, "Invalid credentials.");
      // An unknown username answers as a wrong password does (Nakama: 404), so usernames cannot be probed.
      assertError(await t.api.withKey(`${EMAIL}?username=${username("nobody")}`, { password: PASSWORD }), 401, "Invalid credentials.");
      const deviceOnly = username();
      ok(await t.api.withKey(`${DEVICE}?username=${deviceOnly}`, { id: deviceId() }));
      assertError(await t.api.withKey(`${EMAIL}?username=${deviceOnly}`, { password: PASSWORD }), 401, "Invalid credentials.");
    });

    it("requires a username when email is not supplied", async () => {
      const msg = "Username is required when email address is not supplied.";
      assertError(await t.api.withKey(EMAIL, { password: PASSWORD }), 400, msg);
      assertError(await t.api.withKey(`${EMAIL}?username=`, { email: "", password: PASSWORD }), 400, msg);
    });
  });

  describe("concurrent first sign-ins", () => {
    it("of one new device all reach one account, created once", async () => {
      const id = deviceId();
      const results = await Promise.all(Array.from({ length: 12 }, () => t.api.withKey(DEVICE, { id })));
      const sessions = results.map(ok);
      assert.equal(new Set(sessions.map((s) => claimsOf(s.token)["uid"])).size, 1);
      assert.equal(sessions.filter((s) => s.created === true).length, 1);
    });

    it("of one new email all reach one account, and a wrong password still fails", async () => {
      const address = email();
      const results = await Promise.all([
        ...Array.from({ length: 4 }, () => t.api.withKey(EMAIL, { email: address, password: PASSWORD })),
        t.api.withKey(EMAIL, { email: address, password: "another password" }),
      ]);
      const good = results.slice(0, 4).filter((r) => r.status === 200);
      const wrong = results[4]!;
      // Whoever won the creation race owns the account; the rest check their password against it.
      if (wrong.status === 200) {
        assert.equal(wrong.body.created, true);
        for (const r of results.slice(0, 4)) assertError(r, 401, "Invalid credentials.");
      } else {
        assert.equal(good.length, 4);
        assert.equal(new Set(good.map((r) => claimsOf(r.body.token)["uid"])).size, 1);
        assertError(wrong, 401, "Invalid credentials.");
      }
    });

    it("with one requested username give it to exactly one account", async () => {
      const name = username();
      const results = await Promise.all(Array.from({ length: 8 }, () => t.api.withKey(`${DEVICE}?username=${name}`, { id: deviceId() })));
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      for (const r of results.filter((r) => r.status !== 200)) assertError(r, 409, "Username is already in use.");
    });
  });

  describe("banned accounts", () => {
    it("refuses device and custom sign-in with 403 User account banned.", async () => {
      const id = deviceId();
      await ban(ok(await t.api.withKey(DEVICE, { id })).token);
      assertError(await t.api.withKey(DEVICE, { id }), 403, "User account banned.");
      assertError(await t.api.withKey(`${DEVICE}?create=false`, { id }), 403, "User account banned.");
      const cid = customId();
      await ban(ok(await t.api.withKey(CUSTOM, { id: cid })).token);
      assertError(await t.api.withKey(CUSTOM, { id: cid }), 403, "User account banned.");
    });

    it("refuses email and username sign-in with 403, but only after the password is right", async () => {
      const address = email();
      const name = username();
      await ban(ok(await t.api.withKey(`${EMAIL}?username=${name}`, { email: address, password: PASSWORD })).token);
      assertError(await t.api.withKey(EMAIL, { email: address, password: PASSWORD }), 403, "User account banned.");
      assertError(await t.api.withKey(`${EMAIL}?username=${name}`, { password: PASSWORD }), 403, "User account banned.");
      assertError(await t.api.withKey(EMAIL, { email: address, password: "wrong password" }), 401, "Invalid credentials.");
    });

    it("lifting the ban lets the account sign in again", async () => {
      const id = deviceId();
      const s = ok(await t.api.withKey(DEVICE, { id }));
      await ban(s.token);
      assertError(await t.api.withKey(DEVICE, { id }), 403, "User account banned.");
      await t.server.core.store.setDisableTime(claimsOf(s.token)["uid"], null, Date.now());
      ok(await t.api.withKey(DEVICE, { id }));
    });
  });

  describe("server key", () => {
    const routes = [DEVICE, EMAIL, CUSTOM, ANONYMOUS, "/v2/account/session/refresh"];

    it("without Authorization is 401 Server key required with a Basic challenge", async () => {
      for (const path of routes) {
        assertUnauthorized(await t.api.call("POST", path, { body: { id: deviceId() } }), "Server key required", "Basic");
      }
    });

    it("with a wrong key is 401 Server key invalid with a Basic challenge", async () => {
      for (const path of routes) {
        assertUnauthorized(await t.api.withKey(path, { id: deviceId() }, "wrongkey"), "Server key invalid", "Basic");
      }
      const res = await t.api.call("POST", DEVICE, { body: { id: deviceId() }, headers: { Authorization: "Basic !!not-base64!!" } });
      assertUnauthorized(res, "Server key invalid", "Basic");
    });

    it("does not accept a key that only starts like the real one, or a bearer token", async () => {
      assertUnauthorized(await t.api.withKey(DEVICE, { id: deviceId() }, SERVER_KEY + "x"), "Server key invalid", "Basic");
      assertUnauthorized(await t.api.withKey(DEVICE, { id: deviceId() }, SERVER_KEY.slice(0, -1)), "Server key invalid", "Basic");
      const s = ok(await t.api.withKey(DEVICE, { id: deviceId() }));
      assertUnauthorized(await t.api.call("POST", DEVICE, { body: { id: deviceId() }, bearer: s.token }), "Server key invalid", "Basic");
    });

    it("ignores the Basic password, as Nakama does", async () => {
      const auth = "Basic " + Buffer.from(`${SERVER_KEY}:anything`).toString("base64");
      ok(await t.api.call("POST", DEVICE, { body: { id: deviceId() }, headers: { Authorization: auth } }));
    });
  });

  describe("nakama-js quirks", () => {
    it("accepts a trailing & in the query string", async () => {
      const name = username();
      const s = ok(await t.api.withKey(`${DEVICE}?create=true&username=${name}&`, { id: deviceId() }));
      assert.equal(s.created, true);
      assert.equal(claimsOf(s.token)["usn"], name);
      assertError(await t.api.withKey(`${DEVICE}?create=false&`, { id: deviceId() }), 404, "User account not found.");
    });

    it("accepts Content-Type: application/json on a GET without a body", async () => {
      const s = ok(await t.api.withKey(DEVICE, { id: deviceId() }));
      const res = await t.api.call("GET", "/v2/account", { bearer: s.token, headers: { "Content-Type": "application/json" } });
      assert.equal(ok(res).user.id, claimsOf(s.token)["uid"]);
    });
  });

  describe("anonymous (Tessera)", () => {
    it("creates a new account with no identity every time", async () => {
      const a = ok(await t.api.withKey(ANONYMOUS, {}));
      const b = ok(await t.api.call("POST", ANONYMOUS, { serverKey: SERVER_KEY }));
      assert.equal(a.created, true);
      assert.equal(b.created, true);
      assert.notEqual(claimsOf(a.token)["uid"], claimsOf(b.token)["uid"]);
      const acc = await account(a.token);
      assert.equal(acc.user.id, claimsOf(a.token)["uid"]);
      assert.match(acc.user.username, /^[A-Za-z]{10}$/);
      assert.equal(acc.email, undefined);
      assert.equal(acc.devices, undefined);
      assert.equal(acc.custom_id, undefined);
    });

    it("takes a username and vars", async () => {
      const name = username();
      const s = ok(await t.api.withKey(`${ANONYMOUS}?username=${name}&`, { vars: { k: "v" } }));
      assert.equal(claimsOf(s.token)["usn"], name);
      assert.deepEqual(claimsOf(s.token)["vrs"], { k: "v" });
    });

    it("refuses create=false with 400", async () => {
      assertError(await t.api.withKey(`${ANONYMOUS}?create=false`, {}), 400, /create/);
    });

    it("needs the server key", async () => {
      assertUnauthorized(await t.api.call("POST", ANONYMOUS, {}), "Server key required", "Basic");
    });
  });
});
