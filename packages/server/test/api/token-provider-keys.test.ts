/**
 * The providers' signing keys as the server fetches and keeps them, for each token provider
 * (Apple, Google, Facebook Limited Login, OpenID Connect) against the fake providers: keys that
 * cannot be fetched (503, no answer, a dropped connection) make a 503 with Retry-After, never a
 * 401; keys once fetched keep verifying through a later outage, even past their lifetime; a new
 * key id is fetched at once, and forged key ids refetch at most once per cooldown (the fake's
 * request counters); an OpenID Connect discovery document naming another issuer is an outage.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KEY_SET_COOLDOWN_MS, KEY_SET_MAX_AGE_MS } from "../../src/auth/social/remote-key-set.js";
import { FAKE_PATHS, randomSubject, startFakeProviders, type FakeProviders, type OutageMode } from "../support/fake-providers.js";
import { startTestServer, type ApiResponse, type TestServer } from "../support/harness.js";
import { assertError, ok } from "../support/expect.js";
import { TestClock } from "../support/test-clock.js";
import { TOKEN_PROVIDERS } from "../support/token-providers.js";

const clock = new TestClock();
let fake: FakeProviders;
const servers: TestServer[] = [];

/** A server that has not fetched any key yet. */
async function freshServer(): Promise<TestServer> {
  const t = await startTestServer(fake.settings(), undefined, { clock });
  servers.push(t);
  return t;
}

before(async () => {
  fake = await startFakeProviders({ clock });
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await fake.close();
});

/** A provider outage as the API answers it: 503 (code 14) with Retry-After, never a refusal of the credential. */
function assertUnavailable(res: ApiResponse, what: string): void {
  assert.equal(res.status, 503, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  assertError(res, 503, /unavailable .*try again later\.$/, 14);
  assert.match(res.headers.get("retry-after") ?? "", /^\d+$/, `${what}: Retry-After`);
}

for (const p of TOKEN_PROVIDERS) {
  describe(`${p.label} keys`, () => {
    let t: TestServer;
    before(async () => {
      t = await freshServer();
    });
    afterEach(() => fake.up());
    const signIn = async (token: string) => t.api.withKey(p.route, { token });

    for (const mode of ["503", "hang", "close"] as const satisfies readonly OutageMode[]) {
      it(`keys that cannot be fetched (${mode === "503" ? "HTTP 503" : mode === "hang" ? "no answer within social.timeout_ms" : "connection closed"}) are a 503 with Retry-After, never a 401`, async () => {
        fake.down(p.owner, mode);
        const before = fake.countFor(p.owner);
        assertUnavailable(await signIn(await p.token(fake)), mode);
        assert.ok(fake.countFor(p.owner) > before, "the server asked for the keys");
      });
    }

    it("once fetched, the keys keep verifying through an outage, even past their lifetime", async () => {
      ok(await signIn(await p.token(fake)));
      fake.down(p.owner, "503");
      ok(await signIn(await p.token(fake)), "within the keys' lifetime: not asked again");
      clock.advance(KEY_SET_MAX_AGE_MS + 1000);
      // Counted over the provider's paths: an OpenID Connect refresh fails at its discovery document.
      const before = fake.countFor(p.owner);
      ok(await signIn(await p.token(fake)), "past it: asked again, failed, the known keys still verify");
      assert.equal(fake.countFor(p.owner) - before, 1);
      fake.down(p.owner, "close");
      ok(await signIn(await p.token(fake)), "the failed refresh is not tried again on every sign-in");
      assert.equal(fake.countFor(p.owner) - before, 1);
    });

    it("after a key rotation, a token with the new key id is accepted at once, and the old key is gone", async () => {
      const old = await p.token(fake, { sub: randomSubject() });
      ok(await signIn(old));
      // Past the cooldown since the last fetch; long before the keys' lifetime ends.
      clock.advance(KEY_SET_COOLDOWN_MS + 1000);
      await fake.rotateKeys(p.owner);
      const before = fake.count(p.keysPath);
      ok(await signIn(await p.token(fake)));
      assert.equal(fake.count(p.keysPath) - before, 1, "the unknown key id made one fetch");
      assertError(await signIn(old), 401, p.messages.notAuthenticated, 16);
    });

    it("forged key ids refetch the keys at most once per cooldown", async () => {
      ok(await signIn(await p.token(fake)));
      clock.advance(KEY_SET_COOLDOWN_MS + 1000);
      const before = fake.count(p.keysPath);
      for (let i = 0; i < 5; i++) assertError(await signIn(await p.token(fake, { kid: `forged-${i}` })), 401, p.messages.notAuthenticated, 16);
      assert.equal(fake.count(p.keysPath) - before, 1, "five forged kids, one fetch");
      ok(await signIn(await p.token(fake)), "genuine tokens still sign in meanwhile");
      clock.advance(KEY_SET_COOLDOWN_MS + 1000);
      assertError(await signIn(await p.token(fake, { kid: "forged-later" })), 401, p.messages.notAuthenticated, 16);
      assert.equal(fake.count(p.keysPath) - before, 2, "the next cooldown allows one more");
    });
  });
}

describe("OpenID Connect discovery", () => {
  afterEach(() => {
    fake.up();
    fake.setDiscoveryIssuer("zenith", undefined);
  });

  it("is read once, with the keys: the discovery document names the keys' URL", async () => {
    const t = await freshServer();
    const discovery = fake.count(FAKE_PATHS.oidcDiscovery("zenith"));
    for (let i = 0; i < 3; i++) ok(await t.api.withKey("/v2/account/authenticate/oidc/zenith", { token: await fake.oidcToken("zenith") }));
    assert.equal(fake.count(FAKE_PATHS.oidcDiscovery("zenith")) - discovery, 1);
  });

  it("a discovery document naming another issuer is an outage (503), not a refusal", async () => {
    const t = await freshServer();
    fake.setDiscoveryIssuer("zenith", "https://impostor.example.com");
    assertUnavailable(await t.api.withKey("/v2/account/authenticate/oidc/zenith", { token: await fake.oidcToken("zenith") }), "misnamed issuer");
    fake.setDiscoveryIssuer("zenith", undefined);
    ok(await t.api.withKey("/v2/account/authenticate/oidc/zenith", { token: await fake.oidcToken("zenith") }), "once it names the issuer again");
  });

  it("discovery that cannot be read is an outage (503)", async () => {
    const t = await freshServer();
    fake.down("oidc:zenith", "503");
    const keys = fake.count(FAKE_PATHS.oidcKeys("zenith"));
    assertUnavailable(await t.api.withKey("/v2/account/authenticate/oidc/zenith", { token: await fake.oidcToken("zenith") }), "discovery down");
    assert.equal(fake.count(FAKE_PATHS.oidcKeys("zenith")) - keys, 0, "no keys are asked for without discovery");
  });
});
