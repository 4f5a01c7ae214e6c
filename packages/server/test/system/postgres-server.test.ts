/**
 * The whole server on the real PostgreSQL: selection by `database.url`, sign-in, account, refresh
 * rotation under 20 parallel refreshes, logout, the CLI, and 503 (not 500, not a crash) when the
 * database goes away while the server keeps answering /healthz.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { StoreUnavailableError } from "../../src/store/store.js";
import { claimsOf, spawnServer, startTestServer, tempDir, type TestServer } from "../support/harness.js";
import { eventually } from "../support/eventually.js";
import { parseExposition, sampleValue, samplesOf } from "../support/prometheus.js";
import { createProxiedTestDatabase, createTestDatabase, dropAllTestDatabases, dropTestDatabase, postgresSkip } from "../support/postgres.js";
import { WatchedSocket } from "../support/watched-socket.js";

const skip = await postgresSkip();

describe("database.url selects the store", () => {
  const load = (url: string) => loadConfig({ env: {}, overrides: { "database.url": url } });

  it("accepts postgres:// and postgresql:// URLs", () => {
    assert.equal(load("postgres://postgres@127.0.0.1:5432/test").database.url, "postgres://postgres@127.0.0.1:5432/test");
    assert.equal(load("postgresql://u:p@db.internal/tessera").database.url, "postgresql://u:p@db.internal/tessera");
  });

  it("refuses a malformed PostgreSQL URL with a ConfigError naming database.url, without echoing it", () => {
    for (const bad of ["postgres://", "postgres:/db.internal/tessera", "postgresql:user:s3cret@host", "postgres://u:s3cret@host:99999/db"]) {
      assert.throws(
        () => load(bad),
        (err: unknown) =>
          err instanceof ConfigError && err.setting === "database.url" && /postgres:\/\/user/.test(err.message) && !err.message.includes("s3cret"),
        bad,
      );
    }
  });

  it("keeps treating anything else as a SQLite path", () => {
    assert.equal(load("/var/lib/tessera/players.db").database.url, "/var/lib/tessera/players.db");
  });
});

describe("the server on PostgreSQL", { skip }, () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
    await dropAllTestDatabases();
  });

  async function serve(): Promise<{ t: TestServer; name: string }> {
    const { name, url } = await createTestDatabase();
    const t = await startTestServer({ "database.url": url, "session.refresh_reuse_grace_sec": 60 });
    servers.push(t);
    return { t, name };
  }

  it("signs in, shows the account, rotates under 20 parallel refreshes, and logs out", async () => {
    const { t } = await serve();
    const device = `pg-device-${randomUUID()}`;
    const signIn = await t.api.withKey("/v2/account/authenticate/device", { id: device, vars: { zeta: "1", alpha: "2" } });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    assert.equal(signIn.body.created, true);
    const s0 = signIn.body as { token: string; refresh_token: string };
    const uid = claimsOf(s0.token)["uid"];

    const account = await t.api.withToken("GET", "/v2/account", s0.token);
    assert.equal(account.status, 200, JSON.stringify(account.body));
    assert.equal(account.body.user.id, uid);
    assert.deepEqual(account.body.devices, [{ id: device }]);
    const again = await t.api.withKey("/v2/account/authenticate/device", { id: device });
    assert.equal(again.status, 200);
    assert.equal(claimsOf(again.body.token)["uid"], uid, "the same device signs into the same account");

    const results = await Promise.all(Array.from({ length: 20 }, () => t.api.withKey("/v2/account/session/refresh", { token: s0.refresh_token })));
    for (const res of results) assert.equal(res.status, 200, JSON.stringify(res.body));
    const refreshTokens = new Set(results.map((r) => r.body.refresh_token as string));
    const accessTokens = new Set(results.map((r) => r.body.token as string));
    assert.equal(refreshTokens.size, 1, "every parallel refresh agrees on one new refresh token");
    assert.equal(accessTokens.size, 1);
    const [next] = [...refreshTokens];
    const [access] = [...accessTokens];
    assert.notEqual(next, s0.refresh_token);
    assert.equal(claimsOf(next!)["tid"], claimsOf(s0.refresh_token)["tid"], "still the same session");
    assert.deepEqual(claimsOf(access!)["vrs"], { zeta: "1", alpha: "2" });

    assert.equal((await t.api.withToken("GET", "/v2/account", access!)).status, 200, "nobody was signed out");
    const following = await t.api.withKey("/v2/account/session/refresh", { token: next });
    assert.equal(following.status, 200, JSON.stringify(following.body));

    const logout = await t.api.withToken("POST", "/v2/session/logout", following.body.token, { token: following.body.token });
    assert.equal(logout.status, 200, JSON.stringify(logout.body));
    const refused = await t.api.withToken("GET", "/v2/account", following.body.token);
    assert.equal(refused.status, 401);
    const refusedRefresh = await t.api.withKey("/v2/account/session/refresh", { token: following.body.refresh_token });
    assert.equal(refusedRefresh.status, 401);

    // The metrics saw the race as it was: one rotation, 19 duplicates answered alike, then one more rotation.
    const metrics = parseExposition(String((await t.api.call("GET", "/metrics")).body));
    assert.equal(sampleValue(metrics, "tessera_refreshes_total", { outcome: "rotated" }), 2);
    assert.equal(sampleValue(metrics, "tessera_refreshes_total", { outcome: "grace_duplicate" }), 19);
    assert.equal(sampleValue(metrics, "tessera_refreshes_total", { outcome: "invalid" }), 1);
    assert.ok(sampleValue(metrics, "tessera_store_operation_duration_seconds_count", { backend: "postgres", operation: "rotateSession" })! >= 2);
  });

  it("answers 503 {code: 14} when the database goes away, and keeps serving /healthz", async () => {
    const { t, name } = await serve();
    const s = await t.api.device(`pg-device-${randomUUID()}`);
    assert.equal((await t.api.withToken("GET", "/v2/account", s.token)).status, 200);

    await dropTestDatabase(name);

    const account = await t.api.withToken("GET", "/v2/account", s.token);
    assert.equal(account.status, 503, JSON.stringify(account.body));
    assert.equal(account.body.code, 14);
    assert.equal(typeof account.body.message, "string");
    const signIn = await t.api.withKey("/v2/account/authenticate/device", { id: `pg-device-${randomUUID()}` });
    assert.equal(signIn.status, 503, JSON.stringify(signIn.body));
    assert.equal(signIn.body.code, 14);
    const health = await t.api.call("GET", "/healthz");
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: "ok" });
    const metrics = parseExposition(String((await t.api.call("GET", "/metrics")).body));
    const unavailable = samplesOf(metrics, "tessera_store_unavailable_total", { backend: "postgres" }).reduce((n, s) => n + s.value, 0);
    assert.ok(unavailable >= 2, `store failures counted (${unavailable})`);
  });

  it("answers 503 while PostgreSQL is cut off (sockets and hooks too), says so in /readyz, and recovers without a restart", async () => {
    const { url: viaProxy, proxy } = await createProxiedTestDatabase();
    const runtime = tempDir("tessera-pg-runtime-");
    // A hook that reads the database through nk: its failure is the database's, not the hook's.
    writeFileSync(
      join(runtime.path, "lookup.mjs"),
      `export function InitModule(ctx, logger, nk, initializer) {
        initializer.registerBeforeAuthenticateCustom(async (ctx, logger, nk, data) => {
          await nk.accountGetId("00000000-0000-4000-8000-000000000000").catch((e) => { if (e.code !== 5) throw e; });
          return data;
        });
      }\n`,
    );
    const t = await startTestServer({ "database.url": viaProxy, "runtime.path": runtime.path });
    servers.push(t);
    try {
      const s = await t.api.device(`pg-device-${randomUUID()}`);
      assert.deepEqual((await t.api.call("GET", "/readyz")).body, { status: "ok", database: "ok", bus: "local" });
      assert.equal((await t.api.withKey("/v2/account/authenticate/custom", { id: `pg-custom-${randomUUID()}` })).status, 200);

      proxy.cut();
      const unavailable = (res: { status: number; body: any }, what: string) => {
        assert.equal(res.status, 503, `${what}: ${JSON.stringify(res.body)}`);
        assert.deepEqual(res.body, { code: 14, message: "Service temporarily unavailable: the database cannot be reached." }, what);
      };
      unavailable(await t.api.withToken("GET", "/v2/account", s.token), "account");
      unavailable(await t.api.withKey("/v2/account/authenticate/device", { id: `pg-device-${randomUUID()}` }), "sign-in");
      unavailable(await t.api.withKey("/v2/account/session/refresh", { token: s.refresh_token }), "refresh");
      unavailable(await t.api.withKey("/v2/account/authenticate/custom", { id: `pg-custom-${randomUUID()}` }), "sign-in through a hook using nk");
      await assert.rejects(WatchedSocket.open(t.url, s.token), /refused with 503/, "socket upgrade");
      const ready = await t.api.call("GET", "/readyz");
      assert.equal(ready.status, 503);
      assert.equal(ready.body.status, "unavailable");
      assert.equal(ready.body.bus, "local");
      assert.match(ready.body.database, /^down: \S/);
      assert.doesNotMatch(ready.body.database, /127\.0\.0\.1|:\d{4,5}/, "no address on an unauthenticated endpoint");
      assert.deepEqual((await t.api.call("GET", "/healthz")).body, { status: "ok" }, "alive all along");

      proxy.restore();
      await eventually(async () => (await t.api.call("GET", "/readyz")).status === 200, "readiness after the database returns", { intervalMs: 50 });
      assert.deepEqual((await t.api.call("GET", "/readyz")).body, { status: "ok", database: "ok", bus: "local" });
      assert.equal((await t.api.withToken("GET", "/v2/account", s.token)).status, 200, "the same server, the same token");
      assert.equal((await t.api.withKey("/v2/account/session/refresh", { token: s.refresh_token })).status, 200);
    } finally {
      await t.stop();
      await proxy.close();
      runtime.remove();
    }
  });

  it("does not start when PostgreSQL cannot be reached, and says where it tried", async () => {
    await assert.rejects(startTestServer({ "database.url": "postgres://postgres@127.0.0.1:1/tessera" }), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError, String(err));
      assert.match(err.message, /127\.0\.0\.1:1\/tessera/);
      return true;
    });
  });

  it("runs from the CLI with --database-url, logging the database without its password", async () => {
    const { url } = await createTestDatabase();
    const withPassword = new URL(url);
    withPassword.password = "not-needed-with-trust";
    const dir = tempDir("tessera-pg-cli-");
    const s = await spawnServer(["--port", "0", "--data-dir", dir.path, "--database-url", withPassword.toString()], { timeoutMs: 20_000 });
    try {
      const res = await fetch(`${s.url}/v2/account/authenticate/device`, {
        method: "POST",
        headers: { Authorization: "Basic " + Buffer.from("defaultkey:").toString("base64"), "Content-Type": "application/json" },
        body: JSON.stringify({ id: `pg-cli-${randomUUID()}` }),
      });
      assert.equal(res.status, 200, await res.text());
      assert.match(s.output(), new RegExp(`postgres://postgres@127\\.0\\.0\\.1:5432${new URL(url).pathname}`));
      assert.doesNotMatch(s.output(), /not-needed-with-trust/);
    } finally {
      s.child.kill("SIGTERM");
      await s.exited;
      dir.remove();
    }
  });

  it("stops the CLI with a one-line database.url message when PostgreSQL is unreachable", async () => {
    const dir = tempDir("tessera-pg-cli-");
    try {
      await assert.rejects(
        spawnServer(["--port", "0", "--data-dir", dir.path, "--database-url", "postgres://postgres@127.0.0.1:1/tessera"], { timeoutMs: 20_000 }),
        (err: unknown) => {
          const message = (err as Error).message;
          assert.match(message, /exited \(1\)/);
          assert.match(message, /tessera: database\.url: cannot open PostgreSQL database at postgres:\/\/postgres@127\.0\.0\.1:1\/tessera/);
          assert.doesNotMatch(message, /\n\s+at /, "no stack trace for an operator problem");
          return true;
        },
      );
    } finally {
      dir.remove();
    }
  });
});
