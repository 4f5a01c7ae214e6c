/**
 * Durability of the real CLI with a real SQLite file: what was answered survives a graceful
 * restart (accounts, revocations, generated signing keys) and a crash (SIGKILL mid-burst), and the
 * database file stays sound.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Api, claimsOf, spawnServer, startTestServer, tempDir, type SpawnedServer, type TestServer } from "./support/harness.js";

const START_TIMEOUT_MS = 20_000;

const servers: SpawnedServer[] = [];
const inProcess: TestServer[] = [];
const dirs: { remove(): void }[] = [];

function dir(): string {
  const d = tempDir("tessera-durability-");
  dirs.push(d);
  return d.path;
}

async function serve(dataDir: string): Promise<SpawnedServer> {
  const s = await spawnServer(["--port", "0", "--data-dir", dataDir], { timeoutMs: START_TIMEOUT_MS });
  servers.push(s);
  return s;
}

function running(s: SpawnedServer): boolean {
  return s.child.exitCode === null && s.child.signalCode === null;
}

/** SIGTERM and wait for a clean exit (SIGKILL after `ms`); returns the exit code or signal. */
async function stop(s: SpawnedServer, ms = 10_000): Promise<number | string> {
  if (running(s)) {
    s.child.kill("SIGTERM");
    const timer = setTimeout(() => s.child.kill("SIGKILL"), ms);
    const code = await s.exited;
    clearTimeout(timer);
    return code;
  }
  return s.exited;
}

after(async () => {
  await Promise.all(servers.map((s) => stop(s, 2_000)));
  await Promise.all(inProcess.map((t) => t.stop()));
  for (const d of dirs) d.remove();
});

const PASSWORD = "restart-password-1";

describe("restart on the same data directory", () => {
  it("keeps accounts, revocations and signing keys", async () => {
    const dataDir = dir();
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

    assert.equal(await stop(first), 0);
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

    assert.equal(await stop(second), 0);

    // Control: a server with a different data directory has other keys and rejects these tokens.
    const other = await startTestServer({}, dir());
    inProcess.push(other);
    assert.equal((await other.api.withToken("GET", "/v2/account", device.body.token)).status, 401);
  });
});

describe("crash (SIGKILL) during a burst of sign-ups", () => {
  it("keeps every account whose creation was answered, and the file passes integrity_check", async (t) => {
    const dataDir = dir();
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
        let res;
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
    assert.equal(await stop(second), 0);

    // The file is sound and holds every answered account with its device.
    const db = new Database(join(dataDir, "tessera.db"));
    try {
      assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
      assert.deepEqual(db.pragma("foreign_key_check"), []);
      const accounts = (db.prepare("SELECT COUNT(*) AS n FROM accounts").get() as { n: number }).n;
      assert.ok(accounts >= created.size, `${accounts} accounts stored, ${created.size} answered`);
      assert.ok(accounts <= TOTAL);
      const owner = db.prepare("SELECT account_id FROM account_devices WHERE id = ?");
      for (const [device, uid] of created) {
        assert.equal((owner.get(device) as { account_id: string } | undefined)?.account_id, uid, device);
      }
    } finally {
      db.close();
    }
  });
});
