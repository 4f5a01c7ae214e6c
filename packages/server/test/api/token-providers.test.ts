/**
 * Sign-in with a provider's signed token (Apple, Google ID tokens, Facebook Limited Login,
 * OpenID Connect) through a real server and the fake providers (support/fake-providers.ts): the
 * same rules for each, as a specification. A valid token signs in; a changed signature, an
 * expired token, another audience or issuer, an algorithm off the allow-list or an unknown key
 * is refused with 401 and Nakama's message; the leeway holds both ways; a missing token and a
 * provider that is not configured are 400s. Then what only some of them have (Apple's nonce,
 * Google's and Facebook's second issuer spelling). Outages and keys: token-provider-keys.test.ts;
 * accounts, Graph, Play Games, OIDC names, limits, metrics, hooks: token-provider-accounts.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { KEY_SET_COOLDOWN_MS } from "../../src/auth/social/remote-key-set.js";
import { randomSubject, startFakeProviders, tamperedClaims, tamperedSignature, type FakeProviders } from "../support/fake-providers.js";
import { claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { assertError, ok } from "../support/expect.js";
import { TestClock } from "../support/test-clock.js";
import { TOKEN_PROVIDERS } from "../support/token-providers.js";

/** `social.leeway_sec`'s default. */
const LEEWAY_SEC = 60;

const clock = new TestClock();
const nowSec = () => Math.floor(clock.now() / 1000);
let fake: FakeProviders;
let t: TestServer;
/** A server without any provider setting. */
let bare: TestServer;

before(async () => {
  fake = await startFakeProviders({ clock });
  [t, bare] = await Promise.all([startTestServer(fake.settings(), undefined, { clock }), startTestServer({}, undefined, { clock })]);
});
after(async () => {
  await Promise.all([t.close(), bare.close()]);
  await fake.close();
});

for (const p of TOKEN_PROVIDERS) {
  describe(`${p.label} token sign-in`, () => {
    const signIn = async (token: string, query = "") => t.api.withKey(p.route + query, { token });
    const refused = async (token: string, why: string) => {
      const res = await signIn(token);
      assert.equal(res.status, 401, `${why}: ${res.status} ${JSON.stringify(res.body)}`);
      assertError(res, 401, p.messages.notAuthenticated, 16);
    };

    it("a valid token signs in: the account is created, then found again by the same subject", async () => {
      const sub = randomSubject();
      const first = ok(await signIn(await p.token(fake, { sub })));
      assert.equal(first.created, true);
      const again = ok(await signIn(await p.token(fake, { sub }), "?create=false"));
      assert.equal(again.created, undefined);
      assert.equal(claimsOf(again.token)["uid"], claimsOf(first.token)["uid"]);
      const other = ok(await signIn(await p.token(fake)));
      assert.notEqual(claimsOf(other.token)["uid"], claimsOf(first.token)["uid"], "another subject is another account");
    });

    it("a token whose signature or claims were changed is refused with 401 and Nakama's message", async () => {
      const token = await p.token(fake);
      await refused(tamperedSignature(token), "signature");
      await refused(tamperedClaims(token, { sub: randomSubject("someone-else") }), "claims");
    });

    it("a token expired more than the 60 s leeway ago is refused; one expired 30 s ago is still accepted", async () => {
      await refused(await p.token(fake, { iat: nowSec() - 900, exp: nowSec() - LEEWAY_SEC - 5 }), "expired");
      ok(await signIn(await p.token(fake, { iat: nowSec() - 900, exp: nowSec() - 30 })));
    });

    it("a token that was valid is refused once the server's clock passes its exp and the leeway", async () => {
      const token = await p.token(fake, { exp: nowSec() + 120 });
      ok(await signIn(token));
      clock.advance((120 + LEEWAY_SEC + 5) * 1000);
      await refused(token, "expired by the clock");
    });

    it("a token issued in the future is refused beyond the leeway and accepted within it", async () => {
      await refused(await p.token(fake, { iat: nowSec() + LEEWAY_SEC + 30, exp: nowSec() + 900 }), "iat in the future");
      ok(await signIn(await p.token(fake, { iat: nowSec() + 30, exp: nowSec() + 900 })));
      await refused(await p.token(fake, { claims: { nbf: nowSec() + LEEWAY_SEC + 30 } }), "nbf in the future");
    });

    it("a token for another audience is refused", async () => {
      await refused(await p.token(fake, { aud: "com.someone-else.app" }), "audience");
      await refused(await p.token(fake, { aud: [] }), "no audience");
    });

    it("a token of another issuer is refused", async () => {
      await refused(await p.token(fake, { iss: "https://issuer.example.com" }), "issuer");
      await refused(await p.token(fake, { iss: `${fake.url}/oidc/zenith` }), "another configured issuer");
    });

    it("an algorithm off the allow-list is refused: HS256 keyed with the provider's public key, none, RS512", async () => {
      const before = fake.count(p.keysPath);
      await refused(await p.token(fake, { alg: "HS256" }), "HS256");
      await refused(await p.token(fake, { alg: "none" }), "none");
      await refused(await p.token(fake, { alg: "RS512" }), "RS512");
      assert.ok(fake.count(p.keysPath) - before <= 1, "refused before any key is looked for (at most the first fetch)");
    });

    it("a token without exp or sub is refused", async () => {
      await refused(await p.token(fake, { claims: { exp: undefined } }), "no exp");
      await refused(await p.token(fake, { claims: { sub: undefined } }), "no sub");
      await refused(await p.token(fake, { sub: "" }), "empty sub");
    });

    it("a token naming a key the provider does not serve is refused, after the one refetch the cooldown allows", async () => {
      ok(await signIn(await p.token(fake)));
      clock.advance(KEY_SET_COOLDOWN_MS + 1000);
      const before = fake.count(p.keysPath);
      await refused(await p.token(fake, { kid: "forged-kid" }), "unknown kid");
      assert.equal(fake.count(p.keysPath) - before, 1, "the keys were fetched again once");
    });

    it("no token is 400 with Nakama's message", async () => {
      assertError(await t.api.withKey(p.route, {}), 400, p.messages.tokenRequired);
      assertError(await signIn(""), 400, p.messages.tokenRequired);
    });

    it("a server without the provider's settings answers 400 'not configured' (code 9), even to a valid token", async () => {
      assertError(await bare.api.withKey(p.route, { token: await p.token(fake) }), 400, p.messages.notConfigured, 9);
    });
  });
}

describe("Apple's nonce", () => {
  const APPLE = "/v2/account/authenticate/apple";
  const NOT_AUTHENTICATED = TOKEN_PROVIDERS[0]!.messages.notAuthenticated;
  const nonce = "a-nonce-the-app-made-0123456789";
  const sha256 = createHash("sha256").update(nonce).digest("hex");

  it("when the client sends one, the token's nonce must be it or its SHA-256 in hex", async () => {
    ok(await t.api.withKey(APPLE, { token: await fake.appleToken({ nonce }), nonce }));
    ok(await t.api.withKey(APPLE, { token: await fake.appleToken({ nonce: sha256 }), nonce }));
  });

  it("a token with another nonce, or none, is refused when the client sends one", async () => {
    assertError(await t.api.withKey(APPLE, { token: await fake.appleToken({ nonce: "another-nonce" }), nonce }), 401, NOT_AUTHENTICATED);
    assertError(await t.api.withKey(APPLE, { token: await fake.appleToken(), nonce }), 401, NOT_AUTHENTICATED);
    // The hash goes one way: the client's nonce is the raw one.
    assertError(await t.api.withKey(APPLE, { token: await fake.appleToken({ nonce }), nonce: sha256 }), 401, NOT_AUTHENTICATED);
  });

  it("without a nonce from the client, the token's nonce is not compared", async () => {
    ok(await t.api.withKey(APPLE, { token: await fake.appleToken({ nonce }) }));
  });
});

describe("second issuer spellings", () => {
  it("Google: accounts.google.com with and without https://", async () => {
    ok(await t.api.withKey("/v2/account/authenticate/google", { token: await fake.googleIdToken({ iss: "accounts.google.com" }) }));
    ok(await t.api.withKey("/v2/account/authenticate/google", { token: await fake.googleIdToken({ iss: "https://accounts.google.com" }) }));
  });

  it("Facebook Limited Login: www.facebook.com and facebook.com", async () => {
    ok(await t.api.withKey("/v2/account/authenticate/facebook", { token: await fake.limitedLoginToken({ iss: "https://facebook.com" }) }));
    ok(await t.api.withKey("/v2/account/authenticate/facebook", { token: await fake.limitedLoginToken({ iss: "https://www.facebook.com" }) }));
  });
});
