/**
 * Durability of the real CLI with a real SQLite file: what was answered survives a graceful
 * restart (accounts, revocations, generated signing keys) and a crash (SIGKILL mid-burst), and the
 * database file stays sound. A crash in the middle of a sustained mix of sign-ups, refreshes and
 * logouts is checked on SQLite and on PostgreSQL (docs/security.md, "Crash durability").
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { ChildServers, stopServer } from "../support/child-servers.js";
import { Api, claimsOf, startTestServer, type ApiResponse, type SpawnedServer, type TestServer } from "../support/harness.js";
import { BACKENDS, backendSkip } from "../support/backends.js";
import { createTestDatabase, dropAllTestDatabases } from "../support/postgres.js";

const START_TIMEOUT_MS = 20_000;

/** The suite's child servers and data directories, stopped and removed at the end. */
const children = new ChildServers("tessera-durability-", START_TIMEOUT_MS);
const inProcess: TestServer[] = [];

function serve(dataDir: string, databaseUrl?: string): Promise<SpawnedServer> {
  const database = databaseUrl === undefined ? [] : ["--database-url", databaseUrl];
  return children.serve(["--port", "0", "--data-dir", dataDir, ...database]);
}

after(async () => {
  await Promise.all(inProcess.map((t) => t.stop()));
  await children.close(2_000);
  await dropAllTestDatabases();
});

const PASSWORD = "restart-password-1";

describe("restart on the same data directory", () => {
  it("keeps accounts, revocations and signing keys", async () => {
    const dataDir = children.dir();
    const first = await serve(dataDir);
    let api = new Api(first.url);

    const device = await api.withKey("/v2/account/authenticate/device", { id: "durable-device-0001" });
    assert.equal(device.status, 200);
    assert.equal(device.body.created, true);
    const email = await api.withKey("/v2/account/authenticate/email", { email: "durable@example.com", password: PASSWORD });
    assert.equal(email.status, 200);
    assert.equal(email.body.created, true);
    const deviceUid = claimsOf(device.body.token).uid;
    const emailUid = claimsOf(email.body.token).uid;
    assert.notEqual(deviceUid, emailUid);

    // Log out the email session (both of its tokens).
    const out = await api.withToken("POST", "/v2/session/logout", email.body.token, { token: email.body.token, refresh_token: email.body.refresh_token });
    assert.equal(out.status, 200);
    assert.equal((await api.withToken("GET", "/v2/account", email.body.token)).status, 401);
    assert.equal((await api.withToken("GET", "/v2/account", device.body.token)).status, 200);

    const keyFile = join(dataDir, "keys.json");
    assert.ok(existsSync(keyFile), "generated keys are kept in the data directory");
    const keysBefore = readFileSync(keyFile, "utf8");

    assert.equal(await stopServer(first), 0);
    assert.match(first.output(), /shutdown complete/);

    const second = await serve(dataDir);
    api = new Api(second.url);
    assert.equal(readFileSync(keyFile, "utf8"), keysBefore, "keys.json unchanged by the restart");

    // The logged-out session stays logged out: access and refresh tokens.
    const oldAccess = await api.withToken("GET", "/v2/account", email.body.token);
    assert.equal(oldAccess.status, 401);
    assert.equal(oldAccess.body.message, "Auth token invalid");
    const oldRefresh = await api.withKey("/v2/account/session/refresh", { token: email.body.refresh_token });
    assert.equal(oldRefresh.status, 401);
    assert.equal(oldRefresh.body.message, "Refresh token invalid or expired.");

    // The other session's tokens still work (same keys after the restart).
    const account = await api.withToken("GET", "/v2/account", device.body.token);
    assert.equal(account.status, 200);
    assert.equal(account.body.user.id, deviceUid);
    assert.deepEqual(account.body.devices, [{ id: "durable-device-0001" }]);
    const refreshed = await api.withKey("/v2/account/session/refresh", { token: device.body.refresh_token });
    assert.equal(refreshed.status, 200);
    assert.equal(claimsOf(refreshed.body.token).uid, deviceUid);
    assert.equal((await api.withToken("GET", "/v2/account", refreshed.body.token)).status, 200);

    // Accounts persist: signing in again finds them (created omitted) with the same ids.
    const again = await api.withKey("/v2/account/authenticate/device", { id: "durable-device-0001" });
    assert.equal(again.status, 200);
    assert.equal(again.body.created, undefined);
    assert.equal(claimsOf(again.body.token).uid, deviceUid);
    const emailAgain = await api.withKey("/v2/account/authenticate/email?create=false", { email: "durable@example.com", password: PASSWORD });
    assert.equal(emailAgain.status, 200);
    assert.equal(emailAgain.body.created, undefined);
    assert.equal(claimsOf(emailAgain.body.token).uid, emailUid);
    // The password hash persisted too: a wrong password is still refused.
    const wrong = await api.withKey("/v2/account/authenticate/email", { email: "durable@example.com", password: "not-the-password" });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.message, "Invalid credentials.");
    // A fresh email session works where the logged-out one does not.
    assert.equal((await api.withToken("GET", "/v2/account", emailAgain.body.token)).status, 200);

    assert.equal(await stopServer(second), 0);

    // Control: a server with a different data directory has other keys and rejects these tokens.
    const other = await startTestServer({}, children.dir());
    inProcess.push(other);
    assert.equal((await other.api.withToken("GET", "/v2/account", device.body.token)).status, 401);
  });
});

describe("crash (SIGKILL) during a burst of sign-ups", () => {
  it("keeps every account whose creation was answered, and the file passes integrity_check", async (t) => {
    const dataDir = children.dir();
    const first = await serve(dataDir);
    const api = new Api(first.url);

    const TOTAL = 200;
    const CONCURRENCY = 20;
    const KILL_AFTER = 100;
    const deviceId = (i: number) => `crash-device-${String(i).padStart(4, "0")}`;
    const created = new Map<string, string>(); // device id → user id, for every 200 answer
    let answered = 0;
    let failed = 0;
    const unexpected: string[] = [];
    let next = 0;
    let killed = false;
    let outstandingAtKill = 0;

    async function worker(): Promise<void> {
      while (next < TOTAL) {
        const i = next++;
        let res: ApiResponse | undefined;
        try {
          res = await api.withKey("/v2/account/authenticate/device", { id: deviceId(i) });
        } catch {
          failed++; // Connection refused or reset: the process is gone.
        }
        if (res !== undefined) {
          answered++;
          if (res.status === 200 && res.body.created === true) created.set(deviceId(i), claimsOf(res.body.token).uid);
          else unexpected.push(`${deviceId(i)}: ${res.status} ${JSON.stringify(res.body)}`);
        }
        if (!killed && answered >= KILL_AFTER) {
          killed = true;
          outstandingAtKill = next - answered - failed;
          first.child.kill("SIGKILL");
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.equal(await first.exited, "SIGKILL");
    t.diagnostic(`answered before the kill: ${created.size}; cut off: ${failed} of ${TOTAL}; sent but unanswered at the kill: ${outstandingAtKill}`);

    assert.ok(created.size >= KILL_AFTER, `at least ${KILL_AFTER} sign-ups answered 200 before the kill (got ${created.size})`);
    assert.deepEqual(unexpected, [], "every answered sign-up was a 200 creating the account");
    assert.ok(outstandingAtKill > 0, "sign-ups were in flight when the process was killed");
    assert.ok(failed > 0, "some sign-ups were cut off by the kill");
    assert.ok(created.size < TOTAL, "not every sign-up was answered");

    // Restart on the same data directory: every answered account exists, with the same id.
    const second = await serve(dataDir);
    const api2 = new Api(second.url);
    const entries = [...created.entries()];
    const missing: string[] = [];
    let k = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (k < entries.length) {
          const [device, uid] = entries[k++]!;
          const res = await api2.withKey("/v2/account/authenticate/device?create=false", { id: device });
          if (res.status !== 200 || claimsOf(res.body.token).uid !== uid || res.body.created !== undefined) {
            missing.push(`${device}: ${res.status} ${JSON.stringify(res.body)}`);
          }
        }
      }),
    );
    assert.deepEqual(missing, [], "answered accounts lost in the crash");
    // Control: a device that was never signed in is not found.
    const never = await api2.withKey("/v2/account/authenticate/device?create=false", { id: "crash-device-never" });
    assert.equal(never.status, 404);
    assert.equal(await stopServer(second), 0);

    // The file is sound and holds every answered account with its device.
    const db = new Database(join(dataDir, "tessera.db"));
    try {
      assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
      assert.deepEqual(db.pragma("foreign_key_check"), []);
      const accounts = (db.prepare("SELECT COUNT(*) AS n FROM accounts").get() as { n: number }).n;
      assert.ok(accounts >= created.size, `${accounts} accounts stored, ${created.size} answered`);
      assert.ok(accounts <= TOTAL);
      const owner = db.prepare("SELECT account_id FROM identities WHERE provider = 'device' AND subject = ?");
      for (const [device, uid] of created) {
        assert.equal((owner.get(device) as { account_id: string } | undefined)?.account_id, uid, device);
      }
    } finally {
      db.close();
    }
  });
});

/** One player session the mix works on: every refresh token it was given, newest last. */
interface MixSession {
  device: string;
  uid: string;
  tokens: string[];
  refreshes: string[];
  busy: boolean;
  /** A refresh or logout of it was in flight when the process died: its state is unknown. */
  uncertain: boolean;
  loggedOut: boolean;
}

for (const backend of BACKENDS) {
  describe(`crash (SIGKILL) during a sustained mix of sign-ups, refreshes and logouts on ${backend}`, { skip: backendSkip(backend) }, () => {
    it("keeps every answered write, no revoked token works again, and the database passes its integrity check", async (t) => {
      const dataDir = children.dir();
      const databaseUrl = backend === "postgres" ? (await createTestDatabase()).url : undefined;
      const first = await serve(dataDir, databaseUrl);
      const api = new Api(first.url);

      const WORKERS = 16;
      const KILL_AFTER = 600;
      const sessions: MixSession[] = [];
      const unexpected: string[] = [];
      let answered = 0;
      let cutOff = 0;
      let refused = 0;
      let killed = false;
      let dead = false;
      void first.exited.then(() => (dead = true));
      let inFlight = 0;
      let inFlightAtKill = 0;
      const counts = { create: 0, refresh: 0, logout: 0 };
      let deviceSeq = 0;

      async function create(): Promise<void> {
        const device = `mix-${backend}-${String(deviceSeq++).padStart(5, "0")}`;
        const res = await api.withKey("/v2/account/authenticate/device", { id: device });
        if (res.status !== 200 || res.body.created !== true) return void unexpected.push(`create ${device}: ${res.status} ${JSON.stringify(res.body)}`);
        sessions.push({
          device,
          uid: claimsOf(res.body.token).uid,
          tokens: [res.body.token],
          refreshes: [res.body.refresh_token],
          busy: false,
          uncertain: false,
          loggedOut: false,
        });
        counts.create++;
      }

      function pick(): MixSession | undefined {
        const free = sessions.filter((s) => !s.busy && !s.uncertain && !s.loggedOut);
        return free[Math.floor(Math.random() * free.length)];
      }

      async function refresh(s: MixSession): Promise<void> {
        const res = await api.withKey("/v2/account/session/refresh", { token: s.refreshes.at(-1) });
        if (res.status !== 200) return void unexpected.push(`refresh ${s.device}: ${res.status} ${JSON.stringify(res.body)}`);
        s.tokens.push(res.body.token);
        s.refreshes.push(res.body.refresh_token);
        counts.refresh++;
      }

      async function logout(s: MixSession): Promise<void> {
        const res = await api.withToken("POST", "/v2/session/logout", s.tokens.at(-1)!, { token: s.tokens.at(-1), refresh_token: s.refreshes.at(-1) });
        if (res.status !== 200) return void unexpected.push(`logout ${s.device}: ${res.status} ${JSON.stringify(res.body)}`);
        s.loggedOut = true;
        counts.logout++;
      }

      // Sessions to work on, answered before the mix starts.
      for (let i = 0; i < 60; i++) await create();

      // Workers go on until the process is gone, so requests are sent while it dies.
      async function worker(): Promise<void> {
        while (!dead) {
          const r = Math.random();
          const target = r < 0.3 ? undefined : pick();
          if (target) target.busy = true;
          inFlight++;
          try {
            if (target === undefined) await create();
            else if (r < 0.8) await refresh(target);
            else await logout(target);
            answered++;
          } catch (err) {
            if ((err as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED") {
              refused++; // Never reached the server.
            } else {
              // Reset mid-request: what the process did with it is unknown.
              cutOff++;
              if (target) target.uncertain = true;
            }
          } finally {
            inFlight--;
            if (target) target.busy = false;
          }
          if (!killed && answered >= KILL_AFTER) {
            killed = true;
            inFlightAtKill = inFlight;
            first.child.kill("SIGKILL");
          }
        }
      }
      await Promise.all(Array.from({ length: WORKERS }, worker));
      assert.equal(await first.exited, "SIGKILL");
      t.diagnostic(
        `${backend}: answered ${answered} (creates ${counts.create}, refreshes ${counts.refresh}, logouts ${counts.logout}); in flight at the kill ${inFlightAtKill}; cut off ${cutOff}; refused after ${refused}`,
      );
      assert.deepEqual(unexpected, [], "every answered request of the mix succeeded");
      assert.ok(inFlightAtKill > 0, "requests were in flight when the process was killed");
      assert.ok(cutOff + refused > 0, "requests went unanswered: the process died under load");
      assert.ok(counts.refresh >= 100 && counts.logout >= 30 && counts.create >= 100, JSON.stringify(counts));

      const second = await serve(dataDir, databaseUrl);
      const api2 = new Api(second.url);
      const lost: string[] = [];
      const check = (ok: boolean, what: string) => void (ok || lost.push(what));

      // Every answered sign-up: the account is there, with the same id.
      for (const s of sessions) {
        const res = await api2.withKey("/v2/account/authenticate/device?create=false", { id: s.device });
        check(res.status === 200 && claimsOf(res.body.token).uid === s.uid, `account of ${s.device}: ${res.status}`);
      }
      let reuseChecked = 0;
      let rotationsChecked = 0;
      for (const [i, s] of sessions.entries()) {
        if (s.uncertain) continue;
        const token = s.tokens.at(-1)!;
        const refreshToken = s.refreshes.at(-1)!;
        if (s.loggedOut) {
          // An answered logout holds: neither token works again.
          check((await api2.withToken("GET", "/v2/account", token)).status === 401, `logged-out access token of ${s.device} works`);
          check((await api2.withKey("/v2/account/session/refresh", { token: refreshToken })).status === 401, `logged-out refresh token of ${s.device} works`);
        } else if (s.refreshes.length >= 3 && i % 2 === 0) {
          // An answered rotation holds: a token two generations old is reuse, and revokes the session.
          check((await api2.withKey("/v2/account/session/refresh", { token: s.refreshes.at(-3) })).status === 401, `old refresh token of ${s.device} accepted`);
          check((await api2.withToken("GET", "/v2/account", token)).status === 401, `session of ${s.device} not revoked by reuse`);
          check(
            (await api2.withKey("/v2/account/session/refresh", { token: refreshToken })).status === 401,
            `newest refresh token of ${s.device} works after reuse`,
          );
          reuseChecked++;
        } else {
          // The newest answered tokens are the current ones: the access token works, the refresh token rotates.
          check((await api2.withToken("GET", "/v2/account", token)).status === 200, `newest access token of ${s.device} refused`);
          const next = await api2.withKey("/v2/account/session/refresh", { token: refreshToken });
          check(next.status === 200, `newest refresh token of ${s.device}: ${next.status} ${JSON.stringify(next.body)}`);
          if (s.refreshes.length > 1) rotationsChecked++;
        }
      }
      t.diagnostic(
        `${backend}: ${sessions.length} accounts, ${rotationsChecked} rotated sessions current, ${reuseChecked} reuse detections, ${sessions.filter((s) => s.loggedOut && !s.uncertain).length} logouts checked`,
      );
      assert.deepEqual(lost, [], "answered writes lost or revoked tokens working after the crash");
      assert.ok(reuseChecked >= 5 && rotationsChecked >= 5, `${reuseChecked} reuse checks, ${rotationsChecked} rotation checks`);
      assert.equal(await stopServer(second), 0);

      if (backend === "sqlite") {
        const db = new Database(join(dataDir, "tessera.db"));
        try {
          assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
          assert.deepEqual(db.pragma("foreign_key_check"), []);
        } finally {
          db.close();
        }
      } else {
        await postgresIntegrity(databaseUrl!, t);
      }
    });
  });
}

/**
 * PostgreSQL's own check: every B-tree index of Tessera's tables verified against its table with
 * amcheck (`bt_index_check`, heapallindexed), and no session or device without its account.
 */
async function postgresIntegrity(url: string, t: { diagnostic(message: string): void }): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const orphans = await client.query(
      "SELECT (SELECT count(*) FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = s.account_id))::int AS sessions, (SELECT count(*) FROM identities d WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = d.account_id))::int AS devices",
    );
    assert.deepEqual(orphans.rows[0], { sessions: 0, devices: 0 });
    const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'");
    if (available.rowCount === 0) {
      t.diagnostic("amcheck is not installed: index verification skipped");
      return;
    }
    await client.query("CREATE EXTENSION IF NOT EXISTS amcheck");
    const indexes = await client.query(
      "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam WHERE n.nspname = 'public' AND am.amname = 'btree'",
    );
    for (const row of indexes.rows as { relname: string }[]) await client.query("SELECT bt_index_check($1::regclass, true)", [row.relname]);
    assert.ok(indexes.rowCount! >= 5, `${indexes.rowCount} indexes checked`);
    t.diagnostic(`postgres: amcheck verified ${indexes.rowCount} B-tree indexes`);
  } finally {
    await client.end();
  }
}
