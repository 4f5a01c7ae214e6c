/**
 * Sign-in racing a ban or the account's deletion, on SQLite and PostgreSQL (docs/security.md,
 * "Token attacks"). Before the fix, on PostgreSQL, a sign-in that read the account just before a
 * ban wrote its session just after the ban's revocation: most such races left a working token
 * of a banned account. And a sign-in racing the deletion of its account answered 500 (the new
 * session row's foreign key). Now a banned account never keeps a live session, and the deleted
 * one answers 404.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { banAccount } from "../../src/account/ban.js";
import { claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { BACKENDS, backendSettings, backendSkip, dropBackendDatabases } from "../support/backends.js";

for (const backend of BACKENDS) {
  describe(`sign-in racing a ban or a deletion on ${backend}`, { skip: backendSkip(backend) }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(await backendSettings(backend));
    });
    after(async () => {
      await t.close();
      await dropBackendDatabases(backend);
    });

    it("a sign-in racing a ban never leaves a working token of the banned account", async () => {
      const outcomes: Record<string, number> = {};
      for (let i = 0; i < 60; i++) {
        const id = `ban-race-${backend}-${i}-device`;
        const uid = claimsOf((await t.api.device(id)).token)["uid"];
        const [, sign] = await Promise.all([banAccount(t.server.core, uid), t.api.withKey("/v2/account/authenticate/device", { id })]);
        const key = `sign-in ${sign.status}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        assert.ok(sign.status === 200 || sign.status === 403, `${sign.status} ${JSON.stringify(sign.body)}`);
        if (sign.status === 200) {
          // Answered just before the ban: the ban's revocation took its session.
          assert.equal((await t.api.withToken("GET", "/v2/account", sign.body.token)).status, 401, "a banned account's fresh token works");
          assert.equal((await t.api.withKey("/v2/account/session/refresh", { token: sign.body.refresh_token })).status, 403);
        } else {
          assert.deepEqual(sign.body, { code: 7, message: "User account banned." });
        }
      }
      assert.equal(
        Object.values(outcomes).reduce((a, b) => a + b, 0),
        60,
        JSON.stringify(outcomes),
      );
    });

    it("a sign-in racing the deletion of its account answers 200 (then the token is dead) or 404, never 500", async () => {
      for (let i = 0; i < 100; i++) {
        const id = `delete-race-${backend}-${i}-device`;
        const s = await t.api.device(id);
        const [del, sign] = await Promise.all([
          t.api.withToken("DELETE", "/v2/account", s.token),
          t.api.withKey("/v2/account/authenticate/device?create=false", { id }),
        ]);
        assert.equal(del.status, 200);
        assert.ok(sign.status === 200 || sign.status === 404, `${sign.status} ${JSON.stringify(sign.body)}`);
        if (sign.status === 200)
          assert.equal((await t.api.withToken("GET", "/v2/account", sign.body.token)).status, 401, "a deleted account's fresh token works");
        else assert.deepEqual(sign.body, { code: 5, message: "User account not found." });
      }
    });
  });
}
