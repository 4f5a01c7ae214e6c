/**
 * `Session` and `decodeClaims`: claims decoded as base64url + UTF-8 (tokens of a real server, and
 * tokens whose payload is raw UTF-8 as Nakama itself writes them), expiry checks at their exact
 * boundaries, `restore`, `lifetimeSec`, and clear errors for malformed tokens.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Client, decodeClaims, Session } from "../../src/index.js";
import { customId, deviceId, plainClient, startTestServer, type TestServer } from "../support/helpers.js";

const TOKEN_EXPIRY_SEC = 77;
const REFRESH_EXPIRY_SEC = 1234;

let t: TestServer;
let client: Client;

before(async () => {
  t = await startTestServer({ "session.token_expiry_sec": TOKEN_EXPIRY_SEC, "session.refresh_token_expiry_sec": REFRESH_EXPIRY_SEC });
  client = plainClient(t.url);
});
after(() => t.close());

const NAMES = ["zoë", "名前", "a?b", "x~~~y", "🎮🐉", "Ünïcödé ñame", "q>?~>", "💜~?>名"];
const VARS: Record<string, string> = {
  città: "Zürich ☕",
  名前: "値",
  "q?": "a?b",
  "t~": "x~~~y",
  gt: "<>&\"'\\/",
  emoji: "🎮🐉👍🏽",
  empty: "",
};

const b64url = (s: string | Buffer): string => Buffer.from(s).toString("base64url");

/** A token whose payload is raw UTF-8 JSON (Nakama writes non-ASCII unescaped); not signed. */
function rawToken(claims: Record<string, unknown>): string {
  return `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}.c2ln`;
}

describe("Session decodes what the server wrote", { concurrency: true }, () => {
  for (const name of NAMES) {
    it(`username ${JSON.stringify(name)} and vars come back exactly`, async () => {
      const s = await client.authenticateCustom(customId(), { username: name, vars: VARS });
      assert.equal(s.username, name);
      assert.deepEqual({ ...s.vars }, VARS);
      assert.equal(decodeClaims(s.token).usn, name);
      assert.equal(decodeClaims(s.refreshToken).usn, name);
      assert.deepEqual(decodeClaims(s.refreshToken).vrs, VARS);
      // The server agrees on who this is.
      assert.equal((await client.getAccount(s)).user.username, name);

      // And after a refresh (which re-reads the username) too.
      const r = await client.refreshSession(s);
      assert.equal(r.username, name);
      assert.deepEqual({ ...r.vars }, VARS);
    });
  }

  it("a rename to such a name shows in the refreshed token; new vars with such characters too", async () => {
    const s = await client.authenticateDevice(deviceId());
    await client.updateAccount(s, { username: "zoë~名前?" });
    const r = await client.refreshSession(s, { "ключ?": "значение~>" });
    assert.equal(r.username, "zoë~名前?");
    assert.deepEqual({ ...r.vars }, { "ключ?": "значение~>" });
  });

  it("reads session id, user id and times from the claims", async () => {
    const before = Math.floor(Date.now() / 1000);
    const s = await client.authenticateDevice(deviceId());
    const after = Math.ceil(Date.now() / 1000);
    const claims = decodeClaims(s.token);
    assert.equal(s.sessionId, claims.tid);
    assert.equal(s.userId, claims.uid);
    assert.equal(s.expiresAt, claims.exp);
    assert.equal(s.issuedAt, claims.iat);
    assert.equal(s.refreshExpiresAt, decodeClaims(s.refreshToken).exp);
    assert.ok(s.issuedAt >= before - 1 && s.issuedAt <= after, "issued now (same host clock)");
    assert.equal(s.lifetimeSec, TOKEN_EXPIRY_SEC);
    assert.equal(s.refreshExpiresAt - s.issuedAt, REFRESH_EXPIRY_SEC);
    assert.equal(s.created, true);
  });
});

describe("decodeClaims with raw UTF-8 payloads", () => {
  it("decodes every name and var, whatever the base64url padding and alphabet", () => {
    let sawDash = false;
    let sawUnderscore = false;
    const pads = new Set<number>();
    // Padding widths 0, 1 and 2 and the base64url-only characters '-' and '_' must all show up.
    for (const name of [...NAMES, "??>", "~~~", "a", "ab", "abc", "ÿÿÿ", "???"]) {
      const claims = { tid: "t-1", uid: "u-1", usn: name, vrs: VARS, exp: 2_000_000_000, iat: 1_999_999_000 };
      const token = rawToken(claims);
      const payload = token.split(".")[1]!;
      sawDash ||= payload.includes("-");
      sawUnderscore ||= payload.includes("_");
      pads.add(payload.length % 4);
      assert.deepEqual(decodeClaims(token), claims);
      const s = new Session(token, rawToken({ ...claims, exp: 2_100_000_000 }));
      assert.equal(s.username, name);
      assert.deepEqual({ ...s.vars }, VARS);
    }
    assert.ok(sawDash && sawUnderscore, "the payloads exercised '-' and '_'");
    assert.deepEqual([...pads].sort(), [0, 2, 3]);
  });

  it("fills absent optional claims", () => {
    const c = decodeClaims(rawToken({ uid: "u", exp: 10, iat: 5 }));
    assert.deepEqual(c, { tid: "", uid: "u", usn: "", vrs: {}, exp: 10, iat: 5 });
  });
});

describe("Session times", () => {
  const claims = { tid: "t", uid: "u", usn: "n", exp: 1_700_000_100, iat: 1_700_000_000 };
  const s = new Session(rawToken(claims), rawToken({ ...claims, exp: 1_700_009_000 }), true);

  it("isExpired at its boundary: expired at exp, not a millisecond before", () => {
    assert.equal(s.isExpired(claims.iat), false);
    assert.equal(s.isExpired(claims.exp - 1), false);
    assert.equal(s.isExpired(claims.exp - 0.001), false);
    assert.equal(s.isExpired(claims.exp), true);
    assert.equal(s.isExpired(claims.exp + 0.001), true);
    assert.equal(s.isExpired(claims.exp + 3600), true);
  });

  it("isRefreshExpired at its boundary, independent of the access token", () => {
    assert.equal(s.isRefreshExpired(claims.exp), false, "the access token is expired, the refresh token is not");
    assert.equal(s.isRefreshExpired(1_700_009_000 - 0.001), false);
    assert.equal(s.isRefreshExpired(1_700_009_000), true);
    assert.equal(s.isRefreshExpired(1_700_009_001), true);
  });

  it("lifetimeSec is exp - iat of the access token", () => {
    assert.equal(s.lifetimeSec, 100);
    assert.equal(s.created, true);
  });

  it("a real session is neither expired nor refresh-expired now, and both are later", async () => {
    const real = await client.authenticateDevice(deviceId());
    const now = Date.now() / 1000;
    assert.equal(real.isExpired(now), false);
    assert.equal(real.isRefreshExpired(now), false);
    assert.equal(real.isExpired(real.expiresAt), true);
    assert.equal(real.isExpired(now + TOKEN_EXPIRY_SEC + 2), true);
    assert.equal(real.isRefreshExpired(now + TOKEN_EXPIRY_SEC + 2), false);
    assert.equal(real.isRefreshExpired(now + REFRESH_EXPIRY_SEC + 2), true);
  });
});

describe("Session.restore", () => {
  it("rebuilds an equal session (created false) that the server accepts", async () => {
    const s = await client.authenticateCustom(customId(), { username: "restoré-" + Date.now(), vars: { k: "ü" } });
    assert.equal(s.created, true);
    const r = Session.restore(s.token, s.refreshToken);
    assert.ok(r instanceof Session);
    assert.deepEqual({ ...r, created: true }, { ...s });
    assert.equal(r.created, false);
    assert.equal((await client.getAccount(r)).user.id, s.userId);
    assert.equal((await client.refreshSession(r)).userId, s.userId);
  });

  it("throws on malformed stored tokens", () => {
    const good = rawToken({ uid: "u", exp: 10, iat: 5 });
    assert.throws(() => Session.restore("garbage", good), /Malformed token/);
    assert.throws(() => Session.restore(good, "garbage"), /Malformed token/);
  });
});

describe("malformed tokens throw clear errors", () => {
  const head = b64url('{"alg":"HS256"}');
  const cases: [string, string, RegExp][] = [
    ["empty", "", /three dot-separated parts/],
    ["one part", "abc", /three dot-separated parts/],
    ["two parts", "a.b", /three dot-separated parts/],
    ["four parts", "a.b.c.d", /three dot-separated parts/],
    ["empty payload", "a..c", /three dot-separated parts/],
    ["not base64url", `${head}.!!!*.s`, /not base64url-encoded UTF-8 JSON/],
    ["impossible base64 length", `${head}.abcde.s`, /not base64url-encoded UTF-8 JSON/],
    ["not JSON", `${head}.${b64url("hello")}.s`, /not base64url-encoded UTF-8 JSON/],
    ["invalid UTF-8", `${head}.${b64url(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]))}.s`, /not base64url-encoded UTF-8 JSON/],
    ["JSON null", `${head}.${b64url("null")}.s`, /missing uid, exp or iat/],
    ["JSON array", `${head}.${b64url("[1,2]")}.s`, /missing uid, exp or iat/],
    ["JSON string", `${head}.${b64url('"x"')}.s`, /missing uid, exp or iat/],
    ["no uid", `${head}.${b64url('{"exp":1,"iat":0}')}.s`, /missing uid, exp or iat/],
    ["numeric uid", `${head}.${b64url('{"uid":1,"exp":1,"iat":0}')}.s`, /missing uid, exp or iat/],
    ["string exp", `${head}.${b64url('{"uid":"u","exp":"1","iat":0}')}.s`, /missing uid, exp or iat/],
    ["no iat", `${head}.${b64url('{"uid":"u","exp":1}')}.s`, /missing uid, exp or iat/],
  ];
  for (const [name, token, message] of cases) {
    it(name, () => {
      assert.throws(
        () => decodeClaims(token),
        (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.match(err.message, /^Malformed token: /);
          assert.match(err.message, message);
          return true;
        },
      );
      assert.throws(() => new Session(token, token), /^Error: Malformed token: /);
    });
  }
});
