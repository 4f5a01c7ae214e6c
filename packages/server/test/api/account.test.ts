/**
 * Wire behaviour of the caller's account: `GET/PUT /v2/account` in Nakama's shape, and linking and
 * unlinking device, email and custom identities (including keeping anonymous players).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { PASSWORD, RFC3339, assertError, customId, deviceId, email, ok, username } from "../support/expect.js";
import { TestClock } from "../support/test-clock.js";

const ACCOUNT = "/v2/account";

describe("account", () => {
  let t: TestServer;
  // The server's time: moved forward instead of waited for.
  const clock = new TestClock();
  before(async () => {
    t = await startTestServer({}, undefined, { clock });
  });
  after(() => t.close());

  const get = async (token: string) => ok(await t.api.withToken("GET", ACCOUNT, token));
  const put = (token: string, body: unknown) => t.api.withToken("PUT", ACCOUNT, token, body);
  const post = (path: string, token: string, body: unknown) => t.api.withToken("POST", path, token, body);
  const signIn = async (kind: "device" | "custom", id: string, query = "") => ok(await t.api.withKey(`/v2/account/authenticate/${kind}${query}`, { id }));
  const signInEmail = async (address: string, password = PASSWORD) => ok(await t.api.withKey("/v2/account/authenticate/email", { email: address, password }));
  const uidOf = (s: { token: string }): string => claimsOf(s.token)["uid"];

  describe("GET /v2/account", () => {
    it("has Nakama's shape with RFC 3339 times and no empty fields", async () => {
      const id = deviceId();
      const name = username();
      const s = await signIn("device", id, `?username=${name}`);
      const before = Date.now();
      const acc = await get(s.token);
      assert.deepEqual(Object.keys(acc).sort(), ["devices", "user", "wallet"]);
      assert.equal(acc.wallet, "{}");
      assert.deepEqual(acc.devices, [{ id }]);
      assert.deepEqual(Object.keys(acc.user).sort(), ["create_time", "id", "lang_tag", "metadata", "update_time", "username"]);
      assert.equal(acc.user.id, uidOf(s));
      assert.equal(acc.user.username, name);
      assert.equal(acc.user.lang_tag, "en");
      assert.equal(acc.user.metadata, "{}");
      assert.match(acc.user.create_time, RFC3339);
      assert.match(acc.user.update_time, RFC3339);
      assert.ok(Math.abs(Date.parse(acc.user.create_time) - before) < 5000, acc.user.create_time);
      assert.equal(JSON.stringify(acc).includes("disable_time"), false);
    });

    it("shows email and custom_id when linked, and never disable_time, even when banned", async () => {
      const address = email();
      const s = await signInEmail(address);
      const cid = customId();
      ok(await post("/v2/account/link/custom", s.token, { id: cid }));
      await t.server.core.store.setDisableTime(uidOf(s), Date.now(), Date.now());
      const acc = await get(s.token);
      assert.equal(acc.email, address);
      assert.equal(acc.custom_id, cid);
      assert.equal(acc.devices, undefined);
      assert.equal(JSON.stringify(acc).includes("disable_time"), false);
    });

    it("needs a bearer token", async () => {
      assertError(await t.api.call("GET", ACCOUNT), 401, "Auth token required");
    });
  });

  describe("PUT /v2/account", () => {
    it("updates every profile field and leaves absent fields unchanged", async () => {
      const s = await signIn("device", deviceId());
      const name = username("renamed");
      ok(
        await put(s.token, {
          username: name,
          display_name: "Zoë",
          avatar_url: "https://example.com/a.png",
          lang_tag: "fr",
          location: "Lyon",
          timezone: "Europe/Paris",
        }),
      );
      let acc = await get(s.token);
      assert.equal(acc.user.username, name);
      assert.equal(acc.user.display_name, "Zoë");
      assert.equal(acc.user.avatar_url, "https://example.com/a.png");
      assert.equal(acc.user.lang_tag, "fr");
      assert.equal(acc.user.location, "Lyon");
      assert.equal(acc.user.timezone, "Europe/Paris");

      ok(await put(s.token, { display_name: "Zoé" }));
      acc = await get(s.token);
      assert.equal(acc.user.display_name, "Zoé");
      assert.equal(acc.user.username, name);
      assert.equal(acc.user.location, "Lyon");
      assert.equal(acc.user.timezone, "Europe/Paris");
      assert.equal(acc.user.lang_tag, "fr");

      ok(await put(s.token, {}));
      const { update_time: _ignored, ...unchanged } = (await get(s.token)).user;
      const { update_time: _before, ...expected } = acc.user;
      assert.deepEqual(unchanged, expected);
    });

    it("clears a field set to an empty string", async () => {
      const s = await signIn("device", deviceId());
      ok(await put(s.token, { location: "Oslo", display_name: "Ola" }));
      ok(await put(s.token, { location: "" }));
      const acc = await get(s.token);
      assert.equal(acc.user.location, undefined);
      assert.equal(acc.user.display_name, "Ola");
    });

    it("answers {} and moves update_time", async () => {
      const s = await signIn("device", deviceId());
      const before = await get(s.token);
      clock.advance(1100);
      assert.deepEqual(ok(await put(s.token, { display_name: "Later" })), {});
      const after = await get(s.token);
      assert.ok(Date.parse(after.user.update_time) > Date.parse(before.user.update_time));
      assert.equal(after.user.create_time, before.user.create_time);
    });

    it("refuses a taken username with 409 and keeps the old one", async () => {
      const taken = username();
      await signIn("device", deviceId(), `?username=${taken}`);
      const s = await signIn("device", deviceId());
      const mine = (await get(s.token)).user.username;
      assertError(await put(s.token, { username: taken }), 409, "Username is already in use.");
      assert.equal((await get(s.token)).user.username, mine);
      ok(await put(s.token, { username: mine }));
    });

    it("refuses invalid usernames with 400", async () => {
      const s = await signIn("device", deviceId());
      assertError(await put(s.token, { username: "" }), 400, "Username invalid, must be 1-128 bytes.");
      assertError(await put(s.token, { username: "u".repeat(129) }), 400, "Username invalid, must be 1-128 bytes.");
      assertError(await put(s.token, { username: "bad\nname" }), 400, /^Username invalid/);
      assertError(await put(s.token, { username: "bad\u0000name" }), 400, /^Username invalid/);
      ok(await put(s.token, { username: `with space ${username("")}` }));
    });

    it("refuses too-long and control-character fields with 400", async () => {
      const s = await signIn("device", deviceId());
      assertError(await put(s.token, { display_name: "d".repeat(256) }), 400, /^Display name invalid, must be at most 255 bytes/);
      assertError(await put(s.token, { avatar_url: "https://e.com/" + "a".repeat(512) }), 400, /^Avatar URL invalid/);
      assertError(await put(s.token, { lang_tag: "l".repeat(19) }), 400, /^Language tag invalid/);
      assertError(await put(s.token, { location: "é".repeat(128) }), 400, /^Location invalid/);
      assertError(await put(s.token, { timezone: "t".repeat(256) }), 400, /^Timezone invalid/);
      assertError(await put(s.token, { display_name: "line\nbreak" }), 400, /control characters/);
      ok(await put(s.token, { display_name: "d".repeat(255), lang_tag: "l".repeat(18) }));
      const acc = await get(s.token);
      assert.equal(acc.user.display_name, "d".repeat(255));
    });

    it("refuses fields of the wrong type with 400", async () => {
      const s = await signIn("device", deviceId());
      assertError(await put(s.token, { display_name: 42 }), 400, /display_name/);
      assertError(await put(s.token, { username: ["a"] }), 400, /username/);
    });

    it("a rename reaches new sign-ins' tokens", async () => {
      const id = deviceId();
      const s = await signIn("device", id);
      const name = username("new");
      ok(await put(s.token, { username: name }));
      assert.equal(claimsOf((await signIn("device", id)).token)["usn"], name);
    });
  });

  describe("link and unlink", () => {
    it("links a device, and that device then signs in to the same account", async () => {
      const s = await signIn("custom", customId());
      const id = deviceId();
      assert.deepEqual(ok(await post("/v2/account/link/device", s.token, { id })), {});
      assert.deepEqual((await get(s.token)).devices, [{ id }]);
      const again = await signIn("device", id, "?create=false");
      assert.equal(uidOf(again), uidOf(s));
      assert.equal(again.created, undefined);
    });

    it("links an email, which then signs in with its password", async () => {
      const s = await signIn("device", deviceId());
      const address = email();
      ok(await post("/v2/account/link/email", s.token, { email: address.toUpperCase(), password: PASSWORD }));
      assert.equal((await get(s.token)).email, address);
      assert.equal(uidOf(await signInEmail(address)), uidOf(s));
      assertError(await t.api.withKey("/v2/account/authenticate/email", { email: address, password: "not the password" }), 401, "Invalid credentials.");
    });

    it("links a custom id, replacing the previous one", async () => {
      const first = customId();
      const s = await signIn("custom", first);
      const second = customId();
      ok(await post("/v2/account/link/custom", s.token, { id: second }));
      assert.equal((await get(s.token)).custom_id, second);
      assert.equal(uidOf(await signIn("custom", second, "?create=false")), uidOf(s));
      assertError(await t.api.withKey("/v2/account/authenticate/custom?create=false", { id: first }), 404, "User account not found.");
    });

    it("linking an identity the account already has is a no-op", async () => {
      const id = deviceId();
      const s = await signIn("device", id);
      ok(await post("/v2/account/link/device", s.token, { id }));
      assert.deepEqual((await get(s.token)).devices, [{ id }]);
    });

    it("refuses another account's identities with 409", async () => {
      const otherDevice = deviceId();
      const otherCustom = customId();
      const otherEmail = email();
      const other = await signIn("device", otherDevice);
      ok(await post("/v2/account/link/custom", other.token, { id: otherCustom }));
      ok(await post("/v2/account/link/email", other.token, { email: otherEmail, password: PASSWORD }));

      const me = await signIn("device", deviceId());
      assertError(await post("/v2/account/link/device", me.token, { id: otherDevice }), 409, "Device ID already in use.");
      assertError(await post("/v2/account/link/custom", me.token, { id: otherCustom }), 409, "Custom ID is already in use.");
      assertError(await post("/v2/account/link/email", me.token, { email: otherEmail, password: PASSWORD }), 409, "Email is already in use.");
      assertError(await post("/v2/account/link/email", me.token, { email: otherEmail.toUpperCase(), password: PASSWORD }), 409, "Email is already in use.");

      // Nothing moved: the identities still sign in to their owner.
      assert.equal(uidOf(await signIn("device", otherDevice)), uidOf(other));
      assert.equal(uidOf(await signIn("custom", otherCustom)), uidOf(other));
      assert.equal(uidOf(await signInEmail(otherEmail)), uidOf(other));
      const mine = await get(me.token);
      assert.equal(mine.email, undefined);
      assert.equal(mine.custom_id, undefined);
      assert.equal(mine.devices.length, 1);
    });

    it("validates linked identities like authenticate does", async () => {
      const s = await signIn("device", deviceId());
      assertError(await post("/v2/account/link/device", s.token, {}), 400, "Device ID is required.");
      assertError(await post("/v2/account/link/device", s.token, { id: "short" }), 400, "Device ID invalid, must be 10-128 bytes.");
      assertError(await post("/v2/account/link/custom", s.token, { id: "abc" }), 400, "Custom ID invalid, must be 6-128 bytes.");
      assertError(await post("/v2/account/link/email", s.token, { email: "nope-not-an-email", password: PASSWORD }), 400, "Invalid email address format.");
      assertError(await post("/v2/account/link/email", s.token, { email: email(), password: "short" }), 400, "Password must be at least 8 characters long.");
      assertError(await post("/v2/account/link/device", s.token, { id: 1234567890 }), 400, /"id"/);
    });

    it("unlinks an identity when another remains, and it no longer signs in", async () => {
      const id = deviceId();
      const s = await signIn("device", id);
      const cid = customId();
      ok(await post("/v2/account/link/custom", s.token, { id: cid }));
      assert.deepEqual(ok(await post("/v2/account/unlink/device", s.token, { id })), {});
      assertError(await t.api.withKey("/v2/account/authenticate/device?create=false", { id }), 404, "User account not found.");
      const acc = await get(s.token);
      assert.equal(acc.devices, undefined);
      assert.equal(acc.custom_id, cid);
    });

    it("unlinks email and custom id", async () => {
      const address = email();
      const s = await signInEmail(address);
      const cid = customId();
      const id = deviceId();
      ok(await post("/v2/account/link/custom", s.token, { id: cid }));
      ok(await post("/v2/account/link/device", s.token, { id }));
      ok(await post("/v2/account/unlink/email", s.token, { email: address.toUpperCase() }));
      ok(await post("/v2/account/unlink/custom", s.token, { id: cid }));
      const acc = await get(s.token);
      assert.equal(acc.email, undefined);
      assert.equal(acc.custom_id, undefined);
      assert.deepEqual(acc.devices, [{ id }]);
      // An unlinked email answers as any unknown email does: as a wrong password (no account enumeration).
      assertError(await t.api.withKey("/v2/account/authenticate/email?create=false", { email: address, password: PASSWORD }), 401, "Invalid credentials.");
      assertError(await t.api.withKey("/v2/account/authenticate/custom?create=false", { id: cid }), 404, "User account not found.");
    });

    it("refuses to unlink the last identity with 400 (code 9) and a clear message", async () => {
      const id = deviceId();
      const s = await signIn("device", id);
      const res = await post("/v2/account/unlink/device", s.token, { id });
      assertError(res, 400, /last identity/, 9);
      assert.equal(uidOf(await signIn("device", id, "?create=false")), uidOf(s));

      const address = email();
      const e = await signInEmail(address);
      assertError(await post("/v2/account/unlink/email", e.token, { email: address }), 400, /last identity/, 9);
      const cid = customId();
      const c = await signIn("custom", cid);
      assertError(await post("/v2/account/unlink/custom", c.token, { id: cid }), 400, /last identity/, 9);
    });

    it("unlinking an identity that is not linked is 404", async () => {
      const s = await signIn("device", deviceId());
      ok(await post("/v2/account/link/custom", s.token, { id: customId() }));
      assertError(await post("/v2/account/unlink/device", s.token, { id: deviceId() }), 404, /not linked/);
      assertError(await post("/v2/account/unlink/custom", s.token, { id: customId() }), 404, /not linked/);
      assertError(await post("/v2/account/unlink/email", s.token, { email: email() }), 404, /not linked/);

      // Another account's device is "not linked" to me, and stays with its owner.
      const otherDevice = deviceId();
      const other = await signIn("device", otherDevice);
      assertError(await post("/v2/account/unlink/device", s.token, { id: otherDevice }), 404, /not linked/);
      assert.equal(uidOf(await signIn("device", otherDevice)), uidOf(other));
    });

    it("an anonymous account links a device and then signs in with it", async () => {
      const anon = ok(await t.api.withKey("/v2/account/authenticate/anonymous", {}));
      const id = deviceId();
      ok(await post("/v2/account/link/device", anon.token, { id }));
      const back = await signIn("device", id, "?create=false");
      assert.equal(uidOf(back), uidOf(anon));
      assert.equal(back.created, undefined);
      assert.deepEqual((await get(back.token)).devices, [{ id }]);
      // Its only identity now: unlinking it would lose the account.
      assertError(await post("/v2/account/unlink/device", back.token, { id }), 400, /last identity/, 9);
    });

    it("link and unlink need a valid bearer token", async () => {
      assertError(await t.api.call("POST", "/v2/account/link/device", { body: { id: deviceId() } }), 401, "Auth token required");
      assertError(await t.api.call("POST", "/v2/account/unlink/device", { body: { id: deviceId() }, bearer: "not.a.token" }), 401, "Auth token invalid");
    });
  });
  describe("DELETE /v2/account", () => {
    it("deletes the account, frees its identities and refuses every token of it", async () => {
      const id = deviceId();
      const first = await signIn("device", id);
      const second = await signIn("device", id);
      const other = await signIn("device", deviceId());
      assert.deepEqual(ok(await t.api.withToken("DELETE", ACCOUNT, first.token)), {});
      for (const s of [first, second]) {
        assertError(await t.api.withToken("GET", ACCOUNT, s.token), 401, "Auth token invalid");
        assertError(await t.api.withKey("/v2/account/session/refresh", { token: s.refresh_token }), 401, "Refresh token invalid or expired.");
      }
      assertError(await t.api.withKey("/v2/account/authenticate/device?create=false", { id }), 404, "User account not found.");
      const fresh = await signIn("device", id);
      assert.equal(fresh.created, true);
      assert.notEqual(uidOf(fresh), uidOf(first));
      // Other accounts are untouched.
      assert.equal((await get(other.token)).user.id, uidOf(other));
    });
  });
});
