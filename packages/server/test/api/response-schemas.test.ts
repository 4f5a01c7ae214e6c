/**
 * Each JSON route's declared response schema (from @tessera/protocol, the one `/openapi.json`
 * documents and the SDK and the console are typed by) is what the server really answers: a
 * representative call of each, against a real server, validated with undeclared fields refused.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { toJsonSchema, validate } from "@tessera/protocol";
import { apiRoutes } from "../../src/app.js";
import { createConsoleUser } from "../../src/admin/console-users.js";
import { CLI_ACTOR } from "../../src/audit/audit-events.js";
import { banAccount } from "../../src/account/ban.js";
import { grantLicense } from "../../src/tickets/licenses.js";
import type { Route } from "../../src/http/route.js";
import { claimsOf, startTestServer, type ApiResponse, type TestServer } from "../support/harness.js";
import { deviceId } from "../support/expect.js";

const GAME_SERVER = { identity: "eu-west-1", secret: "s-secret-".padEnd(40, "s") };
const CONSOLE_PASSWORD = "console-password-123";

/** The declaration of the route `method path` (its path pattern, as declared). */
function declared(method: string, path: string): Route {
  const found = apiRoutes().find((r) => r.method === method && r.path === path);
  assert.ok(found, `no route ${method} ${path}`);
  return found;
}

/** The answer is a 200 whose body the route's response schema accepts, with no field it does not declare. */
function assertMatches(method: string, path: string, res: ApiResponse): void {
  assert.equal(res.status, 200, `${method} ${path}: ${JSON.stringify(res.body)}`);
  const route = declared(method, path);
  assert.ok(route.response, `${method} ${path} declares no response schema`);
  const checked = validate(route.response, res.body, { unknownFields: "refuse" });
  assert.ok(checked.ok, checked.ok ? "" : `${method} ${path}: "${checked.problem.path}" ${checked.problem.reason} in ${JSON.stringify(res.body)}`);
}

describe("declared response schemas match the server's answers", () => {
  let t: TestServer;
  let player = { token: "", refresh: "", id: "" };
  let consoleToken = "";

  before(async () => {
    t = await startTestServer({ "tickets.game_servers": JSON.stringify([GAME_SERVER]), "tickets.app_id": 480 });
    const signIn = await t.api.withKey("/v2/account/authenticate/device?username=schema-player", { id: deviceId() });
    assertMatches("POST", "/v2/account/authenticate/device", signIn);
    assert.equal(signIn.body.created, true, "the first sign-in's answer carries created");
    player = { token: signIn.body.token, refresh: signIn.body.refresh_token, id: claimsOf(signIn.body.token)["uid"] };
    const username = `schema-admin-${randomUUID().slice(0, 8)}`;
    await createConsoleUser(t.server.core, { username, role: "admin", password: CONSOLE_PASSWORD }, CLI_ACTOR);
    const consoleSignIn = await t.api.call("POST", "/v2/console/authenticate", { body: { username, password: CONSOLE_PASSWORD } });
    assertMatches("POST", "/v2/console/authenticate", consoleSignIn);
    consoleToken = consoleSignIn.body.token;
  });
  after(() => t.close());

  it("every route declares a response schema, and /openapi.json documents it and the body schema", async () => {
    const doc = (await t.api.call("GET", "/openapi.json")).body;
    for (const r of apiRoutes()) {
      assert.ok(r.response, `${r.method} ${r.path} declares no response`);
      const op = doc.paths[r.path][r.method.toLowerCase()];
      assert.deepEqual(op.responses["200"].content[r.produces ?? "application/json"].schema, toJsonSchema(r.response), `${r.method} ${r.path} response`);
      if (r.body) assert.deepEqual(op.requestBody.content["application/json"].schema, toJsonSchema(r.body), `${r.method} ${r.path} body`);
    }
    // A schema, not a prose description: the session list's 200 names its required field.
    assert.deepEqual(doc.paths["/v2/account/sessions"].get.responses["200"].content["application/json"].schema.required, ["sessions"]);
  });

  it("sign-in, refresh, the account with identity fields, and the session list", async () => {
    assertMatches("POST", "/v2/account/authenticate/custom", await t.api.withKey("/v2/account/authenticate/custom", { id: `custom-${randomUUID()}` }));
    assertMatches("POST", "/v2/account/authenticate/anonymous", await t.api.withKey("/v2/account/authenticate/anonymous", {}));
    const refreshed = await t.api.withKey("/v2/account/session/refresh", { token: player.refresh });
    assertMatches("POST", "/v2/account/session/refresh", refreshed);
    player = { ...player, token: refreshed.body.token, refresh: refreshed.body.refresh_token };

    assertMatches(
      "POST",
      "/v2/account/link/email",
      await t.api.withToken("POST", "/v2/account/link/email", player.token, { email: "schema@example.com", password: "correct horse" }),
    );
    assertMatches("PUT", "/v2/account", await t.api.withToken("PUT", "/v2/account", player.token, { display_name: "Schema", timezone: "Europe/Paris" }));
    const account = await t.api.withToken("GET", "/v2/account", player.token);
    assertMatches("GET", "/v2/account", account);
    assert.equal(account.body.email, "schema@example.com");
    assert.equal(account.body.user.display_name, "Schema");

    const sessions = await t.api.withToken("GET", "/v2/account/sessions", player.token);
    assertMatches("GET", "/v2/account/sessions", sessions);
    assert.ok(sessions.body.sessions.length >= 1);
  });

  it("tickets, auth sessions and their events, licenses, JWKS and the Steam-shaped endpoint", async () => {
    await grantLicense(t.server.core, player.id, null, CLI_ACTOR);
    const issued = await t.api.withToken("POST", "/v2/tickets", player.token, { identity: GAME_SERVER.identity });
    assertMatches("POST", "/v2/tickets", issued);
    assertMatches("GET", "/v2/tickets", await t.api.withToken("GET", "/v2/tickets", player.token));

    const server = await t.api.withKey("/v2/tickets/server/authenticate", GAME_SERVER);
    assertMatches("POST", "/v2/tickets/server/authenticate", server);
    const begun = await t.api.withToken("POST", "/v2/tickets/auth-sessions", server.body.token, { ticket: issued.body.ticket, user_id: player.id });
    assertMatches("POST", "/v2/tickets/auth-sessions", begun);
    assert.equal(begun.body.result, 0, JSON.stringify(begun.body));
    const refused = await t.api.withToken("POST", "/v2/tickets/auth-sessions", server.body.token, { ticket: issued.body.ticket, user_id: player.id });
    assertMatches("POST", "/v2/tickets/auth-sessions", refused);
    assert.notEqual(refused.body.result, 0);

    const polled = await t.api.withToken("POST", "/v2/tickets/auth-sessions/poll", server.body.token, { wait_ms: 3000 });
    assertMatches("POST", "/v2/tickets/auth-sessions/poll", polled);
    assert.ok(polled.body.events.length >= 1, "the validation result arrived");
    assertMatches("GET", "/v2/tickets/auth-sessions", await t.api.withToken("GET", "/v2/tickets/auth-sessions", server.body.token));

    assertMatches("GET", "/v2/licenses", await t.api.withToken("GET", "/v2/licenses", player.token));
    assertMatches("GET", "/.well-known/jwks.json", await t.api.call("GET", "/.well-known/jwks.json"));
    const another = await t.api.withToken("POST", "/v2/tickets", player.token, {});
    const steamPath = "/ISteamUserAuth/AuthenticateUserTicket/v1/";
    assertMatches("GET", steamPath, await t.api.call("GET", `${steamPath}?key=${GAME_SERVER.secret}&appid=480&ticket=${another.body.ticket}`));
    assertMatches("GET", steamPath, await t.api.call("GET", `${steamPath}?key=${GAME_SERVER.secret}&appid=480&ticket=00`));
    assertMatches("DELETE", "/v2/tickets", await t.api.withToken("DELETE", "/v2/tickets", player.token));
  });

  it("the console: account detail of a banned account, search, audit, dashboard, users", async () => {
    const banned = await t.api.device(deviceId());
    const bannedId = claimsOf(banned.token)["uid"] as string;
    await banAccount(t.server.core, bannedId, { kind: "vac", reason: "schema test" }, CLI_ACTOR);
    const get = (path: string) => t.api.call("GET", path, { bearer: consoleToken });

    const detail = await get(`/v2/console/accounts/${player.id}`);
    assertMatches("GET", "/v2/console/accounts/{id}", detail);
    assert.ok(detail.body.licenses.license, "the detail shows the granted license");
    const bannedDetail = await get(`/v2/console/accounts/${bannedId}`);
    assertMatches("GET", "/v2/console/accounts/{id}", bannedDetail);
    assert.equal(bannedDetail.body.account.ban_kind, "vac");

    assertMatches("GET", "/v2/console/accounts", await get("/v2/console/accounts"));
    assertMatches("GET", "/v2/console/accounts", await get("/v2/console/accounts?field=device&q=d"));
    assertMatches("GET", "/v2/console/audit", await get("/v2/console/audit?limit=100"));
    assertMatches("GET", "/v2/console/dashboard", await get("/v2/console/dashboard"));
    assertMatches("GET", "/v2/console/session", await get("/v2/console/session"));
    assertMatches("GET", "/v2/console/users", await get("/v2/console/users"));
    const created = await t.api.call("POST", "/v2/console/users", { bearer: consoleToken, body: { username: `viewer-${randomUUID().slice(0, 8)}` } });
    assertMatches("POST", "/v2/console/users", created);
    assert.equal(typeof created.body.password, "string", "a generated password is returned once");
    const updated = await t.api.call("PUT", `/v2/console/users/${created.body.user.username}`, { bearer: consoleToken, body: { disabled: true } });
    assertMatches("PUT", "/v2/console/users/{username}", updated);
    assertMatches(
      "DELETE",
      "/v2/console/accounts/{id}/sessions",
      await t.api.call("DELETE", `/v2/console/accounts/${player.id}/sessions`, { bearer: consoleToken }),
    );
  });

  it("Code-Link: generate, info, confirm and the sign-in", async () => {
    const verifier = "v".repeat(64);
    const generated = await t.api.withKey("/v2/account/code-link/generate", {
      identifier: "tv",
      code_challenge: createHash("sha256").update(verifier).digest("hex"),
    });
    assertMatches("POST", "/v2/account/code-link/generate", generated);
    const code = { sign_in_code: generated.body.sign_in_code };
    const { token } = await t.api.device(deviceId());
    assertMatches("POST", "/v2/account/code-link/info", await t.api.withToken("POST", "/v2/account/code-link/info", token, code));
    assertMatches("POST", "/v2/account/code-link/confirm", await t.api.withToken("POST", "/v2/account/code-link/confirm", token, code));
    const body = { code_link_session_id: generated.body.code_link_session_id, code_verifier: verifier };
    assertMatches("POST", "/v2/account/code-link/sign-in", await t.api.withKey("/v2/account/code-link/sign-in", body));
  });

  it("health and readiness", async () => {
    assertMatches("GET", "/healthz", await t.api.call("GET", "/healthz"));
    assertMatches("GET", "/readyz", await t.api.call("GET", "/readyz"));
  });
});
