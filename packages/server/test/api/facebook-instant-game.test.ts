/**
 * Facebook Instant Games sign-in (docs/providers.md): signed player info verifies with HMAC-SHA256
 * under the configured app secret and must be recent; anything else is Nakama's 401 (never the
 * 500 Nakama answers on sign-in); no secret means not configured. Through the real nakama-js too.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { assertError, ok } from "../support/expect.js";
import { TestClock } from "../support/test-clock.js";
import { INSTANT_GAMES_SECRET, instantGamesSettings, signedPlayerInfo } from "../support/instant-games.js";
import { nakamaClient } from "../support/nakama-client.js";

const AUTH = "/v2/account/authenticate/facebookinstantgame";
const REFUSED = "Could not authenticate Facebook Instant Game profile.";
let n = 0;
const playerId = () => `${process.pid}${++n}${Date.now() % 100_000}`;
const body = (info: string) => ({ signed_player_info: info });

let t: TestServer;
const clock = new TestClock();
before(async () => {
  t = await startTestServer(instantGamesSettings(), undefined, { clock });
});
after(() => t.close());

describe("Facebook Instant Games sign-in", () => {
  it("valid signed player info creates the account, finds it again and shows user.facebook_instant_game_id", async () => {
    const id = playerId();
    const first = ok(await t.api.withKey(AUTH, body(signedPlayerInfo(id))));
    assert.equal(first.created, true);
    const again = ok(await t.api.withKey(`${AUTH}?create=false`, body(signedPlayerInfo(id))));
    assert.equal(claimsOf(again.token)["uid"], claimsOf(first.token)["uid"]);
    assert.equal(ok(await t.api.withToken("GET", "/v2/account", first.token)).user.facebook_instant_game_id, id);
  });

  it("missing signed player info is 400 with Nakama's message", async () => {
    assertError(await t.api.withKey(AUTH, {}), 400, "Signed Player Info for a Facebook Instant Game is required.");
    assertError(await t.api.withKey(AUTH, body("")), 400, "Signed Player Info for a Facebook Instant Game is required.");
  });

  it("a wrong secret, a tampered payload, a bad form or a bad payload is 401, never a 500", async () => {
    const id = playerId();
    const good = signedPlayerInfo(id);
    const [sig, payload] = good.split(".") as [string, string];
    const otherPayload = Buffer.from(JSON.stringify({ algorithm: "HMAC-SHA256", issued_at: Math.floor(Date.now() / 1000), player_id: playerId() })).toString(
      "base64url",
    );
    const cases = [
      signedPlayerInfo(id, { secret: "another-secret" }),
      `${sig}.${otherPayload}`,
      `${sig}=.${payload}`,
      `${sig}.${payload}.extra`,
      sig,
      "%%%.###",
      signedPlayerInfo(id, { algorithm: "HMAC-SHA1" }),
      signedPlayerInfo(id, { payload: { algorithm: "HMAC-SHA256", issued_at: Math.floor(Date.now() / 1000), player_id: "" } }),
      signedPlayerInfo(id, { payload: { algorithm: "HMAC-SHA256", issued_at: "1700000000", player_id: id } }),
      signedPlayerInfo(id, { payload: { algorithm: "HMAC-SHA256", issued_at: 1.5, player_id: id } }),
      signedPlayerInfo(id, { payload: [1, 2] as unknown as Record<string, unknown> }),
    ];
    for (const info of cases) assertError(await t.api.withKey(AUTH, body(info)), 401, REFUSED);
  });

  it("issued_at older than max_age_sec or in the future beyond the leeway is refused; within it accepted", async () => {
    const now = Math.floor(clock.now() / 1000);
    assertError(await t.api.withKey(AUTH, body(signedPlayerInfo(playerId(), { issuedAt: now - 3600 - 61 }))), 401, REFUSED);
    assertError(await t.api.withKey(AUTH, body(signedPlayerInfo(playerId(), { issuedAt: now + 120 }))), 401, REFUSED);
    ok(await t.api.withKey(AUTH, body(signedPlayerInfo(playerId(), { issuedAt: now - 3600 + 10 }))));
    // The server's clock moves on: the same info, accepted an hour ago, is refused now.
    const info = signedPlayerInfo(playerId(), { issuedAt: now });
    ok(await t.api.withKey(AUTH, body(info)));
    clock.advance(3_700_000);
    try {
      assertError(await t.api.withKey(AUTH, body(info)), 401, REFUSED);
    } finally {
      clock.advance(-3_700_000);
    }
  });

  it("an over-long signed player info is 400 before any work", async () => {
    assertError(await t.api.withKey(AUTH, body("a".repeat(9000))), 400, /Signed Player Info invalid, must be at most 8192 characters\./);
  });
});

describe("Facebook Instant Games configuration", () => {
  it("without an app secret it is not configured (400), and info signed with an empty key does not sign in", async () => {
    const s = await startTestServer();
    try {
      const payload = Buffer.from(JSON.stringify({ algorithm: "HMAC-SHA256", issued_at: Math.floor(Date.now() / 1000), player_id: playerId() })).toString(
        "base64url",
      );
      const emptyKey = `${createHmac("sha256", "").update(payload).digest("base64url")}.${payload}`;
      assertError(await s.api.withKey(AUTH, body(emptyKey)), 400, "Facebook Instant Game authentication is not configured.", 9);
      const anon = ok(await s.api.withKey("/v2/account/authenticate/anonymous", {}));
      assertError(
        await s.api.withToken("POST", "/v2/account/link/facebookinstantgame", anon.token, body(emptyKey)),
        400,
        "Facebook Instant Game authentication is not configured.",
        9,
      );
    } finally {
      await s.close();
    }
  });
});

describe("Facebook Instant Games sign-in limits", () => {
  it("count per player id: past ratelimit.signin_per_identifier, 429", async () => {
    const s = await startTestServer({ ...instantGamesSettings(), "ratelimit.signin_per_identifier": 3, "ratelimit.signin_per_ip": 0 });
    try {
      const id = playerId();
      for (let i = 0; i < 3; i++) ok(await s.api.withKey(AUTH, body(signedPlayerInfo(id))));
      const limited = await s.api.withKey(AUTH, body(signedPlayerInfo(id)));
      assert.equal(limited.status, 429);
      assert.ok(limited.headers.get("retry-after"));
      // Another player is not limited.
      ok(await s.api.withKey(AUTH, body(signedPlayerInfo(playerId()))));
    } finally {
      await s.close();
    }
  });
});

describe("Facebook Instant Games link and unlink, and nakama-js", () => {
  it("links to an anonymous account and unlinks (checked with info, the account's without)", async () => {
    const anon = ok(await t.api.withKey("/v2/account/authenticate/anonymous", {}));
    const id = playerId();
    ok(await t.api.withToken("POST", "/v2/account/link/facebookinstantgame", anon.token, body(signedPlayerInfo(id))));
    assert.equal(claimsOf(ok(await t.api.withKey(`${AUTH}?create=false`, body(signedPlayerInfo(id)))).token)["uid"], claimsOf(anon.token)["uid"]);
    ok(await t.api.withToken("POST", "/v2/account/link/device", anon.token, { id: `fbig-spare-${id}` }));
    assertError(await t.api.withToken("POST", "/v2/account/unlink/facebookinstantgame", anon.token, body(signedPlayerInfo(id, { secret: "x" }))), 401, REFUSED);
    ok(await t.api.withToken("POST", "/v2/account/unlink/facebookinstantgame", anon.token, {}));
    assertError(await t.api.withKey(`${AUTH}?create=false`, body(signedPlayerInfo(id))), 404, "User account not found.");
  });

  it("nakama-js authenticateFacebookInstantGame, link and unlink work unchanged; a forged one is refused", async () => {
    const client = nakamaClient(t);
    const session = await client.authenticateFacebookInstantGame(signedPlayerInfo(playerId()), true);
    assert.equal(session.created, true);
    const other = await client.authenticateDevice(`fbig-nakama-${process.pid}-${n}`, true);
    const id = playerId();
    assert.equal(await client.linkFacebookInstantGame(other, { signed_player_info: signedPlayerInfo(id) }), true);
    assert.equal((await client.getAccount(other)).user?.facebook_instant_game_id, id);
    assert.equal(await client.unlinkFacebookInstantGame(other, { signed_player_info: signedPlayerInfo(id) }), true);
    await assert.rejects(
      client.authenticateFacebookInstantGame(signedPlayerInfo(playerId(), { secret: INSTANT_GAMES_SECRET + "x" })),
      (res: Response) => res.status === 401,
    );
  });
});
