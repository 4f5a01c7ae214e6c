/**
 * The contract every sign-in provider of the registry keeps, run over each of them through a real
 * server (Steam through the fake Steam of the test support): sign-in creates, signs in again to
 * the same account, shows the identity in the account JSON; linking another account's identity is
 * a 409, unlinking an account's last identity is refused; link and unlink follow the provider's
 * one-or-many rule. A new provider gets these tests by adding its credential maker below.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PROVIDERS, type ProviderName, type RegisteredProvider } from "../../src/auth/providers/registry.js";
import type { CredentialBody } from "../../src/auth/providers/provider.js";
import { startFakeSteam, steamId, type FakeSteam } from "../support/fake-steam.js";
import { claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { PASSWORD, assertError, customId, deviceId, email, ok } from "../support/expect.js";

const LAST_IDENTITY = "Cannot unlink the last identity of an account; link another identity first or the account would be lost.";

/** A player's credential: each call gives a body that proves the same identity (a Steam ticket is fresh every time). */
type Player = () => Record<string, string>;

let steam: FakeSteam;

/** How the tests make a new player of each provider: one entry per provider of the registry. */
const PLAYERS: Partial<Record<ProviderName, () => Player>> = {
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
};

/** A link or unlink body of the provider's shape around a credential. */
function bodyOf(shape: CredentialBody, credential: Record<string, string>): Record<string, unknown> {
  return shape.kind === "account_and_sync" ? { account: credential } : credential;
}

/** What the account JSON shows for the provider's identities. */
function shown(provider: RegisteredProvider, account: Record<string, any>): unknown {
  const field = provider.accountField;
  if (field.shape === "none") return undefined;
  return field.in === "user" ? account["user"][field.key] : account[field.key];
}

let t: TestServer;
before(async () => {
  steam = await startFakeSteam();
  t = await startTestServer(steam.settings());
});
after(async () => {
  await t.close();
  await steam.close();
});

it("every provider of the registry has a player maker here", () => {
  assert.deepEqual(Object.keys(PLAYERS).sort(), PROVIDERS.map((p) => p.name).sort());
});

for (const provider of PROVIDERS) {
  const newPlayer = PLAYERS[provider.name];
  if (newPlayer === undefined) continue;
  const { path } = provider.wire;
  const AUTH = `/v2/account/authenticate/${path}`;
  const LINK = `/v2/account/link/${path}`;
  const UNLINK = `/v2/account/unlink/${path}`;
  const signIn = async (player: Player, query = "") => ok(await t.api.withKey(AUTH + query, player()));
  const account = async (token: string) => ok(await t.api.withToken("GET", "/v2/account", token));
  const anonymous = async () => ok(await t.api.withKey("/v2/account/authenticate/anonymous", {}));
  const link = (token: string, player: Player) => t.api.withToken("POST", LINK, token, bodyOf(provider.wire.link, player()));
  const unlink = (token: string, player: Player) => t.api.withToken("POST", UNLINK, token, bodyOf(provider.wire.unlink, player()));

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
      const refused = await t.api.withKey(`${AUTH}?create=false`, player());
      // A password sign-in answers an unknown account as a wrong password (docs/security.md).
      if (provider.holdsPassword) assertError(refused, 401, "Invalid credentials.");
      else assertError(refused, 404, "User account not found.");
      assert.equal((await signIn(player)).created, true);
    });

    it("the account JSON shows the identity in the provider's field", async () => {
      const player = newPlayer();
      const s = await signIn(player);
      const value = shown(provider, await account(s.token));
      if (provider.accountField.shape === "id_list") assert.equal((value as { id: string }[]).length, 1);
      else assert.equal(typeof value, "string");
    });

    it("linking an identity another account holds is a 409 with the provider's message", async () => {
      const holder = newPlayer();
      await signIn(holder);
      const other = await anonymous();
      assertError(await link(other.token, holder), 409, provider.messages.inUse);
    });

    it("an account's last identity cannot be unlinked", async () => {
      const player = newPlayer();
      const s = await signIn(player);
      assertError(await unlink(s.token, player), 400, LAST_IDENTITY, 9);
      assert.equal((await signIn(player)).created, undefined, "still signs in");
    });

    it("linked to an anonymous account, it signs in to that account; unlinked, it is not linked any more", async () => {
      const anon = await anonymous();
      const player = newPlayer();
      ok(await link(anon.token, player));
      const s = await signIn(player, "?create=false");
      assert.equal(claimsOf(s.token)["uid"], claimsOf(anon.token)["uid"]);
      // A second identity of the account, so the provider's is not its last.
      const spare = PLAYERS[provider.name === "device" ? "custom" : "device"]!();
      ok(await t.api.withToken("POST", provider.name === "device" ? "/v2/account/link/custom" : "/v2/account/link/device", anon.token, spare()));
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
        assert.equal((value as unknown[]).length, 2);
        assert.equal(claimsOf((await signIn(first, "?create=false")).token)["uid"], uid);
      } else {
        assert.equal(typeof value, "string");
        const gone = await t.api.withKey(`${AUTH}?create=false`, first());
        assert.ok(gone.status === 404 || gone.status === 401, `the replaced identity signs in no more: ${gone.status}`);
      }
    });
  });
}
