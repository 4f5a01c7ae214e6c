/**
 * Steam sign-in, link and unlink through real servers talking to a local fake of Steam's Web API
 * (support/fake-steam.ts): Nakama's behaviour (the Steam id is the identity, its messages and
 * codes), what Tessera reads beyond it (borrowed games, VAC and publisher bans), every way Steam
 * can fail (503, logged, the server keeps serving), the Steam settings and docs/steam.md.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { SteamMessages, steamStatusOf } from "../../src/auth/providers/steam.js";
import type { SteamUnavailableCode } from "../../src/auth/steam-web-api-client.js";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { enforceSafety } from "../../src/config/safety.js";
import { SETTINGS } from "../../src/config/settings.js";
import type { AccountRow } from "../../src/store/store.js";
import {
  FAKE_STEAM_APP_ID,
  FAKE_STEAM_KEY,
  startFakeSteam,
  steamId,
  type FakeSteam,
  type FakeSteamFailure,
  type FakeSteamPlayer,
} from "../support/fake-steam.js";
import { claimsOf, recordingLogger, startTestServer, type ApiResponse, type TestServer } from "../support/harness.js";
import { assertError, assertUnauthorized, deviceId, ok, username } from "../support/expect.js";

const STEAM = "/v2/account/authenticate/steam";
const LINK = "/v2/account/link/steam";
const UNLINK = "/v2/account/unlink/steam";
const TIMEOUT_MS = 1000;

let steam: FakeSteam;
const servers: TestServer[] = [];

before(async () => {
  steam = await startFakeSteam();
});
after(async () => {
  for (const s of servers) await s.close();
  await steam.close();
});

/** A server pointed at the fake Steam (plus `settings`), whose log lines are kept. */
async function steamServer(settings: Record<string, string | number | boolean> = {}): Promise<TestServer & { log: string[] }> {
  const { logger, lines } = recordingLogger();
  const t = await startTestServer({ ...steam.settings(), "social.steam.timeout_ms": TIMEOUT_MS, ...settings }, undefined, { logger });
  servers.push(t);
  return Object.assign(t, { log: lines });
}

/** Signs in with a fresh ticket of `player` and returns the session (throws unless 200). */
async function signIn(t: TestServer, player: FakeSteamPlayer, query = ""): Promise<{ token: string; refresh_token: string; created?: boolean }> {
  return ok(await t.api.withKey(STEAM + query, { token: steam.ticketFor(player) }));
}

/** An account with its Steam id and what Steam said about it (its `steam` identity), as the store holds them. */
type SteamAccountRow = AccountRow & { steamId: string | null; steamOwnerId: string | null; steamVacBanned: boolean };

async function withSteam(t: TestServer, account: AccountRow): Promise<SteamAccountRow> {
  const identity = (await t.server.core.store.listIdentities(account.id)).find((i) => i.provider === "steam");
  const status = identity === undefined ? { ownerId: null, vacBanned: false } : steamStatusOf(identity.profile);
  return { ...account, steamId: identity?.subject ?? null, steamOwnerId: status.ownerId, steamVacBanned: status.vacBanned };
}

async function rowOf(t: TestServer, id: string): Promise<SteamAccountRow | undefined> {
  const account = await t.server.core.store.findAccountByIdentity({ provider: "steam", subject: id });
  return account && withSteam(t, account);
}

async function accountRow(t: TestServer, id: string): Promise<SteamAccountRow | undefined> {
  const account = await t.server.core.store.getAccount(id);
  return account && withSteam(t, account);
}

describe("Steam sign-in", () => {
  let t: TestServer & { log: string[] };
  before(async () => {
    t = await steamServer();
  });

  it("creates the account the first time, then signs the same account in; GET /v2/account shows steam_id", async () => {
    const player = { steamId: steamId() };
    const name = username("steam");
    const first = await signIn(t, player, `?create=true&username=${name}&`);
    assert.equal(first.created, true);
    assert.equal(claimsOf(first.token)["usn"], name);

    const second = await signIn(t, player, "?username=someone_else");
    assert.equal(second.created, undefined, "created is omitted when false");
    assert.equal(claimsOf(second.token)["uid"], claimsOf(first.token)["uid"]);
    assert.equal(claimsOf(second.token)["usn"], name, "an existing account keeps its username");

    const account = ok(await t.api.withToken("GET", "/v2/account", second.token));
    assert.equal(account.user.steam_id, player.steamId);
    assert.deepEqual(
      Object.keys(account.user).sort(),
      ["create_time", "id", "lang_tag", "metadata", "steam_id", "update_time", "username"],
      "Nakama's user shape: the owner and VAC status are not shown",
    );
  });

  it("sends the publisher key, the app id and the ticket to Steam's AuthenticateUserTicket", async () => {
    const ticket = steam.ticketFor({ steamId: steamId() });
    ok(await t.api.withKey(STEAM, { token: ticket }));
    const sent = steam.requests.at(-1)!;
    assert.equal(sent.path, "/ISteamUserAuth/AuthenticateUserTicket/v1/");
    assert.deepEqual(sent.query, { key: FAKE_STEAM_KEY, appid: String(FAKE_STEAM_APP_ID), ticket });
  });

  it("sends social.steam.identity when it is set", async () => {
    const withIdentity = await steamServer({ "social.steam.identity": "tessera-login" });
    const ticket = steam.ticketFor({ steamId: steamId() });
    ok(await withIdentity.api.withKey(STEAM, { token: ticket }));
    assert.deepEqual(steam.requests.at(-1)!.query, { key: FAKE_STEAM_KEY, appid: String(FAKE_STEAM_APP_ID), ticket, identity: "tessera-login" });
  });

  it("create=false with an unknown Steam id is 404, and creates nothing", async () => {
    const player = { steamId: steamId() };
    assertError(await t.api.withKey(`${STEAM}?create=false`, { token: steam.ticketFor(player) }), 404, "User account not found.");
    assert.equal(await rowOf(t, player.steamId), undefined);
  });

  it("carries vars into the tokens and accepts sync in the query or the body (ignored)", async () => {
    const player = { steamId: steamId() };
    const s = ok(await t.api.withKey(`${STEAM}?sync=true`, { token: steam.ticketFor(player), vars: { region: "eu" }, sync: true }));
    assert.deepEqual(claimsOf(s.token)["vrs"], { region: "eu" });
    assertError(await t.api.withKey(`${STEAM}?sync=maybe`, { token: steam.ticketFor(player) }), 400, 'Invalid query parameter "sync": expected true or false.');
    assertError(await t.api.withKey(STEAM, { token: steam.ticketFor(player), sync: "yes" }), 400, 'Invalid request body: "sync" must be true or false.');
  });

  it("checks the ticket before asking Steam: required, hexadecimal, bounded", async () => {
    const asked = steam.requests.length;
    assertError(await t.api.withKey(STEAM, {}), 400, "Steam access token is required.");
    assertError(await t.api.withKey(STEAM, { token: "" }), 400, "Steam access token is required.");
    assertError(await t.api.withKey(STEAM, { token: "not hex!" }), 400, "Steam ticket invalid, must be an even number of hexadecimal digits.");
    assertError(await t.api.withKey(STEAM, { token: "abc" }), 400, "Steam ticket invalid, must be an even number of hexadecimal digits.");
    assertError(await t.api.withKey(STEAM, { token: "ab".repeat(4097) }), 400, "Steam ticket invalid, must be at most 8192 hexadecimal digits.");
    assertError(await t.api.withKey(STEAM, { token: 42 }), 400, 'Invalid request body: "token" must be a string.');
    assertError(
      await t.api.withKey(`${STEAM}?username=${"x".repeat(129)}`, { token: steam.ticketFor({ steamId: steamId() }) }),
      400,
      "Username invalid, must be 1-128 bytes.",
    );
    assert.equal(steam.requests.length, asked, "no request reached Steam");
  });

  it("a ticket Steam refuses is 401 Could not authenticate Steam profile.", async () => {
    assertUnauthorized(await t.api.withKey(STEAM, { token: "00".repeat(100) }), "Could not authenticate Steam profile.", "Basic");
    assert.ok(
      t.log.some((l) => l.startsWith("INFO Steam refused a ticket") && l.includes("errorcode 101: Invalid ticket")),
      t.log.join("\n"),
    );
  });

  it("a result other than OK is 401", async () => {
    const player = { steamId: steamId(), result: "Failed" };
    assertUnauthorized(await t.api.withKey(STEAM, { token: steam.ticketFor(player) }), "Could not authenticate Steam profile.", "Basic");
    assert.equal(await rowOf(t, player.steamId), undefined);
  });

  it("an HTTP 400 from Steam is 401 (the request for this ticket was refused)", async () => {
    steam.failWith({ kind: "status", status: 400 });
    try {
      assertUnauthorized(await t.api.withKey(STEAM, { token: steam.ticketFor({ steamId: steamId() }) }), "Could not authenticate Steam profile.", "Basic");
    } finally {
      steam.failWith(undefined);
    }
  });

  it("a publisher ban is 403 User account banned.; no account is created, an existing one is refused too", async () => {
    const player = { steamId: steamId(), publisherBanned: true };
    assertError(await t.api.withKey(STEAM, { token: steam.ticketFor(player) }), 403, "User account banned.");
    assertError(await t.api.withKey(`${STEAM}?create=false`, { token: steam.ticketFor(player) }), 403, "User account banned.");
    assert.equal(await rowOf(t, player.steamId), undefined, "no account was created");

    steam.update(player.steamId, { publisherBanned: false });
    const s = await signIn(t, player);
    assert.equal(s.created, true, "the account is created once the ban is lifted");
    steam.update(player.steamId, { publisherBanned: true });
    assertError(await t.api.withKey(STEAM, { token: steam.ticketFor(player) }), 403, "User account banned.");
  });

  it("a VAC ban is recorded and the player signs in (social.steam.refuse_vac_banned is false)", async () => {
    const player = { steamId: steamId(), vacBanned: true };
    const s = await signIn(t, player);
    assert.equal(s.created, true);
    assert.equal((await rowOf(t, player.steamId))!.steamVacBanned, true);
    steam.update(player.steamId, { vacBanned: false });
    await signIn(t, player);
    assert.equal((await rowOf(t, player.steamId))!.steamVacBanned, false, "updated at every sign-in");
  });

  it("records the game owner of a borrowed game (family sharing), and clears it once the player owns it", async () => {
    const owner = steamId();
    const player = { steamId: steamId(), ownerSteamId: owner };
    await signIn(t, player);
    let row = (await rowOf(t, player.steamId))!;
    assert.equal(row.steamOwnerId, owner);
    const created = row.updateTime;

    steam.update(player.steamId, { ownerSteamId: player.steamId });
    await signIn(t, player);
    row = (await rowOf(t, player.steamId))!;
    assert.equal(row.steamOwnerId, null, "null when the player owns the game");
    assert.ok(row.updateTime >= created);

    const owned = { steamId: steamId() };
    await signIn(t, owned);
    assert.equal((await rowOf(t, owned.steamId))!.steamOwnerId, null);
  });

  it("a banned Tessera account is refused with 403 like every provider", async () => {
    const player = { steamId: steamId() };
    const s = await signIn(t, player);
    const uid = claimsOf(s.token)["uid"] as string;
    await t.server.core.store.setDisableTime(uid, Date.now(), Date.now());
    assertError(await t.api.withKey(STEAM, { token: steam.ticketFor(player) }), 403, "User account banned.");
  });
});

describe("Steam with social.steam.refuse_vac_banned", () => {
  let t: TestServer;
  before(async () => {
    t = await steamServer({ "social.steam.refuse_vac_banned": true });
  });

  it("refuses a VAC-banned player (403) without creating an account", async () => {
    const player = { steamId: steamId(), vacBanned: true };
    assertError(await t.api.withKey(STEAM, { token: steam.ticketFor(player) }), 403, "Steam account is VAC banned in this game.");
    assert.equal(await rowOf(t, player.steamId), undefined);
  });

  it("refuses an existing account once it is VAC banned, and records the ban", async () => {
    const player = { steamId: steamId() };
    await signIn(t, player);
    steam.update(player.steamId, { vacBanned: true });
    assertError(await t.api.withKey(STEAM, { token: steam.ticketFor(player) }), 403, "Steam account is VAC banned in this game.");
    assert.equal((await rowOf(t, player.steamId))!.steamVacBanned, true);
  });

  it("refuses to link a VAC-banned Steam id", async () => {
    const s = ok(await t.api.withKey("/v2/account/authenticate/device", { id: deviceId() }));
    const player = { steamId: steamId(), vacBanned: true };
    assertError(
      await t.api.withToken("POST", LINK, s.token, { account: { token: steam.ticketFor(player) } }),
      403,
      "Steam account is VAC banned in this game.",
    );
    assert.equal(await rowOf(t, player.steamId), undefined);
  });
});

describe("Steam link and unlink", () => {
  let t: TestServer;
  before(async () => {
    t = await steamServer();
  });

  async function deviceAccount(): Promise<{ token: string; uid: string }> {
    const s = ok(await t.api.withKey("/v2/account/authenticate/device", { id: deviceId() }));
    return { token: s.token, uid: claimsOf(s.token)["uid"] as string };
  }

  it("links the Steam id (nakama-js's {account: {token}, sync}); Steam sign-in then reaches the same account", async () => {
    const a = await deviceAccount();
    const player = { steamId: steamId(), ownerSteamId: steamId(), vacBanned: true };
    ok(await t.api.withToken("POST", LINK, a.token, { account: { token: steam.ticketFor(player), vars: { x: "1" } }, sync: true }));
    const account = ok(await t.api.withToken("GET", "/v2/account", a.token));
    assert.equal(account.user.steam_id, player.steamId);
    const row = (await rowOf(t, player.steamId))!;
    assert.deepEqual([row.id, row.steamOwnerId, row.steamVacBanned], [a.uid, player.ownerSteamId, true], "owner and VAC status recorded at link");

    const s = await signIn(t, player, "?create=false");
    assert.equal(claimsOf(s.token)["uid"], a.uid);
  });

  it("linking its own Steam id again refreshes the owner; a Steam id of another account is 409", async () => {
    const a = await deviceAccount();
    const player = { steamId: steamId(), ownerSteamId: steamId() };
    ok(await t.api.withToken("POST", LINK, a.token, { account: { token: steam.ticketFor(player) } }));
    steam.update(player.steamId, { ownerSteamId: player.steamId });
    ok(await t.api.withToken("POST", LINK, a.token, { account: { token: steam.ticketFor(player) } }));
    assert.equal((await rowOf(t, player.steamId))!.steamOwnerId, null);

    const b = await deviceAccount();
    assertError(await t.api.withToken("POST", LINK, b.token, { account: { token: steam.ticketFor(player) } }), 409, "Steam ID is already in use.");
    assert.equal((await rowOf(t, player.steamId))!.id, a.uid, "the Steam id stays with its account");
  });

  it("link checks the request: Nakama's shape, a ticket, a ticket Steam accepts, no publisher ban", async () => {
    const a = await deviceAccount();
    assertError(await t.api.withToken("POST", LINK, a.token, {}), 400, "Steam access token is required.");
    assertError(await t.api.withToken("POST", LINK, a.token, { token: steam.ticketFor({ steamId: steamId() }) }), 400, "Steam access token is required.");
    assertError(await t.api.withToken("POST", LINK, a.token, { account: "x" }), 400, 'Invalid request body: "account" must be an object.');
    assertError(await t.api.withToken("POST", LINK, a.token, { account: { token: 7 } }), 400, 'Invalid request body: "account.token" must be a string.');
    assertUnauthorized(
      await t.api.withToken("POST", LINK, a.token, { account: { token: "ab".repeat(50) } }),
      "Could not authenticate Steam profile.",
      "Bearer",
    );
    const banned = { steamId: steamId(), publisherBanned: true };
    assertError(await t.api.withToken("POST", LINK, a.token, { account: { token: steam.ticketFor(banned) } }), 403, "User account banned.");
    assert.equal(await rowOf(t, banned.steamId), undefined);
    assertUnauthorized(await t.api.call("POST", LINK, { body: { account: { token: "abcd" } } }), "Auth token required", "Bearer");
  });

  it("unlinks with a ticket, clearing the owner and VAC status; a ticket for another Steam id is 404", async () => {
    const a = await deviceAccount();
    const player = { steamId: steamId(), ownerSteamId: steamId(), vacBanned: true };
    ok(await t.api.withToken("POST", LINK, a.token, { account: { token: steam.ticketFor(player) } }));
    assertError(
      await t.api.withToken("POST", UNLINK, a.token, { token: steam.ticketFor({ steamId: steamId() }) }),
      404,
      "Steam ID is not linked to this account.",
    );

    ok(await t.api.withToken("POST", UNLINK, a.token, { token: steam.ticketFor(player) }));
    assert.equal(await rowOf(t, player.steamId), undefined);
    const row = (await accountRow(t, a.uid))!;
    assert.deepEqual([row.steamId, row.steamOwnerId, row.steamVacBanned], [null, null, false]);
    assert.equal(ok(await t.api.withToken("GET", "/v2/account", a.token)).user.steam_id, undefined);
    assertError(await t.api.withKey(`${STEAM}?create=false`, { token: steam.ticketFor(player) }), 404, "User account not found.");
  });

  it("unlinks without a ticket (Nakama allows it): whatever Steam id the account has, without asking Steam", async () => {
    const a = await deviceAccount();
    assertError(await t.api.withToken("POST", UNLINK, a.token, {}), 404, "Steam ID is not linked to this account.");
    const player = { steamId: steamId() };
    ok(await t.api.withToken("POST", LINK, a.token, { account: { token: steam.ticketFor(player) } }));
    const asked = steam.requests.length;
    ok(await t.api.withToken("POST", UNLINK, a.token, { token: "" }));
    assert.equal(steam.requests.length, asked, "Steam was not asked");
    assert.equal((await accountRow(t, a.uid))!.steamId, null);
  });

  it("never unlinks the last identity", async () => {
    const player = { steamId: steamId() };
    const s = await signIn(t, player);
    assertError(
      await t.api.withToken("POST", UNLINK, s.token, { token: steam.ticketFor(player) }),
      400,
      "Cannot unlink the last identity of an account; link another identity first or the account would be lost.",
      9,
    );
    assertError(await t.api.withToken("POST", UNLINK, s.token, {}), 400, /last identity/, 9);
    assert.ok(await rowOf(t, player.steamId), "still linked");

    const dev = deviceId();
    ok(await t.api.withToken("POST", "/v2/account/link/device", s.token, { id: dev }));
    ok(await t.api.withToken("POST", UNLINK, s.token, { token: steam.ticketFor(player) }));
    assertError(await t.api.withToken("POST", "/v2/account/unlink/device", s.token, { id: dev }), 400, /last identity/, 9);
  });
});

describe("Steam not configured", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    servers.push(t);
  });

  it("sign-in and link answer 400 (code 9) Steam authentication is not configured., checked before the ticket", async () => {
    assertError(await t.api.withKey(STEAM, { token: "abcd" }), 400, "Steam authentication is not configured.", 9);
    assertError(await t.api.withKey(STEAM, {}), 400, "Steam authentication is not configured.", 9);
    const s = ok(await t.api.withKey("/v2/account/authenticate/device", { id: deviceId() }));
    assertError(await t.api.withToken("POST", LINK, s.token, { account: { token: "abcd" } }), 400, "Steam authentication is not configured.", 9);
    assertError(await t.api.withToken("POST", UNLINK, s.token, { token: "abcd" }), 400, "Steam authentication is not configured.", 9);
    assertError(await t.api.withToken("POST", UNLINK, s.token, {}), 404, "Steam ID is not linked to this account.");
  });
});

describe("Steam unavailable", () => {
  let t: TestServer & { log: string[] };
  before(async () => {
    t = await steamServer();
  });

  /**
   * Signs in while the fake Steam misbehaves as `failure` (or as `server` is configured): the answer
   * must be 503 code 14 naming `reason`, with one error logged (never the key). Returns nothing
   * until the server has answered /healthz again.
   */
  async function expectUnavailable(server: TestServer & { log: string[] }, reason: RegExp, failure?: FakeSteamFailure): Promise<void> {
    const logged = server.log.length;
    steam.failWith(failure);
    let res: ApiResponse | undefined;
    try {
      res = await server.api.withKey(STEAM, { token: steam.ticketFor({ steamId: steamId() }) });
    } finally {
      steam.failWith(undefined);
    }
    assertError(res, 503, reason, 14);
    assert.match(res.body.message, /^Steam is unavailable \(.+\); try again later\.$/);
    const errors = server.log.slice(logged).filter((l) => l.startsWith("ERROR Steam Web API unavailable"));
    assert.equal(errors.length, 1, server.log.slice(logged).join("\n"));
    assert.ok(!errors[0]!.includes(FAKE_STEAM_KEY), "the publisher key is never logged");
    ok(await server.api.call("GET", "/healthz"));
  }

  it("Steam answering 500, 502 or 503; the next sign-in works again", async () => {
    for (const status of [500, 502, 503]) {
      await expectUnavailable(t, new RegExp(`HTTP ${status}`), { kind: "status", status });
      await signIn(t, { steamId: steamId() });
    }
  });

  it("Steam not answering within social.steam.timeout_ms", async () => {
    const started = Date.now();
    await expectUnavailable(t, new RegExp(`no answer within ${TIMEOUT_MS} ms`), { kind: "hang" });
    assert.ok(Date.now() - started < TIMEOUT_MS + 4000, "the time-out ends the wait");
    await signIn(t, { steamId: steamId() });
  });

  it("malformed answers: not JSON, no params, a steamid that is not a SteamID64, a missing ban flag", async () => {
    await expectUnavailable(t, /malformed answer: the answer is not JSON/, { kind: "malformed_json" });
    await expectUnavailable(t, /malformed answer: response\.params is missing/, { kind: "json", body: { response: {} } });
    await expectUnavailable(t, /malformed answer: response is missing/, { kind: "json", body: [] });
    await expectUnavailable(t, /errorcode is not a whole number/, { kind: "json", body: { response: { error: { errordesc: "?" } } } });
    const params = { result: "OK", steamid: "76561197960265729", ownersteamid: "76561197960265729", vacbanned: false, publisherbanned: false };
    for (const [field, value, reason] of [
      ["steamid", "7656x", /response\.params\.steamid is not a SteamID64/],
      // biome-ignore lint/correctness/noPrecisionLoss: a SteamID64 sent as a JSON number loses its last digits, which is what this case refuses
      ["steamid", 76561197960265729, /response\.params\.steamid is not a SteamID64/],
      ["steamid", "18446744073709551616", /response\.params\.steamid is not a SteamID64/],
      ["steamid", "076561197960265729", /response\.params\.steamid is not a SteamID64/],
      ["ownersteamid", "0", /response\.params\.ownersteamid is not a SteamID64/],
      ["vacbanned", undefined, /response\.params\.vacbanned is not true or false/],
      ["publisherbanned", "false", /response\.params\.publisherbanned is not true or false/],
    ] as const) {
      await expectUnavailable(t, reason, { kind: "json", body: { response: { params: { ...params, [field]: value } } } });
    }
    await signIn(t, { steamId: steamId() });
  });

  it("Steam refusing the publisher key (403 with an HTML body)", async () => {
    const wrongKey = await steamServer({ "social.steam.publisher_key": "WRONG-KEY" });
    await expectUnavailable(wrongKey, /the publisher key was refused \(HTTP 403\)/);
    assert.ok(!wrongKey.log.some((l) => l.includes("WRONG-KEY")), "the key is never logged");
  });

  it("Steam unreachable (connection refused), also when linking and unlinking", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const unreachable = await steamServer({ "social.steam.api_url": `http://127.0.0.1:${port}` });
    await expectUnavailable(unreachable, /^Steam is unavailable \(cannot connect \(ECONNREFUSED\)\); try again later\.$/);
    assert.ok(unreachable.log.some((l) => l.includes("ERR_STEAM_UNREACHABLE")));
    const s = ok(await unreachable.api.withKey("/v2/account/authenticate/device", { id: deviceId() }));
    assertError(await unreachable.api.withToken("POST", LINK, s.token, { account: { token: "abcd" } }), 503, /cannot connect/, 14);
    assertError(await unreachable.api.withToken("POST", UNLINK, s.token, { token: "abcd" }), 503, /cannot connect/, 14);
  });
});

describe("Steam settings", () => {
  const load = (overrides: Record<string, string | number | boolean>) => loadConfig({ env: {}, overrides });
  const refused = (overrides: Record<string, string | number | boolean>, setting: string, message: RegExp) =>
    assert.throws(
      () => load(overrides),
      (err: unknown) => err instanceof ConfigError && err.setting === setting && message.test(err.message),
    );

  it("defaults: not configured, Steam's partner API, 5 s, VAC bans admitted", () => {
    const s = load({}).social.steam;
    assert.deepEqual(s, {
      publisherKey: undefined,
      appId: 0,
      apiUrl: "https://partner.steam-api.com",
      timeoutMs: 5000,
      identity: undefined,
      refuseVacBanned: false,
    });
  });

  it("a publisher key needs an app id; app ids are unsigned 32-bit", () => {
    refused({ "social.steam.publisher_key": "k" }, "social.steam.app_id", /must be set/);
    refused({ "social.steam.publisher_key": "k", "social.steam.app_id": 4294967296 }, "social.steam.app_id", /at most 4294967295/);
    refused({ "social.steam.app_id": -1 }, "social.steam.app_id", /at least 0/);
    assert.equal(load({ "social.steam.publisher_key": "k", "social.steam.app_id": 4294967295 }).social.steam.appId, 4294967295);
  });

  it("api_url must be an http(s) URL without query or credentials; a trailing slash is dropped", () => {
    refused({ "social.steam.api_url": "partner.steam-api.com" }, "social.steam.api_url", /expected an http:\/\/ or https:\/\/ URL/);
    refused({ "social.steam.api_url": "ftp://steam.example" }, "social.steam.api_url", /scheme "ftp:"/);
    refused({ "social.steam.api_url": "https://steam.example/?key=1" }, "social.steam.api_url", /query/);
    refused({ "social.steam.api_url": "https://u:p@steam.example" }, "social.steam.api_url", /credentials/);
    assert.equal(load({ "social.steam.api_url": "https://proxy.example/steam/" }).social.steam.apiUrl, "https://proxy.example/steam");
  });

  it("timeout_ms is at least 1; production refuses a plain-http api_url once a key is set", () => {
    refused({ "social.steam.timeout_ms": 0 }, "social.steam.timeout_ms", /at least 1/);
    const steamOverHttp = {
      "social.steam.publisher_key": "k",
      "social.steam.app_id": 480,
      "social.steam.api_url": "http://steam.example",
      "socket.server_key": "a-server-key-of-our-own",
    };
    assert.deepEqual(
      enforceSafety(load(steamOverHttp)).map((f) => f.setting),
      ["social.steam.api_url"],
      "a warning",
    );
    assert.throws(
      () => enforceSafety(load({ ...steamOverHttp, production: true })),
      (err: unknown) => err instanceof ConfigError && err.setting === "social.steam.api_url",
    );
    assert.deepEqual(enforceSafety(load({ ...steamOverHttp, "social.steam.publisher_key": "" })), [], "no key, nothing travels");
  });
});

describe("docs/steam.md", () => {
  const doc = readFileSync(fileURLToPath(new URL("../../../../docs/steam.md", import.meta.url)), "utf8");

  it("documents every Steam setting and every message the server answers with", () => {
    for (const setting of SETTINGS.filter((x) => x.path.startsWith("social.steam."))) assert.ok(doc.includes(`\`${setting.path}\``), setting.path);
    for (const message of Object.values(SteamMessages)) assert.ok(doc.includes(message), message);
    for (const code of [
      "ERR_STEAM_TIMEOUT",
      "ERR_STEAM_UNREACHABLE",
      "ERR_STEAM_KEY_REFUSED",
      "ERR_STEAM_HTTP_STATUS",
      "ERR_STEAM_MALFORMED_ANSWER",
    ] satisfies SteamUnavailableCode[]) {
      assert.ok(doc.includes(code), code);
    }
  });
});
