/**
 * The contract every sign-in provider of the registry keeps, run over each of them through a real
 * server (Steam, Apple, Google, Facebook, OpenID Connect and Game Center through the fakes of the
 * test support): sign-in creates, signs in again to the same account, shows the identity in the
 * account JSON (or, for a provider Nakama's account has no field for, keeps it out); linking
 * another account's identity is a 409, unlinking an account's last identity is refused; link and
 * unlink follow the provider's one-or-many rule. A new provider gets these tests by adding its
 * credential maker below.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { LAST_IDENTITY_MESSAGE } from "../../src/account/link.js";
import { PROVIDERS, type ProviderName, type RegisteredProvider } from "../../src/auth/providers/registry.js";
import type { CredentialBody } from "../../src/auth/providers/provider.js";
import { startFakeSteam, steamId, type FakeSteam } from "../support/fake-steam.js";
import { numericId, randomSubject, startFakeProviders, type FakeProviders } from "../support/fake-providers.js";
import { startFakeGameCenter, type FakeGameCenter } from "../support/fake-gamecenter.js";
import { instantGamesSettings, signedPlayerInfo } from "../support/instant-games.js";
import { claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { PASSWORD, assertError, customId, deviceId, email, ok } from "../support/expect.js";

/**
 * A player's credential: each call gives a body that proves the same identity (a Steam ticket, a
 * token, a signature is fresh every time). Fields the provider takes from the path (`wire.pathParams`,
 * OpenID Connect's `name`) are given here too and moved into the path.
 */
type Player = () => Record<string, string> | Promise<Record<string, string>>;

let steam: FakeSteam;
let fake: FakeProviders;
let gamecenter: FakeGameCenter;

/** How the tests make a new player of each provider: one entry per provider of the registry. */
const PLAYERS: Record<ProviderName, () => Player> = {
  device: () => {
    const id = deviceId();
    return () => ({ id });
  },
  email: () => {
    const address = email();
    return () => ({ email: address, password: PASSWORD });
  },
  custom: () => {
    const id = customId();
    return () => ({ id });
  },
  steam: () => {
    const player = { steamId: steamId() };
    return () => ({ token: steam.ticketFor(player) });
  },
  apple: () => {
    const sub = randomSubject("001234");
    return async () => ({ token: await fake.appleToken({ sub }) });
  },
  google: () => {
    const sub = numericId();
    return async () => ({ token: await fake.googleIdToken({ sub }) });
  },
  // The Graph API path (a user access token, debug_token, appsecret_proof); Limited Login is token-providers.test.ts's.
  facebook: () => {
    const user = { id: numericId(), name: "Contract Player" };
    return () => ({ token: fake.facebookAccessToken(user) });
  },
  facebookinstantgame: () => {
    const id = numericId();
    return () => ({ signed_player_info: signedPlayerInfo(id) });
  },
  gamecenter: () => {
    const id = `T:_${randomSubject("gc")}`;
    return () => gamecenter.credentialFor(id);
  },
  oidc: () => {
    const sub = randomSubject("subject");
    return async () => ({ name: "acme", token: await fake.oidcToken("acme", { sub }) });
  },
};

/** The credential and the route path of a provider's call (`/v2/account/<call>/oidc/acme`). */
function split(provider: RegisteredProvider, credential: Record<string, string>): { path: string; credential: Record<string, string> } {
  const params = provider.wire.pathParams ?? [];
  const rest = Object.fromEntries(Object.entries(credential).filter(([k]) => !params.includes(k)));
  return { path: [provider.wire.path, ...params.map((p) => encodeURIComponent(credential[p] ?? ""))].join("/"), credential: rest };
}

/** A link or unlink body of the provider's shape around a credential. */
function bodyOf(shape: CredentialBody, credential: Record<string, string>): Record<string, unknown> {
  return shape.kind === "account_and_sync" ? { account: credential } : credential;
}

/** What the account JSON shows for the provider's identities (nothing for a provider it has no field for). */
function shown(provider: RegisteredProvider, account: Record<string, any>): unknown {
  const field = provider.accountField;
  if (field.shape === "none") return undefined;
  return field.in === "user" ? account["user"][field.key] : account[field.key];
}

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [...(Array.isArray(value) ? [] : [k]), ...keysOf(v)]);
}

let t: TestServer;
before(async () => {
  [steam, fake, gamecenter] = await Promise.all([startFakeSteam(), startFakeProviders(), startFakeGameCenter()]);
  t = await startTestServer({ ...steam.settings(), ...fake.settings(), ...gamecenter.settings(), ...instantGamesSettings() });
});
after(async () => {
  await t.close();
  await Promise.all([steam.close(), fake.close(), gamecenter.close()]);
});

it("every provider of the registry has a player maker here", () => {
  assert.deepEqual(Object.keys(PLAYERS).sort(), PROVIDERS.map((p) => p.name).sort());
});

for (const provider of PROVIDERS) {
  const newPlayer = PLAYERS[provider.name];
  const call = async (player: Player) => split(provider, await player());
  const attempt = async (player: Player, query = "") => {
    const { path, credential } = await call(player);
    return t.api.withKey(`/v2/account/authenticate/${path}${query}`, credential);
  };
  const signIn = async (player: Player, query = "") => ok(await attempt(player, query));
  const account = async (token: string) => ok(await t.api.withToken("GET", "/v2/account", token));
  const anonymous = async () => ok(await t.api.withKey("/v2/account/authenticate/anonymous", {}));
  const link = async (token: string, player: Player) => {
    const { path, credential } = await call(player);
    return t.api.withToken("POST", `/v2/account/link/${path}`, token, bodyOf(provider.wire.link, credential));
  };
  const unlink = async (token: string, player: Player) => {
    const { path, credential } = await call(player);
    return t.api.withToken("POST", `/v2/account/unlink/${path}`, token, bodyOf(provider.wire.unlink, credential));
  };

  describe(`provider ${provider.name}`, () => {
    it("a sign-in creates the account; the next one finds it", async () => {
      const player = newPlayer();
      const first = await signIn(player);
      assert.equal(first.created, true);
      const second = await signIn(player, "?create=false");
      assert.equal(second.created, undefined);
      assert.equal(claimsOf(second.token)["uid"], claimsOf(first.token)["uid"]);
    });

    it("an unknown identity with create=false is not found, and creates nothing", async () => {
      const player = newPlayer();
      const refused = await attempt(player, "?create=false");
      // A password sign-in answers an unknown account as a wrong password (docs/security.md).
      if (provider.holdsPassword) assertError(refused, 401, "Invalid credentials.");
      else assertError(refused, 404, "User account not found.");
      assert.equal((await signIn(player)).created, true);
    });

    if (provider.accountField.shape === "none") {
      it("the account JSON has no field for the identity (Nakama's has none), and the identity signs in", async () => {
        const player = newPlayer();
        const credential = await player();
        const { path, credential: body } = split(provider, credential);
        const s = ok(await t.api.withKey(`/v2/account/authenticate/${path}`, body));
        const shownAccount = await account(s.token);
        const sub = claimsOf(credential["token"]!)["sub"] as string;
        assert.ok(!JSON.stringify(shownAccount).includes(sub), `the subject is not in the account JSON: ${JSON.stringify(shownAccount)}`);
        assert.deepEqual(
          keysOf(shownAccount).filter((k) => k.includes(provider.name)),
          [],
          "no field of the provider in the account JSON",
        );
        assert.equal(claimsOf((await signIn(player, "?create=false")).token)["uid"], claimsOf(s.token)["uid"]);
      });
    } else {
      it("the account JSON shows the identity in the provider's field", async () => {
        const player = newPlayer();
        const s = await signIn(player);
        const value = shown(provider, await account(s.token));
        if (provider.accountField.shape === "id_list") assert.equal((value as { id: string }[]).length, 1);
        else assert.equal(typeof value, "string");
      });
    }

    it("linking an identity another account holds is a 409 with the provider's message", async () => {
      const holder = newPlayer();
      await signIn(holder);
      const other = await anonymous();
      assertError(await link(other.token, holder), 409, provider.messages.inUse);
    });

    it("an account's last identity cannot be unlinked", async () => {
      const player = newPlayer();
      const s = await signIn(player);
      assertError(await unlink(s.token, player), 400, LAST_IDENTITY_MESSAGE, 9);
      assert.equal((await signIn(player)).created, undefined, "still signs in");
    });

    it("linked to an anonymous account, it signs in to that account; unlinked, it is not linked any more", async () => {
      const anon = await anonymous();
      const player = newPlayer();
      ok(await link(anon.token, player));
      const s = await signIn(player, "?create=false");
      assert.equal(claimsOf(s.token)["uid"], claimsOf(anon.token)["uid"]);
      // A second identity of the account, so the provider's is not its last.
      const spare = PLAYERS[provider.name === "device" ? "custom" : "device"]();
      ok(await t.api.withToken("POST", provider.name === "device" ? "/v2/account/link/custom" : "/v2/account/link/device", anon.token, await spare()));
      ok(await unlink(anon.token, player));
      assertError(await unlink(anon.token, player), 404, provider.messages.notLinked);
    });

    it(`a link ${provider.perAccount === "many" ? "adds an identity" : "replaces the account's identity"} of the provider`, async () => {
      const first = newPlayer();
      const s = await signIn(first);
      const uid = claimsOf(s.token)["uid"];
      const second = newPlayer();
      ok(await link(s.token, second));
      assert.equal(claimsOf((await signIn(second, "?create=false")).token)["uid"], uid);
      const value = shown(provider, await account(s.token));
      if (provider.perAccount === "many") {
        if (provider.accountField.shape === "id_list") assert.equal((value as unknown[]).length, 2);
        assert.equal(claimsOf((await signIn(first, "?create=false")).token)["uid"], uid);
      } else {
        if (provider.accountField.shape !== "none") assert.equal(typeof value, "string");
        const gone = await attempt(first, "?create=false");
        assert.ok(gone.status === 404 || gone.status === 401, `the replaced identity signs in no more: ${gone.status}`);
      }
    });
  });
}
