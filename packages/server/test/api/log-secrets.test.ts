/**
 * Credentials never reach the log (docs/security.md): a request whose query carries a secret —
 * the Steam-shaped endpoint's game-server `key` — that fails because the database is gone is
 * logged by its path alone. Before the fix the log line held the whole URL, secret included.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { recordingLogger, startTestServer } from "../support/harness.js";
import { createTestDatabase, dropAllTestDatabases, dropTestDatabase, postgresSkip } from "../support/postgres.js";

const SECRET = "log-secrets-game-server-secret-000001";

describe("credentials in the log", { skip: await postgresSkip() }, () => {
  after(() => dropAllTestDatabases());

  it("a request failing with the database unavailable is logged without its query string", async () => {
    const { logger, lines } = recordingLogger();
    const db = await createTestDatabase();
    const t = await startTestServer({ "database.url": db.url }, undefined, { logger });
    try {
      await dropTestDatabase(db.name);
      // A key not in the configuration is looked up in the (now missing) database: 503, logged.
      const res = await t.api.call("GET", `/ISteamUserAuth/AuthenticateUserTicket/v1/?key=${SECRET}&appid=0&ticket=00`);
      assert.equal(res.status, 503);
      const logged = lines.filter((l) => l.includes("database unavailable"));
      assert.ok(
        logged.some((l) => l.includes('"path":"/ISteamUserAuth/AuthenticateUserTicket/v1/"')),
        lines.join("\n"),
      );
      for (const line of lines) assert.ok(!line.includes(SECRET), `the secret was logged: ${line}`);
    } finally {
      await t.close();
    }
  });
});
