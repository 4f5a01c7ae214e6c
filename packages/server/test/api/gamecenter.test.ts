/**
 * Game Center sign-in (docs/providers.md): a signature from `fetchItems(forIdentityVerificationSignature:)`
 * is accepted only with a certificate issued by a configured trust root and valid now, over the
 * signed bytes, for a configured bundle id, with a recent timestamp; every failure is Nakama's 401,
 * an unreachable certificate server a 503, never a 401. Through the real nakama-js too.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startFakeGameCenter, FAKE_GAMECENTER_BUNDLE_ID, type FakeGameCenter } from "../support/fake-gamecenter.js";
import { claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { assertError, ok } from "../support/expect.js";
import { TestClock } from "../support/test-clock.js";
import { nakamaClient } from "../support/nakama-client.js";
import { ConfigError } from "../../src/config/config.js";

const AUTH = "/v2/account/authenticate/gamecenter";
const REFUSED = "Could not authenticate GameCenter profile.";
let n = 0;
const playerId = () => `T:_gc-player-${process.pid}-${++n}`;

let gc: FakeGameCenter;
let t: TestServer;
const clock = new TestClock();
before(async () => {
  gc = await startFakeGameCenter();
  t = await startTestServer(gc.settings(), undefined, { clock });
});
after(async () => {
  await t.close();
  await gc.close();
});

describe("Game Center sign-in", () => {
  it("a valid signature creates the account, signs in to it again and shows user.gamecenter_id", async () => {
    const id = playerId();
    const first = ok(await t.api.withKey(AUTH, gc.credentialFor(id)));
    assert.equal(first.created, true);
    const again = ok(await t.api.withKey(`${AUTH}?create=false`, gc.credentialFor(id)));
    assert.equal(claimsOf(again.token)["uid"], claimsOf(first.token)["uid"]);
    const account = ok(await t.api.withToken("GET", "/v2/account", first.token));
    assert.equal(account.user.gamecenter_id, id);
  });

  it("missing fields are 400 with Nakama's messages, in Nakama's order", async () => {
    assertError(await t.api.withKey(AUTH, {}), 400, "GameCenter access credentials are required.");
    const full = gc.credentialFor(playerId());
    const cases: [string, string][] = [
      ["bundle_id", "GameCenter bundle ID is required."],
      ["player_id", "GameCenter player ID is required."],
      ["public_key_url", "GameCenter public key URL is required."],
      ["salt", "GameCenter salt is required."],
      ["signature", "GameCenter signature is required."],
      ["timestamp_seconds", "GameCenter timestamp is required."],
    ];
    for (const [field, message] of cases) assertError(await t.api.withKey(AUTH, { ...full, [field]: "" }), 400, message);
    assertError(await t.api.withKey(AUTH, { ...full, timestamp_seconds: "0" }), 400, "GameCenter timestamp is required.");
    assertError(await t.api.withKey(AUTH, { ...full, timestamp_seconds: "12a" }), 400, /GameCenter timestamp invalid/);
    assertError(await t.api.withKey(AUTH, { ...full, timestamp_seconds: "99999999999999999999" }), 400, /GameCenter timestamp invalid/);
  });

  it("a tampered signature, another player id or another salt is refused with 401", async () => {
    const good = gc.credentialFor(playerId());
    const sig = Buffer.from(good.signature!, "base64");
    sig[10]! ^= 1;
    assertError(await t.api.withKey(AUTH, { ...good, signature: sig.toString("base64") }), 401, REFUSED);
    assertError(await t.api.withKey(AUTH, { ...good, player_id: playerId() }), 401, REFUSED);
    assertError(await t.api.withKey(AUTH, { ...good, salt: Buffer.from("other salt").toString("base64") }), 401, REFUSED);
    assertError(await t.api.withKey(AUTH, { ...good, salt: "not base64!" }), 401, REFUSED);
  });

  it("a bundle id that is not configured is refused, even correctly signed", async () => {
    assertError(await t.api.withKey(AUTH, gc.credentialFor(playerId(), { bundleId: "com.evil.game" })), 401, REFUSED);
  });

  it("a timestamp older than social.gamecenter.max_age_sec, or in the future, is refused", async () => {
    const old = Date.now() - 600_000 - 61_000;
    assertError(await t.api.withKey(AUTH, gc.credentialFor(playerId(), { timestampMs: old })), 401, REFUSED);
    assertError(await t.api.withKey(AUTH, gc.credentialFor(playerId(), { timestampMs: Date.now() + 120_000 })), 401, REFUSED);
    // Within the leeway either side it is fine; a timestamp in seconds is read as seconds.
    ok(await t.api.withKey(AUTH, gc.credentialFor(playerId(), { timestampMs: Date.now() + 30_000 })));
    const inSeconds = gc.credentialFor(playerId(), { timestampMs: Math.floor(Date.now() / 1000) });
    ok(await t.api.withKey(AUTH, inSeconds));
  });

  it("a key URL the pattern does not allow is refused without being fetched", async () => {
    for (const url of ["https://evil.example/gc.cer", "http://127.0.0.2/gc.cer", "file:///etc/passwd"]) {
      assertError(await t.api.withKey(AUTH, gc.credentialFor(playerId(), { fields: { public_key_url: url } })), 401, REFUSED);
    }
  });

  it("a certificate that is not issued by a trust root, or a URL that serves no certificate, is refused", async () => {
    assertError(await t.api.withKey(AUTH, gc.credentialFor(playerId(), { signer: "rogue" })), 401, REFUSED);
    assertError(await t.api.withKey(AUTH, gc.credentialFor(playerId(), { fields: { public_key_url: gc.notACertificateUrl } })), 401, REFUSED);
    assertError(
      await t.api.withKey(AUTH, gc.credentialFor(playerId(), { fields: { public_key_url: gc.keyUrl.replace(".cer", "-missing.cer") } })),
      401,
      REFUSED,
    );
  });

  it("the certificate is fetched once and then kept", async () => {
    ok(await t.api.withKey(AUTH, gc.credentialFor(playerId())));
    const fetched = gc.fetches();
    ok(await t.api.withKey(AUTH, gc.credentialFor(playerId())));
    ok(await t.api.withKey(AUTH, gc.credentialFor(playerId())));
    assert.equal(gc.fetches(), fetched);
  });
});

describe("Game Center when the certificate server cannot be asked", () => {
  let gc2: FakeGameCenter;
  let t2: TestServer;
  before(async () => {
    gc2 = await startFakeGameCenter();
    t2 = await startTestServer(gc2.settings());
  });
  after(async () => {
    await t2.close();
    await gc2.close();
  });

  for (const mode of ["503", "hang"] as const) {
    it(`answers 503 with Retry-After (server ${mode === "503" ? "answering 503" : "not answering"}), never 401`, async () => {
      gc2.setMode(mode);
      try {
        // A URL not cached yet, so the certificate must be fetched.
        const res = await t2.api.withKey(AUTH, gc2.credentialFor(playerId(), { fields: { public_key_url: `${gc2.keyUrl}?outage=${mode}` } }));
        assertError(res, 503, /^Game Center is unavailable \(/, 14);
        assert.equal(res.headers.get("retry-after"), "5");
      } finally {
        gc2.setMode("up");
      }
      ok(await t2.api.withKey(AUTH, gc2.credentialFor(playerId())));
    });
  }
});

describe("Game Center certificate validity", () => {
  it("a leaf certificate past its validity is refused", async () => {
    const later = new TestClock();
    const g = await startFakeGameCenter();
    const s = await startTestServer(g.settings(), undefined, { clock: later });
    try {
      // The leaf is valid for one day; two days on, a fresh signature with it is refused.
      later.advance(2 * 24 * 3_600_000);
      assertError(await s.api.withKey(AUTH, g.credentialFor(playerId(), { timestampMs: later.now() })), 401, REFUSED);
    } finally {
      await s.close();
      await g.close();
    }
  });
});

describe("Game Center configuration", () => {
  it("is not configured without social.gamecenter.bundle_ids: 400", async () => {
    const s = await startTestServer();
    try {
      assertError(await s.api.withKey(AUTH, gc.credentialFor(playerId())), 400, "GameCenter authentication is not configured.", 9);
    } finally {
      await s.close();
    }
  });

  it("bundle ids without trust roots, or a trust root file that is missing or holds no certificate, stop start-up naming the setting", async () => {
    await assert.rejects(startTestServer({ "social.gamecenter.bundle_ids": FAKE_GAMECENTER_BUNDLE_ID }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.setting, "social.gamecenter.trust_roots");
      return true;
    });
    for (const file of ["/nonexistent/roots.pem", "/etc/hostname"]) {
      await assert.rejects(startTestServer({ ...gc.settings(), "social.gamecenter.trust_roots": file }), (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.setting, "social.gamecenter.trust_roots");
        return true;
      });
    }
  });

  it("a trust root that did not issue the certificate refuses every signature", async () => {
    const s = await startTestServer({ ...gc.settings(), "social.gamecenter.trust_roots": gc.rogueRootFile });
    try {
      assertError(await s.api.withKey(AUTH, gc.credentialFor(playerId())), 401, REFUSED);
    } finally {
      await s.close();
    }
  });
});

describe("Game Center link and unlink", () => {
  it("links to an anonymous account, signs in to it, and unlinks: checked with all six fields, by the account's without", async () => {
    const anon = ok(await t.api.withKey("/v2/account/authenticate/anonymous", {}));
    const id = playerId();
    ok(await t.api.withToken("POST", "/v2/account/link/gamecenter", anon.token, gc.credentialFor(id)));
    const s = ok(await t.api.withKey(`${AUTH}?create=false`, gc.credentialFor(id)));
    assert.equal(claimsOf(s.token)["uid"], claimsOf(anon.token)["uid"]);
    // Nakama's link has no "access credentials" message: an empty body names the bundle id first.
    assertError(await t.api.withToken("POST", "/v2/account/link/gamecenter", anon.token, {}), 400, "GameCenter bundle ID is required.");
    ok(await t.api.withToken("POST", "/v2/account/link/device", anon.token, { id: `gc-spare-device-${id}` }));
    // Another player's signature does not unlink this one.
    assertError(
      await t.api.withToken("POST", "/v2/account/unlink/gamecenter", anon.token, gc.credentialFor(playerId())),
      404,
      "GameCenter ID is not linked to this account.",
    );
    const tampered = { ...gc.credentialFor(id), salt: Buffer.from("x").toString("base64") };
    assertError(await t.api.withToken("POST", "/v2/account/unlink/gamecenter", anon.token, tampered), 401, REFUSED);
    ok(await t.api.withToken("POST", "/v2/account/unlink/gamecenter", anon.token, {}));
    assertError(await t.api.withKey(`${AUTH}?create=false`, gc.credentialFor(id)), 404, "User account not found.");
  });
});

describe("Game Center through nakama-js", () => {
  it("authenticateGameCenter, linkGameCenter and unlinkGameCenter work unchanged; a tampered signature is refused", async () => {
    const client = nakamaClient(t);
    const c = gc.credentialFor(playerId());
    // nakama-js 2.8's order: bundleId, playerId, publicKeyUrl, salt, signature, timestamp, username, create.
    const session = await client.authenticateGameCenter(
      c.bundle_id!,
      c.player_id!,
      c.public_key_url!,
      c.salt!,
      c.signature!,
      c.timestamp_seconds!,
      undefined,
      true,
    );
    assert.equal(session.created, true);
    const account = await client.getAccount(session);
    assert.equal(account.user?.gamecenter_id, c.player_id);

    const other = await client.authenticateDevice(`gc-nakama-device-${process.pid}-${n}`, true);
    const linked = gc.credentialFor(playerId());
    assert.equal(await client.linkGameCenter(other, linked), true);
    assert.equal((await client.getAccount(other)).user?.gamecenter_id, linked.player_id);
    assert.equal(await client.unlinkGameCenter(other, {}), true);
    assert.equal((await client.getAccount(other)).user?.gamecenter_id, undefined);

    const bad = gc.credentialFor(playerId());
    await assert.rejects(
      client.authenticateGameCenter(bad.bundle_id!, bad.player_id!, bad.public_key_url!, bad.salt!, c.signature!, bad.timestamp_seconds!),
      (res: Response) => res.status === 401,
    );
  });
});
