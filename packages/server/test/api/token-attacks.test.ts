/**
 * Token attacks over HTTP and the socket (docs/security.md, "Token attacks"). Every route that
 * takes a token is found from `apiRoutes()`, so a new bearer or validator route is attacked
 * without editing this file. Each forged, stale or foreign token must be refused with 401 (403
 * only for a banned account's refresh), in Nakama's error shape, and never with a 5xx. Tickets are
 * attacked byte by byte at BeginAuthSession and at the Steam-shaped endpoint.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID, sign as edSign, type KeyObject } from "node:crypto";
import { WebSocket } from "ws";
import { banAccount } from "../../src/account/ban.js";
import { apiRoutes } from "../../src/app.js";
import type { Route } from "../../src/http/route.js";
import { signHs256 } from "../../src/session/jwt.js";
import { encodeTicketBody, parseTicket, type ParsedTicket } from "../../src/tickets/ticket-format.js";
import { type Api, claimsOf, SERVER_KEY, startTestServer, tempDir, type ApiResponse, type TestServer } from "../support/harness.js";
import { assertError, assertUnauthorized, deviceId, ok } from "../support/expect.js";

const GS_SECRET = "token-attack-game-server-secret-0001";
const GAME_SERVERS = JSON.stringify([{ identity: "eu-west-1", secret: GS_SECRET }]);
const APP_ID = 480;
const SETTINGS = { "tickets.game_servers": GAME_SERVERS, "tickets.app_id": APP_ID };

const b64 = (value: unknown): string => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const hmac = (alg: "sha256" | "sha512", input: string, key: Buffer | string): string => createHmac(alg, key).update(input).digest("base64url");

/** A compact JWS with any header and payload, HMAC-signed with `key`. */
function forgeHs(header: unknown, payload: unknown, key: Buffer | string, alg: "sha256" | "sha512" = "sha256"): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${hmac(alg, input, key)}`;
}

/** A compact JWS with any header and payload, Ed25519-signed with `key`. */
function forgeEd(header: unknown, payload: unknown, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${edSign(null, Buffer.from(input), key).toString("base64url")}`;
}

const HS256 = { alg: "HS256", typ: "JWT" };

interface Attack {
  name: string;
  token: string;
}

interface Player {
  token: string;
  refresh: string;
  uid: string;
  tid: string;
}

/** A concrete request for a route: `{param}`s filled with a well-formed UUID, a JSON body where one is read. */
function requestOf(r: Route): { method: string; path: string } {
  return { method: r.method, path: r.path.replace(/\{\w+\}/g, randomUUID()) };
}

const tokenRoutes = apiRoutes().filter((r) => r.auth === "bearer" || r.auth === "validator");
const serverKeyRoutes = apiRoutes().filter((r) => r.auth === "server_key");

/** Opens `/ws` and resolves with the HTTP status of a refused upgrade, or 101 when it opens. */
function upgradeStatus(url: string, token: string, via: "query" | "header"): Promise<number> {
  const wsUrl = url.replace(/^http/, "ws") + "/ws" + (via === "query" ? `?token=${encodeURIComponent(token)}` : "");
  const ws = new WebSocket(wsUrl, via === "header" ? { headers: { Authorization: `Bearer ${token}` } } : {});
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once("error", (err) => reject(err));
  });
}

/** What went wrong with one answer, or undefined when it is the expected 401 "Auth token invalid". */
function notInvalidToken(res: ApiResponse, message = "Auth token invalid"): string | undefined {
  const challenge = res.headers.get("www-authenticate") ?? "";
  const body = res.body as { code?: unknown; message?: unknown } | undefined;
  const shapeOk = body !== undefined && typeof body === "object" && Object.keys(body).sort().join() === "code,message";
  if (res.status === 401 && shapeOk && body.code === 16 && body.message === message && /^Bearer\b/.test(challenge)) return undefined;
  return `${res.status} ${JSON.stringify(res.body)} challenge=${JSON.stringify(challenge)}`;
}

describe("token attacks", () => {
  let t: TestServer;
  let other: TestServer;
  let api: Api;
  let victim: Player;
  let bystander: Player;
  let gsToken: string;
  let attacks: Attack[];

  async function player(on: Api = api): Promise<Player> {
    const s = await on.device(deviceId());
    const c = claimsOf(s.token);
    return { token: s.token, refresh: s.refresh_token, uid: c["uid"], tid: c["tid"] };
  }

  /** `token` answers 401 Auth token invalid on every bearer and validator route. */
  async function assertRefusedOnEveryRoute(token: string): Promise<void> {
    for (const r of tokenRoutes) {
      const { method, path } = requestOf(r);
      assert.equal(notInvalidToken(await api.call(method, path, { bearer: token, body: method === "GET" ? undefined : {} })), undefined, `${method} ${r.path}`);
    }
  }

  before(async () => {
    t = await startTestServer(SETTINGS);
    other = await startTestServer(SETTINGS);
    api = t.api;
    victim = await player();
    bystander = await player();
    gsToken = ok(await api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: GS_SECRET })).token;

    const keys = t.server.core.keys;
    const nowSec = Math.floor(Date.now() / 1000);
    const [h, p, s] = victim.token.split(".") as [string, string, string];
    const claims = claimsOf(victim.token);
    const jwks = ok(await api.call("GET", "/.well-known/jwks.json")) as { keys: { kid: string; x: string }[] };
    const ticketJwk = jwks.keys[0]!;
    const ticketPublic = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: ticketJwk.x }, format: "jwk" });
    const ticketPem = ticketPublic.export({ type: "spki", format: "pem" }) as string;
    const attackerEd = generateKeyPairSync("ed25519").privateKey;
    const flip = (c: string): string => (c === "A" ? "B" : "A");

    attacks = [
      // RFC 8725 §2.1, §3.1: only HS256 is accepted, and only with Tessera's own keys.
      { name: "alg none, empty signature", token: `${b64({ alg: "none", typ: "JWT" })}.${p}.` },
      { name: "alg none, original signature", token: `${b64({ alg: "none", typ: "JWT" })}.${p}.${s}` },
      { name: "alg none, two parts", token: `${b64({ alg: "none" })}.${p}` },
      { name: "alg NONE signed with the access key", token: forgeHs({ alg: "NONE", typ: "JWT" }, claims, keys.access) },
      { name: "HS512 with the real access key", token: forgeHs({ alg: "HS512", typ: "JWT" }, claims, keys.access, "sha512") },
      { name: "HS256 keyed with the ticket public key's raw bytes (alg confusion)", token: forgeHs(HS256, claims, Buffer.from(ticketJwk.x, "base64url")) },
      { name: "HS256 keyed with the ticket public key's JWK x", token: forgeHs(HS256, claims, ticketJwk.x) },
      { name: "HS256 keyed with the ticket public key's JWK JSON", token: forgeHs(HS256, claims, JSON.stringify(ticketJwk)) },
      { name: "HS256 keyed with the ticket public key's PEM", token: forgeHs(HS256, claims, ticketPem) },
      { name: "EdDSA signed with an attacker's key", token: forgeEd({ alg: "EdDSA", typ: "JWT" }, claims, attackerEd) },
      {
        name: "EdDSA naming the ticket key's kid, signed with an attacker's key",
        token: forgeEd({ alg: "EdDSA", typ: "JWT", kid: ticketJwk.kid }, claims, attackerEd),
      },
      { name: "EdDSA header over an HMAC with the real access key", token: forgeHs({ alg: "EdDSA", typ: "JWT" }, claims, keys.access) },
      { name: "HS256 header over an Ed25519 signature", token: `${h}.${p}.${edSign(null, Buffer.from(`${h}.${p}`), attackerEd).toString("base64url")}` },
      { name: "unknown kid, signed with the real access key", token: forgeHs({ ...HS256, kid: "2024-key-7" }, claims, keys.access) },
      { name: "injected kid pointing at /dev/null, signed with an empty key", token: forgeHs({ ...HS256, kid: "../../../../../dev/null" }, claims, "") },
      {
        name: "injected kid naming the ticket key, keyed with its public key",
        token: forgeHs({ ...HS256, kid: ticketJwk.kid }, claims, Buffer.from(ticketJwk.x, "base64url")),
      },
      { name: "jku pointing at an attacker's JWKS", token: forgeHs({ ...HS256, jku: "https://attacker.example/jwks.json" }, claims, "attacker") },
      { name: "embedded jwk with the attacker's own key", token: forgeHs({ ...HS256, jwk: { kty: "oct", k: b64("attacker") } }, claims, "attacker") },
      // Claims: exp required and enforced without leeway (Nakama's rule).
      { name: "expired, signed with the real access key", token: signHs256({ ...claims, exp: nowSec - 1, iat: nowSec - 3600 }, keys.access) },
      {
        name: "missing exp, signed with the real access key",
        token: signHs256({ tid: claims["tid"], uid: claims["uid"], usn: claims["usn"], iat: nowSec }, keys.access),
      },
      { name: "exp as a string, signed with the real access key", token: signHs256({ ...claims, exp: String(nowSec + 3600) }, keys.access) },
      { name: "unknown session id, signed with the real access key", token: signHs256({ ...claims, tid: randomUUID() }, keys.access) },
      { name: "the victim's session id with another user's uid, real key", token: signHs256({ ...claims, uid: bystander.uid }, keys.access) },
      // Tampering and truncation.
      { name: "payload tampered: uid of another user", token: `${h}.${b64({ ...claims, uid: bystander.uid })}.${s}` },
      { name: "payload tampered: username changed", token: `${h}.${b64({ ...claims, usn: "admin" })}.${s}` },
      { name: "payload tampered: exp extended", token: `${h}.${b64({ ...claims, exp: claims["exp"] + 86400 })}.${s}` },
      { name: "signature tampered: first character", token: `${h}.${p}.${flip(s[0]!)}${s.slice(1)}` },
      { name: "signature tampered: middle character", token: `${h}.${p}.${s.slice(0, 20)}${flip(s[20]!)}${s.slice(21)}` },
      { name: "signature of another token", token: `${h}.${p}.${bystander.token.split(".")[2]}` },
      { name: "truncated by one character", token: victim.token.slice(0, -1) },
      { name: "truncated to header and payload", token: `${h}.${p}` },
      { name: "truncated to half", token: victim.token.slice(0, victim.token.length >> 1) },
      { name: "signature padded with =", token: `${victim.token}=` },
      { name: "an extra part", token: `${victim.token}.${s}` },
      { name: "garbage: x", token: "x" },
      { name: "garbage: a.b.c", token: "a.b.c" },
      { name: "garbage: ..", token: ".." },
      { name: "garbage: 9000 characters", token: "A".repeat(9000) },
      { name: "garbage: percent-escapes", token: "%00%ff%2e%2e" },
      { name: "garbage: JSON instead of a JWT", token: '{"alg":"none"}' },
      // Kinds never stand in for each other (RFC 8725 §3.12, separate keys and claims).
      { name: "a refresh token used as an access token", token: victim.refresh },
      { name: "access claims signed with the refresh key", token: signHs256(claims, keys.refresh) },
      { name: "player claims signed with the game-server key", token: signHs256(claims, t.server.core.tickets.gameServerKey) },
      { name: "a valid token of another deployment", token: (await player(other.api)).token },
    ];
  });

  after(async () => {
    await t.close();
    await other.close();
  });

  it("covers every bearer and validator route the server declares", () => {
    assert.ok(tokenRoutes.length >= 20, `found ${tokenRoutes.length} token routes`);
    assert.ok(tokenRoutes.some((r) => r.auth === "validator"));
  });

  it("every bearer and validator route refuses each forged, stale or foreign token with 401 Auth token invalid", async () => {
    const failures: string[] = [];
    for (const r of tokenRoutes) {
      const { method, path } = requestOf(r);
      for (const attack of attacks) {
        const res = await api.call(method, path, { bearer: attack.token, body: method === "GET" ? undefined : {} });
        const wrong = notInvalidToken(res);
        if (wrong) failures.push(`${method} ${r.path} — ${attack.name}: ${wrong}`);
      }
    }
    assert.deepEqual(failures, []);
    // No forgery reached a handler: the victim was not logged out or deleted along the way.
    assert.equal(ok(await api.withToken("GET", "/v2/account", victim.token)).user.id, victim.uid);
  });

  it("a valid token passes the same check on every route (the control: the forgery is what is refused)", async () => {
    const refused: string[] = [];
    for (const r of tokenRoutes) {
      const fresh = await player();
      const { method, path } = requestOf(r);
      const res = await api.call(method, path, { bearer: fresh.token, body: method === "GET" ? undefined : {} });
      if (res.status === 401 || res.status >= 500) refused.push(`${method} ${r.path}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual(refused, []);
  });

  it("a missing token is 401 Auth token required; a malformed Authorization header is 401 Auth token invalid", async () => {
    for (const r of tokenRoutes) {
      const { method, path } = requestOf(r);
      assertUnauthorized(await api.call(method, path), "Auth token required", "Bearer");
      for (const header of ["Basic " + Buffer.from(SERVER_KEY + ":").toString("base64"), "Bearer", "Bearer a b", "Token " + victim.token, victim.token]) {
        const res = await api.call(method, path, { headers: { Authorization: header } });
        assert.equal(notInvalidToken(res), undefined, `${method} ${r.path} with Authorization: ${header.slice(0, 20)}`);
      }
    }
  });

  it("game-server tokens pass only where a validator is asked for, never as a player's token", async () => {
    const failures: string[] = [];
    for (const r of tokenRoutes) {
      const { method, path } = requestOf(r);
      const res = await api.call(method, path, { bearer: gsToken, body: method === "GET" ? undefined : {} });
      if (r.auth === "bearer" && notInvalidToken(res)) failures.push(`${method} ${r.path}: ${notInvalidToken(res)}`);
      if (r.auth === "validator" && (res.status === 401 || res.status >= 500)) failures.push(`${method} ${r.path} refused a game server: ${res.status}`);
    }
    assert.deepEqual(failures, []);
    // A game server's claims signed with the player key are not a game server (nor a player).
    const gsClaims = claimsOf(gsToken);
    const forged = signHs256(gsClaims, t.server.core.keys.access);
    assert.equal(notInvalidToken(await api.withToken("GET", "/v2/tickets/auth-sessions", forged)), undefined);
    assert.equal(notInvalidToken(await api.withToken("GET", "/v2/account", forged)), undefined);
    // Nor does a game-server token refresh anything.
    assertUnauthorized(await api.withKey("/v2/account/session/refresh", { token: gsToken }), "Refresh token invalid or expired.", "Basic");
  });

  it("the refresh endpoint refuses each forged token and every access token with 401 Refresh token invalid or expired.", async () => {
    const keys = t.server.core.keys;
    const claims = claimsOf(victim.refresh);
    const [h, p, s] = victim.refresh.split(".") as [string, string, string];
    const refreshAttacks: Attack[] = [
      ...attacks.filter((a) => a.name !== "a refresh token used as an access token"),
      { name: "an access token used as a refresh token", token: victim.token },
      { name: "refresh claims signed with the access key", token: signHs256(claims, keys.access) },
      { name: "refresh payload tampered: rgn moved on", token: `${h}.${b64({ ...claims, rgn: claims["rgn"] + 1 })}.${s}` },
      { name: "refresh signature tampered", token: `${h}.${p}.${s[0] === "A" ? "B" : "A"}${s.slice(1)}` },
      { name: "expired refresh token, real key", token: signHs256({ ...claims, exp: Math.floor(Date.now() / 1000) - 1 }, keys.refresh) },
      { name: "refresh token with a negative rgn, real key", token: signHs256({ ...claims, rgn: -1 }, keys.refresh) },
      { name: "refresh token of another deployment", token: (await player(other.api)).refresh },
    ];
    for (const attack of refreshAttacks) {
      const res = await api.withKey("/v2/account/session/refresh", { token: attack.token });
      assertUnauthorized(res, "Refresh token invalid or expired.", "Basic");
    }
    // Nothing above revoked the victim's session: its real refresh token still rotates.
    ok(await api.withKey("/v2/account/session/refresh", { token: victim.refresh }));
  });

  it("the socket refuses each of them at upgrade with 401, in the query and in the header", async () => {
    const statuses: string[] = [];
    for (const attack of attacks) {
      for (const via of ["query", "header"] as const) {
        if (via === "header" && !/^[\x21-\x7e]+$/.test(attack.token)) continue;
        const status = await upgradeStatus(t.url, attack.token, via);
        if (status !== 401) statuses.push(`${attack.name} (${via}): ${status}`);
      }
    }
    assert.deepEqual(statuses, []);
    // Control: a player's token and a game server's token open it.
    assert.equal(await upgradeStatus(t.url, (await player()).token, "query"), 101);
    assert.equal(await upgradeStatus(t.url, gsToken, "header"), 101);
  });

  it("a banned account's tokens: 401 on every token route and the socket, 403 on refresh and sign-in", async () => {
    const device = deviceId();
    const s = ok(await api.withKey("/v2/account/authenticate/device", { id: device }));
    const uid = claimsOf(s.token)["uid"];
    await banAccount(t.server.core, uid);
    await assertRefusedOnEveryRoute(s.token);
    assert.equal(await upgradeStatus(t.url, s.token, "query"), 401);
    assertError(await api.withKey("/v2/account/session/refresh", { token: s.refresh_token }), 403, "User account banned.");
    assertError(await api.withKey("/v2/account/authenticate/device", { id: device }), 403, "User account banned.");
  });

  it("a deleted account's tokens: 401 on every token route, the socket and refresh", async () => {
    const s = await player();
    ok(await api.withToken("DELETE", "/v2/account", s.token));
    await assertRefusedOnEveryRoute(s.token);
    assert.equal(await upgradeStatus(t.url, s.token, "query"), 401);
    assertUnauthorized(await api.withKey("/v2/account/session/refresh", { token: s.refresh }), "Refresh token invalid or expired.", "Basic");
  });

  it("after logout: the access token is 401 everywhere, the refresh token 401, the socket 401", async () => {
    const s = await player();
    ok(await api.withToken("POST", "/v2/session/logout", s.token, { token: s.token, refresh_token: s.refresh }));
    await assertRefusedOnEveryRoute(s.token);
    assert.equal(await upgradeStatus(t.url, s.token, "header"), 401);
    assertUnauthorized(await api.withKey("/v2/account/session/refresh", { token: s.refresh }), "Refresh token invalid or expired.", "Basic");
  });

  it("after a restart: logged-out, banned and deleted accounts' tokens stay refused; live ones still work", async () => {
    const dir = tempDir("tessera-token-restart-");
    try {
      const first = await startTestServer(SETTINGS, dir.path);
      const live = await player(first.api);
      const out = await player(first.api);
      const banned = await player(first.api);
      const deleted = await player(first.api);
      const gs = ok(await first.api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: GS_SECRET })).token;
      ok(await first.api.withToken("POST", "/v2/session/logout", out.token, { token: out.token, refresh_token: out.refresh }));
      await banAccount(first.server.core, banned.uid);
      ok(await first.api.withToken("DELETE", "/v2/account", deleted.token));
      await first.stop();

      const second = await startTestServer(SETTINGS, dir.path);
      try {
        for (const p of [out, banned, deleted]) {
          assert.equal(notInvalidToken(await second.api.withToken("GET", "/v2/account", p.token)), undefined);
          assert.equal(await upgradeStatus(second.url, p.token, "query"), 401);
        }
        assertUnauthorized(await second.api.withKey("/v2/account/session/refresh", { token: out.refresh }), "Refresh token invalid or expired.", "Basic");
        assertError(await second.api.withKey("/v2/account/session/refresh", { token: banned.refresh }), 403, "User account banned.");
        assertUnauthorized(await second.api.withKey("/v2/account/session/refresh", { token: deleted.refresh }), "Refresh token invalid or expired.", "Basic");
        // Control: what was live before the restart is live after it (same generated keys).
        assert.equal(ok(await second.api.withToken("GET", "/v2/account", live.token)).user.id, live.uid);
        ok(await second.api.withToken("GET", "/v2/tickets/auth-sessions", gs));
        ok(await second.api.withKey("/v2/account/session/refresh", { token: live.refresh }));
      } finally {
        await second.stop();
      }
    } finally {
      dir.remove();
    }
  });

  it("server-key routes refuse a missing, wrong or malformed key with 401 and a Basic challenge", async () => {
    for (const r of serverKeyRoutes) {
      const { method, path } = requestOf(r);
      assertUnauthorized(await api.call(method, path, { body: {} }), "Server key required", "Basic");
      for (const key of ["wrongkey", "", "defaultkey ", "DEFAULTKEY"]) {
        assertUnauthorized(await api.call(method, path, { body: {}, serverKey: key }), "Server key invalid", "Basic");
      }
      for (const header of ["Basic", "Basic !!!", `Bearer ${victim.token}`, "Basic " + Buffer.from("defaultkeyx:").toString("base64")]) {
        assertUnauthorized(await api.call(method, path, { body: {}, headers: { Authorization: header } }), "Server key invalid", "Basic");
      }
    }
  });
});

describe("ticket tampering and forgery", () => {
  let t: TestServer;
  let gsToken: string;
  let playerId: string;
  let ticketHex: string;
  let parsed: ParsedTicket;

  const BEGIN = "/v2/tickets/auth-sessions";
  const steam = (ticket: string) =>
    t.api.call("GET", `/ISteamUserAuth/AuthenticateUserTicket/v1/?${new URLSearchParams({ key: GS_SECRET, appid: String(APP_ID), ticket })}`);

  before(async () => {
    t = await startTestServer(SETTINGS);
    const s = await t.api.device(deviceId());
    playerId = claimsOf(s.token)["uid"];
    gsToken = ok(await t.api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: GS_SECRET })).token;
    ticketHex = ok(await t.api.withToken("POST", "/v2/tickets", s.token, { identity: "eu-west-1" })).ticket;
    const p = parseTicket(Buffer.from(ticketHex, "hex"));
    assert.ok(typeof p === "object");
    parsed = p;
  });
  after(() => t.close());

  /** Every way of breaking the genuine ticket, with the begin result it must get (1 InvalidTicket, 3 InvalidVersion). */
  function mutations(): { name: string; hex: string; result: 1 | 3 }[] {
    const bytes = Buffer.from(ticketHex, "hex");
    const out: { name: string; hex: string; result: 1 | 3 }[] = [];
    for (let i = 0; i < bytes.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const b = Buffer.from(bytes);
        b[i] = b[i]! ^ mask;
        out.push({ name: `byte ${i} ^ 0x${mask.toString(16)}`, hex: b.toString("hex"), result: i === 0 ? 3 : 1 });
      }
    }
    for (const v of [0, 2, 255]) {
      const b = Buffer.from(bytes);
      b[0] = v;
      out.push({ name: `version ${v}`, hex: b.toString("hex"), result: 3 });
    }
    for (let n = 1; n < bytes.length; n += 7) out.push({ name: `truncated to ${n} bytes`, hex: bytes.subarray(0, n).toString("hex"), result: 1 });
    out.push({ name: "one byte appended", hex: ticketHex + "00", result: 1 });
    out.push({ name: "signature zeroed", hex: Buffer.concat([parsed.body, Buffer.alloc(64)]).toString("hex"), result: 1 });
    out.push({ name: "odd-length hex", hex: ticketHex.slice(0, -1), result: 1 });
    out.push({ name: "not hex", hex: "zz" + ticketHex.slice(2), result: 1 });
    out.push({ name: "hex far too long", hex: "01" + "ab".repeat(4096), result: 1 });

    // Forgeries: valid structure, signed by a key that is not the deployment's.
    const attacker = generateKeyPairSync("ed25519");
    const forge = (over: Partial<ParsedTicket>, keyId = parsed.keyId): string => {
      const body = encodeTicketBody({ ...parsed, ...over, keyId });
      return Buffer.concat([body, edSign(null, body, attacker.privateKey)]).toString("hex");
    };
    const attackerKeyId = Buffer.from(attacker.publicKey.export({ format: "jwk" }).x!, "base64url").subarray(0, 8);
    out.push({ name: "re-signed by another key, naming the real key id", hex: forge({}), result: 1 });
    out.push({ name: "re-signed by another key, naming its own key id", hex: forge({}, attackerKeyId), result: 1 });
    out.push({ name: "forged far-future expiry", hex: forge({ expiresAtSec: 0xffff_fff0 }), result: 1 });
    out.push({ name: "forged for another identity (any validator)", hex: forge({ identity: "" }), result: 1 });
    out.push({ name: "forged ticket id", hex: forge({ ticketId: randomUUID() }), result: 1 });
    return out;
  }

  it("BeginAuthSession answers every tampered or forged ticket with InvalidTicket or InvalidVersion, never OK, never 5xx", async () => {
    const wrong: string[] = [];
    const cases = mutations();
    for (const m of cases) {
      const res = await t.api.withToken("POST", BEGIN, gsToken, { ticket: m.hex, user_id: playerId });
      if (res.status !== 200 || res.body.result !== m.result || res.body.auth_session !== undefined)
        wrong.push(`${m.name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual(wrong, [], `${wrong.length} of ${cases.length} cases`);
  });

  it("the Steam-shaped endpoint answers them with Steam's error (101 Invalid ticket, or 3 Invalid parameter for non-hex), never a result", async () => {
    const wrong: string[] = [];
    for (const m of mutations()) {
      const res = await steam(m.hex);
      const code = res.body?.response?.error?.errorcode;
      const expected = /^[0-9a-fA-F]+$/.test(m.hex) ? 101 : 3;
      if (res.status !== 200 || code !== expected || res.body?.response?.params !== undefined)
        wrong.push(`${m.name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("none of that used the genuine ticket up: it still validates once (the control)", async () => {
    const res = ok(await t.api.withToken("POST", BEGIN, gsToken, { ticket: ticketHex, user_id: playerId }));
    assert.deepEqual([res.result, res.result_name], [0, "OK"]);
  });
});
