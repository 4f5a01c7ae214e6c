/**
 * The operator commands of the real `tessera` CLI in child processes: `migrate`, `config check`,
 * `keys rotate|list`, `admin create|list|disable|enable` and `user show|sessions|ban|unban|logout`,
 * against a SQLite file a running server uses at the same time. Help, exit codes (0 done,
 * 1 refused, 2 usage or configuration) and the audit entries (actor "cli").
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { becomes } from "../support/eventually.js";
import { runCli, startTestServer, tempDir, type TestServer } from "../support/harness.js";

const PASSWORD = "operator password 1";
/** How long a revocation by the CLI may take to reach the running server. */
const SOON = { timeoutMs: 5_000, intervalMs: 100 };

describe("tessera operator commands", () => {
  let t: TestServer;
  let dataDir = "";
  const cli = (args: string[], input?: string) => runCli([...args, "--data-dir", dataDir], { input, timeoutMs: 60_000 });
  const dirs: { remove(): void }[] = [];

  before(async () => {
    t = await startTestServer();
    dataDir = t.dataDir;
  });
  after(async () => {
    await t.close();
    for (const d of dirs) d.remove();
  });

  async function consoleToken(username: string, password: string): Promise<string> {
    const res = await t.api.call("POST", "/v2/console/authenticate", { body: { username, password } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.token;
  }

  it("prints help for every command, and usage errors exit 2", async () => {
    const runs = await Promise.all([
      runCli(["--help"]),
      runCli(["migrate", "--help"]),
      runCli(["config", "--help"]),
      runCli(["keys", "--help"]),
      runCli(["admin", "--help"]),
      runCli(["user", "ban", "--help"]),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.output);
    const [top, migrate, config, keys, admin, user] = runs.map((r) => r.output);
    for (const command of ["migrate", "config check", "keys rotate", "admin create", "user show"]) assert.match(top!, new RegExp(`tessera ${command}`));
    assert.match(migrate!, /schema migrations/);
    assert.match(config!, /Secrets are never printed/);
    assert.match(keys!, /does NOT rotate/);
    assert.match(keys!, /every player must sign in again/);
    assert.match(admin!, /--password-stdin/);
    assert.match(user!, /--kind publisher\|vac/);

    const usage = await Promise.all([
      runCli(["admin"]),
      runCli(["admin", "create"]),
      runCli(["user", "fly", "x"]),
      runCli(["keys", "spin"]),
      runCli(["user", "ban", "x", "--kind"]),
    ]);
    for (const r of usage) assert.equal(r.code, 2, r.output);
    assert.match(usage[1]!.output, /tessera admin create: needs a username \(see tessera admin --help\)/);
    assert.match(usage[2]!.output, /unknown action "fly"/);
    assert.match(usage[4]!.output, /--kind needs a value/);
  });

  it("admin create: a generated password printed once, or one from standard input; then list, disable and enable", async () => {
    const generated = await cli(["admin", "create", "ops-root"]);
    assert.equal(generated.code, 0, generated.output);
    const password = /password: (\S+)/.exec(generated.output)?.[1];
    assert.ok(password, generated.output);
    const token = await consoleToken("ops-root", password);

    const piped = await cli(["admin", "create", "ops-viewer", "--role", "viewer", "--password-stdin"], PASSWORD + "\n");
    assert.equal(piped.code, 0, piped.output);
    assert.doesNotMatch(piped.output, /password:/);
    await consoleToken("ops-viewer", PASSWORD);

    assert.equal((await cli(["admin", "create", "ops-root"])).code, 1, "taken");
    const short = await cli(["admin", "create", "ops-short", "--password-stdin"], "short\n");
    assert.equal(short.code, 2);
    assert.match(short.output, /at least 12 characters/);
    assert.equal((await cli(["admin", "create", "ops-bad", "--role", "owner"])).code, 2);

    const list = await cli(["admin", "list"]);
    assert.match(list.output, /^ops-root\tadmin\tenabled\t\d{4}-/m);
    assert.match(list.output, /^ops-viewer\tviewer\tenabled\t/m);

    // The running server checks console tokens against the database on every request.
    const viewerToken = await consoleToken("ops-viewer", PASSWORD);
    assert.equal((await cli(["admin", "disable", "ops-viewer"])).code, 0);
    assert.equal((await t.api.call("GET", "/v2/console/session", { bearer: viewerToken })).status, 401);
    assert.equal((await cli(["admin", "enable", "ops-viewer"])).code, 0);
    await consoleToken("ops-viewer", PASSWORD);
    const last = await cli(["admin", "disable", "ops-root"]);
    assert.equal(last.code, 1);
    assert.match(last.output, /At least one enabled admin must remain/);

    const audit = await t.api.call("GET", "/v2/console/audit?actor=cli&kind=console_user_created,console_user_updated", { bearer: token });
    assert.deepEqual(
      audit.body.events.map((e: { kind: string; details: { username: string } }) => `${e.kind} ${e.details.username}`),
      ["console_user_updated ops-viewer", "console_user_updated ops-viewer", "console_user_created ops-viewer", "console_user_created ops-root"],
    );
  });

  it("user show, sessions, logout, ban and unban a player of the running server", async () => {
    const username = `cli-${randomUUID().slice(0, 8)}`;
    const device = `dev-${randomUUID()}`;
    const first = await t.api.device(device, `?username=${username}`);
    const second = await t.api.device(device);
    const id = (await t.api.withToken("GET", "/v2/account", first.token)).body.user.id as string;
    const firstSession = JSON.parse(Buffer.from(first.token.split(".")[1]!, "base64url").toString()).tid as string;

    const show = await cli(["user", "show", username]);
    assert.equal(show.code, 0, show.output);
    assert.match(show.output, new RegExp(`^id: ${id}$`, "m"));
    assert.match(show.output, new RegExp(`^device: ${device}$`, "m"));
    assert.match(show.output, /^banned: no$/m);
    assert.match(show.output, /^live sessions: 2$/m);
    const json = JSON.parse((await cli(["user", "show", id, "--json"])).output);
    assert.equal(json.account.user.username, username);
    const sessions = JSON.parse((await cli(["user", "sessions", username, "--json"])).output).sessions as { id: string }[];
    assert.deepEqual(new Set(sessions.map((s) => s.id)).has(firstSession), true);

    const logout = await cli(["user", "logout", username, "--session", firstSession]);
    assert.equal(logout.code, 0, logout.output);
    assert.ok(
      await becomes(async () => (await t.api.withToken("GET", "/v2/account", first.token)).status === 401, SOON),
      "the ended session's token is refused",
    );
    assert.equal((await t.api.withToken("GET", "/v2/account", second.token)).status, 200);
    assert.equal((await cli(["user", "logout", username, "--session", firstSession])).code, 1, "already ended");

    const badKind = await cli(["user", "ban", username, "--kind", "forever"]);
    assert.equal(badKind.code, 2);
    assert.match(badKind.output, /Ban kind must be/);
    const ban = await cli(["user", "ban", username, "--kind", "vac", "--reason", "wallhack"]);
    assert.equal(ban.code, 0, ban.output);
    assert.ok(await becomes(async () => (await t.api.withToken("GET", "/v2/account", second.token)).status === 401, SOON));
    assert.equal((await t.api.withKey("/v2/account/authenticate/device", { id: device })).status, 403);
    assert.match((await cli(["user", "show", username])).output, /^banned: \S+ \(vac\) wallhack$/m);
    assert.equal((await cli(["user", "unban", username])).code, 0);
    assert.equal((await t.api.withKey("/v2/account/authenticate/device", { id: device })).status, 200);
    assert.equal((await cli(["user", "logout", id])).code, 0);
    assert.equal((await cli(["user", "show", "no-such-player"])).code, 1);

    const admin = await consoleToken("ops-viewer", PASSWORD);
    const events = (await t.api.call("GET", `/v2/console/audit?user_id=${id}&actor=cli`, { bearer: admin })).body.events as {
      kind: string;
      details: Record<string, unknown>;
    }[];
    assert.deepEqual(
      events.map((e) => e.kind),
      ["sessions_ended", "account_unbanned", "sessions_ended", "account_banned", "sessions_ended"],
    );
    assert.deepEqual(events[3]!.details, { kind: "vac", reason: "wallhack" });
  });

  it("keys rotate: a new ticket signing key, the old one kept for verification; audited", async () => {
    const before = (await cli(["keys", "list"])).output.trim().split("\n");
    const rotate = await cli(["keys", "rotate"]);
    assert.equal(rotate.code, 0, rotate.output);
    const kid = /rotated: (\S+) signs/.exec(rotate.output)?.[1];
    assert.ok(kid);
    const after = (await cli(["keys", "list"])).output.trim().split("\n");
    assert.equal(after.length, before.length + 1);
    assert.match(after.find((l) => l.startsWith(kid))!, /\tsigning$/);
    assert.equal(after.filter((l) => l.endsWith("signing")).length, 1);
    const admin = await consoleToken("ops-viewer", PASSWORD);
    const events = (await t.api.call("GET", "/v2/console/audit?kind=ticket_key_rotated", { bearer: admin })).body.events;
    assert.deepEqual([events[0].actor, events[0].details.kid], [{ type: "cli" }, kid]);
  });

  it("migrate reports the schema version; a database that cannot be opened exits 1", async () => {
    const d = tempDir("tessera-migrate-");
    dirs.push(d);
    const fresh = await runCli(["migrate", "--data-dir", d.path]);
    assert.equal(fresh.code, 0, fresh.output);
    assert.match(fresh.output, /schema version: 8 \(the newest this Tessera knows: 8\)/);
    const unreachable = await runCli(["migrate", "--database-url", "postgres://nobody@127.0.0.1:1/none"]);
    assert.equal(unreachable.code, 1, unreachable.output);
    assert.match(unreachable.output, /database\.url: cannot open PostgreSQL database at postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
  });

  it("config check: effective settings with their source, secrets hidden; invalid or unsafe in production exits 2", async () => {
    const ok = await runCli(["config", "check", "--server-key", "my-very-secret-server-key", "--port", "7777"], {
      env: { TESSERA_SESSION_TOKEN_EXPIRY_SEC: "120" },
    });
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /^configuration is valid; no safety findings$/m);
    assert.match(ok.output, /^ {2}socket\.port +7777 {2}\[flag --port\]$/m);
    assert.match(ok.output, /^ {2}session\.token_expiry_sec +120 {2}\[environment TESSERA_SESSION_TOKEN_EXPIRY_SEC\]$/m);
    assert.match(ok.output, /^ {2}socket\.server_key +\(set\) {2}\[flag --server-key\]$/m);
    assert.match(ok.output, /^ {2}console\.token_expiry_sec +28800 {2}\[default\]$/m);
    assert.doesNotMatch(ok.output, /my-very-secret-server-key/);

    const warned = await runCli(["config", "check"]);
    assert.equal(warned.code, 0);
    assert.match(warned.output, /warning: socket\.server_key is the public default/);
    const refused = await runCli(["config", "check", "--production"]);
    assert.equal(refused.code, 2);
    assert.match(refused.output, /refused: socket\.server_key/);
    const invalid = await runCli(["config", "check", "--session.token_expiry_sec", "0"]);
    assert.equal(invalid.code, 2);
    assert.match(invalid.output, /Invalid configuration: session\.token_expiry_sec: must be at least 1/);
  });
});
