/**
 * The sign-in providers' settings (`social.*`, `google_auth.credentials_json`): a half-configured
 * or malformed provider stops start-up with a `ConfigError` naming the setting; lists parse from
 * YAML and from the environment alike.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { enforceSafety, safetyFindings } from "../../src/config/safety.js";
import { tempDir } from "../support/harness.js";

const load = (overrides: Record<string, string | number | boolean>, env: Record<string, string> = {}) => loadConfig({ env, overrides });

function refused(overrides: Record<string, string | number | boolean>, setting: string, message?: RegExp): void {
  assert.throws(
    () => load(overrides),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.setting, setting, err.message);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

const OIDC = { name: "studio", issuer: "https://id.example.com/realms/game", client_ids: ["game-client"] };

describe("social.oidc", () => {
  it("reads a YAML list and the same list as JSON in the environment", () => {
    const dir = tempDir("tessera-oidc-config-");
    try {
      const file = join(dir.path, "tessera.yml");
      writeFileSync(
        file,
        "social:\n  oidc:\n    - name: studio\n      issuer: https://id.example.com/realms/game\n      client_ids: [game-client, web-client]\n",
      );
      const fromYaml = loadConfig({ argv: ["--config", file], env: {} });
      assert.deepEqual(fromYaml.social.oidc, [
        { name: "studio", issuer: "https://id.example.com/realms/game", clientIds: ["game-client", "web-client"], jwksUrl: undefined },
      ]);
      const fromEnv = loadConfig({ env: { TESSERA_SOCIAL_OIDC: JSON.stringify([{ ...OIDC, client_ids: "a, b", jwks_url: "https://id.example.com/keys/" }]) } });
      assert.deepEqual(fromEnv.social.oidc, [{ name: "studio", issuer: OIDC.issuer, clientIds: ["a", "b"], jwksUrl: "https://id.example.com/keys/" }]);
    } finally {
      dir.remove();
    }
  });

  it("refuses a bad entry, naming it", () => {
    const list = (...entries: unknown[]) => ({ "social.oidc": JSON.stringify(entries) });
    refused({ "social.oidc": "not json" }, "social.oidc");
    refused({ "social.oidc": JSON.stringify({ name: "x" }) }, "social.oidc");
    refused(list("studio"), "social.oidc[0]");
    refused(list({ ...OIDC, name: undefined }), "social.oidc[0].name");
    refused(list({ ...OIDC, name: "Has Space" }), "social.oidc[0].name");
    refused(list(OIDC, OIDC), "social.oidc[1].name", /declared twice/);
    refused(list({ ...OIDC, issuer: "ftp://id.example.com" }), "social.oidc[0].issuer");
    refused(list({ ...OIDC, client_ids: [] }), "social.oidc[0].client_ids");
    refused(list({ ...OIDC, client_ids: [""] }), "social.oidc[0].client_ids");
    refused(list({ ...OIDC, secret: "x" }), "social.oidc[0].secret", /unknown field/);
    refused(list({ ...OIDC, jwks_url: 5 }), "social.oidc[0].jwks_url");
  });
});

describe("the other providers' settings", () => {
  it("Facebook's app id and secret come together", () => {
    refused({ "social.facebook.app_id": "123" }, "social.facebook.app_secret");
    refused({ "social.facebook.app_secret": "s" }, "social.facebook.app_id");
    assert.deepEqual(load({ "social.facebook.app_id": "123", "social.facebook.app_secret": "s" }).social.facebook.app, { id: "123", secret: "s" });
  });

  it("google_auth.credentials_json must be Google's OAuth client file", () => {
    refused({ "google_auth.credentials_json": "{" }, "google_auth.credentials_json", /not JSON/);
    refused({ "google_auth.credentials_json": JSON.stringify({ other: {} }) }, "google_auth.credentials_json");
    refused({ "google_auth.credentials_json": JSON.stringify({ web: { client_secret: "s" } }) }, "google_auth.credentials_json", /client_id/);
    refused({ "google_auth.credentials_json": JSON.stringify({ installed: { client_id: "c" } }) }, "google_auth.credentials_json", /client_secret/);
    const ok = load({ "google_auth.credentials_json": JSON.stringify({ web: { client_id: "c", client_secret: "s", token_uri: "x" } }) });
    assert.deepEqual(ok.social.google.playGames, { clientId: "c", clientSecret: "s" });
  });

  it("the leeway is at most 60 s; the Game Center key URL pattern must be a regular expression; trust roots come with bundle ids", () => {
    refused({ "social.leeway_sec": 61 }, "social.leeway_sec");
    refused({ "social.gamecenter.key_url_pattern": "([" }, "social.gamecenter.key_url_pattern");
    refused({ "social.gamecenter.bundle_ids": "com.example.game" }, "social.gamecenter.trust_roots");
  });

  it("comma-separated ids are lists; provider URLs must be http(s)", () => {
    const c = load({ "social.apple.bundle_id": "com.example.game, com.example.web ,", "social.google.client_ids": "a.apps.googleusercontent.com" });
    assert.deepEqual(c.social.apple.bundleIds, ["com.example.game", "com.example.web"]);
    assert.deepEqual(c.social.google.clientIds, ["a.apps.googleusercontent.com"]);
    refused({ "social.apple.jwks_url": "ftp://appleid.apple.com/auth/keys" }, "social.apple.jwks_url");
    // The default Limited Login keys URL keeps its trailing slash, as Facebook publishes it.
    assert.equal(load({}).social.facebook.limitedLoginJwksUrl, "https://limited.facebook.com/.well-known/oauth/openid/jwks/");
  });

  it("a configured provider's plain-http URL is a safety finding (refused with production); an unconfigured one's is not", () => {
    const configured = load({ "social.apple.bundle_id": "com.example.game", "social.apple.jwks_url": "http://keys.example.com/keys" });
    assert.ok(safetyFindings(configured).some((f) => f.setting === "social.apple.jwks_url"));
    const unconfigured = load({ "social.apple.jwks_url": "http://keys.example.com/keys" });
    assert.ok(!safetyFindings(unconfigured).some((f) => f.setting === "social.apple.jwks_url"));
    const production = load({
      production: true,
      "socket.server_key": "a-real-server-key",
      "social.apple.bundle_id": "x",
      "social.apple.jwks_url": "http://k.example.com/",
    });
    assert.throws(
      () => enforceSafety(production),
      (err: unknown) => err instanceof ConfigError && err.setting === "social.apple.jwks_url",
    );
  });
});
