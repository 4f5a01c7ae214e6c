/**
 * What the token providers do to accounts and what surrounds them, through a real server and the
 * fake providers: the profile a provider gives at creation (Google's name, picture and verified
 * email), Facebook's Graph API path (debug_token against the app, appsecret_proof, is_valid, Graph
 * outages), Google Play Games server auth codes (RFC 6749 code exchange, then the player), OpenID
 * Connect providers by name (subjects kept apart, link and unlink per name), the sign-in limits
 * per provider subject, the sign-in metrics and audit events, and the AuthenticateApple hooks.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FacebookMessages } from "../../src/auth/providers/facebook.js";
import { GoogleMessages } from "../../src/auth/providers/google.js";
import { OidcMessages } from "../../src/auth/providers/oidc.js";
import {
  appsecretProof,
  FAKE_FACEBOOK_APP,
  FAKE_PATHS,
  FAKE_PLAY_GAMES_CLIENT,
  numericId,
  randomSubject,
  startFakeProviders,
  type FakeProviders,
} from "../support/fake-providers.js";
import { claimsOf, startTestServer, tempDir, type ApiResponse, type TestServer } from "../support/harness.js";
import { PASSWORD, assertError, email, ok } from "../support/expect.js";
import { parseExposition, sampleValue } from "../support/prometheus.js";
import { TOKEN_PROVIDERS } from "../support/token-providers.js";

const GOOGLE = "/v2/account/authenticate/google";
const FACEBOOK = "/v2/account/authenticate/facebook";
const APPLE = "/v2/account/authenticate/apple";
const oidcPath = (call: "authenticate" | "link" | "unlink", name: string) => `/v2/account/${call}/oidc/${name}`;

let fake: FakeProviders;
let t: TestServer;
const cleanups: (() => void | Promise<void>)[] = [];

before(async () => {
  fake = await startFakeProviders();
  t = await startTestServer(fake.settings());
});
afterEach(() => fake.up());
after(async () => {
  for (const c of cleanups.reverse()) await c();
  await t.close();
  await fake.close();
});

/** A server of its own pointed at the fake, closed with the suite. */
async function serverWith(settings: Record<string, string | number | boolean>, options: Parameters<typeof startTestServer>[2] = {}): Promise<TestServer> {
  const s = await startTestServer({ ...fake.settings(), ...settings }, undefined, options);
  cleanups.push(() => s.close());
  return s;
}

const account = async (token: string) => ok(await t.api.withToken("GET", "/v2/account", token));

function assertUnavailable(res: ApiResponse): void {
  assertError(res, 503, /unavailable .*try again later\.$/, 14);
  assert.match(res.headers.get("retry-after") ?? "", /^\d+$/);
}

describe("the profile a provider gives, at account creation", () => {
  it("Google's name and picture become the display name and avatar URL", async () => {
    const s = ok(
      await t.api.withKey(GOOGLE, {
        token: await fake.googleIdToken({ claims: { name: "Ada Lovelace", picture: "https://lh3.googleusercontent.com/a/ada" } }),
      }),
    );
    const { user } = await account(s.token);
    assert.equal(user.display_name, "Ada Lovelace");
    assert.equal(user.avatar_url, "https://lh3.googleusercontent.com/a/ada");
  });

  it("a later sign-in does not overwrite them", async () => {
    const sub = numericId();
    ok(await t.api.withKey(GOOGLE, { token: await fake.googleIdToken({ sub, claims: { name: "First Name" } }) }));
    const s = ok(await t.api.withKey(GOOGLE, { token: await fake.googleIdToken({ sub, claims: { name: "Second Name" } }) }));
    assert.equal((await account(s.token)).user.display_name, "First Name");
  });

  it("a verified email becomes the account's email; an unverified one does not", async () => {
    const verified = email();
    const s = ok(await t.api.withKey(GOOGLE, { token: await fake.googleIdToken({ email: verified }) }));
    assert.equal((await account(s.token)).email, verified);

    const unverified = email();
    const u = ok(await t.api.withKey(GOOGLE, { token: await fake.googleIdToken({ email: unverified, claims: { email_verified: false } }) }));
    assert.equal((await account(u.token)).email, undefined);
    ok(await t.api.withKey("/v2/account/authenticate/email", { email: unverified, password: PASSWORD }), "the address is still free");
  });

  it("an email another account holds is not taken from it", async () => {
    const address = email();
    const holder = ok(await t.api.withKey("/v2/account/authenticate/email", { email: address, password: PASSWORD }));
    const s = ok(await t.api.withKey(GOOGLE, { token: await fake.googleIdToken({ email: address }) }));
    assert.equal(s.created, true);
    assert.equal((await account(s.token)).email, undefined);
    assert.equal((await account(holder.token)).email, address);
  });
});

describe("Facebook Graph API access tokens", () => {
  it("a user access token of the app signs in; Graph's id, name, picture and email make the account", async () => {
    const user = { id: numericId(), name: "Grace Hopper", email: email(), pictureUrl: "https://platform-lookaside.fbsbx.com/p/grace" };
    const s = ok(await t.api.withKey(FACEBOOK, { token: fake.facebookAccessToken(user) }));
    assert.equal(s.created, true);
    const shown = await account(s.token);
    assert.equal(shown.user.facebook_id, user.id);
    assert.equal(shown.user.display_name, user.name);
    assert.equal(shown.user.avatar_url, user.pictureUrl);
    assert.equal(shown.email, user.email);
    const again = ok(await t.api.withKey(FACEBOOK, { token: fake.facebookAccessToken(user) }));
    assert.equal(claimsOf(again.token)["uid"], claimsOf(s.token)["uid"]);
  });

  it("asks debug_token with the app access token, then /me with the appsecret_proof the server computed", async () => {
    const token = fake.facebookAccessToken({ id: numericId() });
    ok(await t.api.withKey(FACEBOOK, { token }));
    const debug = fake.requests.filter((r) => r.path === FAKE_PATHS.graphDebugToken && r.query["input_token"] === token);
    assert.deepEqual(
      debug.map((r) => r.query["access_token"]),
      [`${FAKE_FACEBOOK_APP.id}|${FAKE_FACEBOOK_APP.secret}`],
    );
    const me = fake.requests.filter((r) => r.path === FAKE_PATHS.graphMe && r.query["access_token"] === token);
    assert.equal(me.length, 1);
    assert.equal(me[0]!.query["appsecret_proof"], appsecretProof(token), "HMAC-SHA256(app secret, token) in hex");
    assert.deepEqual(me[0]!.query["fields"]?.split(",").sort(), ["email", "id", "name", "picture"]);
  });

  it("a token issued to another app is refused (401), and its profile is never read", async () => {
    const token = fake.facebookAccessToken({ id: numericId() }, { appId: "999888777" });
    assertError(await t.api.withKey(FACEBOOK, { token }), 401, FacebookMessages.notAuthenticated);
    assert.equal(fake.requests.filter((r) => r.path === FAKE_PATHS.graphMe && r.query["access_token"] === token).length, 0);
  });

  it("a token debug_token calls not valid, or one Graph does not know, is refused (401)", async () => {
    assertError(
      await t.api.withKey(FACEBOOK, { token: fake.facebookAccessToken({ id: numericId() }, { valid: false }) }),
      401,
      FacebookMessages.notAuthenticated,
    );
    assertError(await t.api.withKey(FACEBOOK, { token: "EAABnotatokenGraphknows" }), 401, FacebookMessages.notAuthenticated);
  });

  it("Graph answering 5xx, not answering or dropping the connection is 503 with Retry-After", async () => {
    for (const mode of ["503", "hang", "close"] as const) {
      fake.down("graph", mode);
      assertUnavailable(await t.api.withKey(FACEBOOK, { token: fake.facebookAccessToken({ id: numericId() }) }));
    }
  });
});

describe("Google Play Games server auth codes", () => {
  it("a valid code signs in with the Play Games playerId as google_id; its name and avatar make the account", async () => {
    const player = { playerId: numericId(), displayName: "Pixel Knight", avatarImageUrl: "https://lh3.googleusercontent.com/games/knight" };
    const s = ok(await t.api.withKey(GOOGLE, { token: fake.playGamesCode(player) }));
    assert.equal(s.created, true);
    const { user } = await account(s.token);
    assert.equal(user.google_id, player.playerId);
    assert.equal(user.display_name, player.displayName);
    assert.equal(user.avatar_url, player.avatarImageUrl);
    const again = ok(await t.api.withKey(GOOGLE, { token: fake.playGamesCode(player) }));
    assert.equal(claimsOf(again.token)["uid"], claimsOf(s.token)["uid"]);
  });

  it("exchanges the code by form POST with the configured client (RFC 6749 §4.1.3), then asks for the player with the access token", async () => {
    const code = fake.playGamesCode({ playerId: numericId() });
    ok(await t.api.withKey(GOOGLE, { token: code }));
    const exchange = fake.requests.find((r) => r.path === FAKE_PATHS.googleToken && r.form?.["code"] === code)!;
    assert.equal(exchange.method, "POST");
    assert.equal(exchange.form!["grant_type"], "authorization_code");
    assert.equal(exchange.form!["client_id"], FAKE_PLAY_GAMES_CLIENT.id);
    assert.equal(exchange.form!["client_secret"], FAKE_PLAY_GAMES_CLIENT.secret);
    assert.match(fake.requests.filter((r) => r.path === FAKE_PATHS.playGamesPlayer).at(-1)!.authorization ?? "", /^Bearer ya29\./);
  });

  it("a code the token endpoint refuses (unknown, or already used) is 401", async () => {
    assertError(await t.api.withKey(GOOGLE, { token: "4/0Anot-a-code-google-issued" }), 401, GoogleMessages.notAuthenticated);
    const code = fake.playGamesCode({ playerId: numericId() });
    ok(await t.api.withKey(GOOGLE, { token: code }));
    assertError(await t.api.withKey(GOOGLE, { token: code }), 401, GoogleMessages.notAuthenticated);
  });

  it("the token endpoint or Play Games being down is 503 with Retry-After", async () => {
    fake.down("google-token", "503");
    assertUnavailable(await t.api.withKey(GOOGLE, { token: fake.playGamesCode({ playerId: numericId() }) }));
    fake.up();
    fake.down("play-games", "close");
    assertUnavailable(await t.api.withKey(GOOGLE, { token: fake.playGamesCode({ playerId: numericId() }) }));
  });

  it("without google_auth.credentials_json, codes are refused (401) while ID tokens still sign in", async () => {
    const { "google_auth.credentials_json": _, ...rest } = fake.settings();
    const s = await startTestServer(rest);
    cleanups.push(() => s.close());
    assertError(await s.api.withKey(GOOGLE, { token: fake.playGamesCode({ playerId: numericId() }) }), 401, GoogleMessages.notAuthenticated);
    ok(await s.api.withKey(GOOGLE, { token: await fake.googleIdToken() }));
  });
});

describe("OpenID Connect providers, by name", () => {
  it("the same sub at two providers is two accounts", async () => {
    const sub = randomSubject();
    const acme = ok(await t.api.withKey(oidcPath("authenticate", "acme"), { token: await fake.oidcToken("acme", { sub }) }));
    const zenith = ok(await t.api.withKey(oidcPath("authenticate", "zenith"), { token: await fake.oidcToken("zenith", { sub }) }));
    assert.equal(zenith.created, true);
    assert.notEqual(claimsOf(zenith.token)["uid"], claimsOf(acme.token)["uid"]);
  });

  it("one provider's token is refused at another's path", async () => {
    assertError(await t.api.withKey(oidcPath("authenticate", "zenith"), { token: await fake.oidcToken("acme") }), 401, OidcMessages.notAuthenticated("zenith"));
  });

  it("a name that is not configured is 400 'not configured' (code 9)", async () => {
    assertError(await t.api.withKey(oidcPath("authenticate", "nope"), { token: await fake.oidcToken("acme") }), 400, OidcMessages.notConfigured("nope"), 9);
    assertError(await t.api.withKey(oidcPath("link", "nope"), { token: "x" }), 401, "Auth token invalid");
  });

  it("link and unlink name the provider in the path; unlink without a token removes only that provider's identity", async () => {
    const acmeSub = randomSubject();
    const zenithSub = randomSubject();
    const s = ok(await t.api.withKey(oidcPath("authenticate", "acme"), { token: await fake.oidcToken("acme", { sub: acmeSub }) }));
    const uid = claimsOf(s.token)["uid"];
    ok(await t.api.withToken("POST", oidcPath("link", "zenith"), s.token, { token: await fake.oidcToken("zenith", { sub: zenithSub }) }));
    const byZenith = ok(
      await t.api.withKey(`${oidcPath("authenticate", "zenith")}?create=false`, { token: await fake.oidcToken("zenith", { sub: zenithSub }) }),
    );
    assert.equal(claimsOf(byZenith.token)["uid"], uid);

    ok(await t.api.withToken("POST", oidcPath("unlink", "acme"), s.token, {}));
    assertError(
      await t.api.withKey(`${oidcPath("authenticate", "acme")}?create=false`, { token: await fake.oidcToken("acme", { sub: acmeSub }) }),
      404,
      "User account not found.",
    );
    const still = ok(await t.api.withKey(`${oidcPath("authenticate", "zenith")}?create=false`, { token: await fake.oidcToken("zenith", { sub: zenithSub }) }));
    assert.equal(claimsOf(still.token)["uid"], uid);
    assertError(
      await t.api.withToken("POST", oidcPath("unlink", "acme"), s.token, {}),
      404,
      "No identity of this OpenID Connect provider is linked to this account.",
    );
  });
});

describe("sign-in limits per provider subject", () => {
  const LIMIT = 3;
  let limited: TestServer;
  before(async () => {
    limited = await serverWith({ "ratelimit.signin_per_identifier": LIMIT });
  });

  for (const p of TOKEN_PROVIDERS) {
    it(`${p.label}: past ${LIMIT} sign-ins naming one sub, 429 with Retry-After; another sub still signs in`, async () => {
      const sub = randomSubject();
      for (let i = 0; i < LIMIT; i++) ok(await limited.api.withKey(p.route, { token: await p.token(fake, { sub }) }));
      const refused = await limited.api.withKey(p.route, { token: await p.token(fake, { sub }) });
      assert.equal(refused.status, 429, JSON.stringify(refused.body));
      assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);
      ok(await limited.api.withKey(p.route, { token: await p.token(fake) }));
    });
  }
});

describe("metrics and audit", () => {
  it("every provider's sign-ins are counted in tessera_signins_total{provider, created} and audited as sign_in with details.provider", async () => {
    const scrape = async () => parseExposition(await (await fetch(`${t.url}/metrics`)).text());
    const before = await scrape();
    const users: [string, string][] = [];
    for (const p of TOKEN_PROVIDERS) {
      const sub = randomSubject();
      const s = ok(await t.api.withKey(p.route, { token: await p.token(fake, { sub }) }));
      ok(await t.api.withKey(p.route, { token: await p.token(fake, { sub }) }));
      users.push([p.provider, claimsOf(s.token)["uid"]]);
    }
    const after = await scrape();
    for (const p of TOKEN_PROVIDERS) {
      for (const created of ["true", "false"]) {
        const labels = { provider: p.provider, created };
        const delta = (sampleValue(after, "tessera_signins_total", labels) ?? 0) - (sampleValue(before, "tessera_signins_total", labels) ?? 0);
        assert.equal(delta, 1, `${p.provider} created=${created}`);
      }
    }
    await t.server.core.audit.flush();
    for (const [provider, userId] of users) {
      const events = await t.server.core.store.admin.listAuditEvents({ userId, kinds: ["sign_in"], limit: 10 });
      assert.deepEqual(
        events.map((e) => JSON.parse(e.details)).sort((a, b) => Number(b.created) - Number(a.created)),
        [
          { provider, created: true },
          { provider, created: false },
        ],
        provider,
      );
    }
  });
});

describe("runtime hooks of AuthenticateApple", () => {
  const MODULE = `
export const calls = [];
export function InitModule(ctx, logger, nk, initializer) {
  initializer.registerBeforeAuthenticateApple((ctx, logger, nk, data) => {
    calls.push({ mode: "before", token: data.account.token, create: data.create });
    if (data.account.vars.refuse === "yes") return null;
    data.account.vars = { ...data.account.vars, hooked: "apple" };
    return data;
  });
  initializer.registerAfterAuthenticateApple((ctx, logger, nk, data, request) => {
    calls.push({ mode: "after", userId: ctx.userId, created: data.created, token: request.account.token });
  });
}
`;
  let hooked: TestServer;
  let calls: Record<string, unknown>[];
  before(async () => {
    const dir = tempDir("tessera-runtime-");
    cleanups.push(() => dir.remove());
    writeFileSync(join(dir.path, "apple-hooks.mjs"), MODULE);
    hooked = await serverWith({ "runtime.path": dir.path });
    calls = ((await import(pathToFileURL(join(dir.path, "apple-hooks.mjs")).href)) as { calls: typeof calls }).calls;
  });

  it("a before hook that returns nothing stops the sign-in before Apple is asked (404)", async () => {
    const keys = fake.count(FAKE_PATHS.appleKeys);
    const token = await fake.appleToken();
    assertError(await hooked.api.withKey(APPLE, { token, vars: { refuse: "yes" } }), 404, "Requested resource was not found.");
    assert.equal(fake.count(FAKE_PATHS.appleKeys), keys, "Apple's keys were not fetched");
    assert.deepEqual(calls.splice(0), [{ mode: "before", token, create: true }]);
  });

  it("the before hook sees the token and adds vars; the after hook sees the new account", async () => {
    const token = await fake.appleToken();
    const s = ok(await hooked.api.withKey(APPLE, { token, vars: { build: "7" } }));
    assert.deepEqual(claimsOf(s.token)["vrs"], { build: "7", hooked: "apple" });
    assert.deepEqual(calls.splice(0), [
      { mode: "before", token, create: true },
      { mode: "after", userId: claimsOf(s.token)["uid"], created: true, token },
    ]);
  });
});
