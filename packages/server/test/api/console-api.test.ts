/**
 * The console API (`/v2/console`) against a real server: console sign-in and tokens, roles,
 * account search and the account page, operator actions and their effect on players' tokens,
 * the audit log and its filters, the dashboard's figures, console users, and odd input.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createConsoleUser } from "../../src/admin/console-users.js";
import { CLI_ACTOR } from "../../src/audit/audit-events.js";
import { consoleRoutes } from "../../src/http/routes/console-routes.js";
import { SERVER_KEY, startTestServer, type ApiResponse, type TestServer } from "../support/harness.js";
import { FrozenClock } from "../support/test-clock.js";

const PASSWORD = "correct horse battery";

function expectError(res: ApiResponse, status: number, message?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(typeof res.body.code, "number");
  if (message) assert.match(res.body.message, message);
}

describe("console API", () => {
  let t: TestServer;
  const clock = new FrozenClock();
  let admin = "";
  let viewer = "";

  async function consoleUser(role: "admin" | "viewer", username = `${role}-${randomUUID().slice(0, 8)}`): Promise<string> {
    await createConsoleUser(t.server.core, { username, role, password: PASSWORD }, CLI_ACTOR);
    return username;
  }

  async function signIn(username: string, password = PASSWORD): Promise<string> {
    const res = await t.api.call("POST", "/v2/console/authenticate", { body: { username, password } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.token;
  }

  const get = (token: string, path: string) => t.api.call("GET", path, { bearer: token });
  const call = (token: string, method: string, path: string, body?: unknown) =>
    t.api.call(method, path, body === undefined ? { bearer: token } : { bearer: token, body });

  async function player(username = `p-${randomUUID().slice(0, 8)}`) {
    clock.advance(1); // Accounts list newest first: one per millisecond keeps their order known.
    const device = `dev-${randomUUID()}`;
    const first = await t.api.device(device, `?username=${encodeURIComponent(username)}`);
    const second = await t.api.device(device);
    const id = (await t.api.withToken("GET", "/v2/account", first.token)).body.user.id as string;
    return { id, username, device, first, second };
  }

  async function audit(token: string, query: string) {
    const res = await get(token, `/v2/console/audit?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.events as {
      kind: string;
      actor: { type: string; id?: string };
      user_id?: string;
      details: Record<string, unknown>;
      time: string;
      ip?: string;
    }[];
  }

  before(async () => {
    t = await startTestServer({}, undefined, { clock });
    admin = await signIn(await consoleUser("admin", "root-admin"));
    viewer = await signIn(await consoleUser("viewer"));
  });
  after(() => t.close());

  describe("sign-in and tokens", () => {
    it("signs a console user in with an opaque token; refusals all look alike and are audited", async () => {
      const name = await consoleUser("viewer");
      const ok = await t.api.call("POST", "/v2/console/authenticate", { body: { username: name, password: PASSWORD } });
      assert.equal(ok.status, 200);
      assert.match(ok.body.token, /^tcs_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(ok.body.user, { username: name, role: "viewer" });
      assert.ok(Date.parse(ok.body.expire_time) - clock.now() > 28_000_000);

      const wrong = await t.api.call("POST", "/v2/console/authenticate", { body: { username: name, password: "not the password" } });
      const unknown = await t.api.call("POST", "/v2/console/authenticate", { body: { username: "nobody-here", password: PASSWORD } });
      for (const res of [wrong, unknown]) {
        expectError(res, 401, /^Invalid credentials\.$/);
        // Never Basic: browsers would prompt for a password over the console's form.
        assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="tessera-console"');
      }
      expectError(await t.api.call("POST", "/v2/console/authenticate", { body: { username: name } }), 400, /required/);
      expectError(await t.api.call("POST", "/v2/console/authenticate", { body: { username: 5, password: PASSWORD } }), 400, /"username" must be a string/);
      // The server key is no console credential.
      expectError(await t.api.call("GET", "/v2/console/session", { serverKey: SERVER_KEY }), 401);

      const failed = await audit(admin, "kind=console_sign_in_failed");
      assert.deepEqual(
        failed.slice(0, 2).map((e) => [e.details["username"], e.details["reason"]]),
        [
          ["nobody-here", "unknown_user"],
          [name, "wrong_password"],
        ],
      );
      const signedIn = await audit(admin, `kind=console_sign_in&actor=admin:${name}`);
      assert.equal(signedIn.length, 1);
      assert.equal(signedIn[0]!.ip, "127.0.0.1");
    });

    it("checks the token on every request: signed out, disabled, expired, or a changed role apply at once", async () => {
      const name = await consoleUser("admin");
      const token = await signIn(name);
      assert.deepEqual((await get(token, "/v2/console/session")).body, { user: { username: name, role: "admin" } });

      assert.equal((await call(admin, "PUT", `/v2/console/users/${name}`, { role: "viewer" })).status, 200);
      expectError(await get(token, "/v2/console/users"), 403, /admin role/);
      assert.equal((await get(token, "/v2/console/session")).body.user.role, "viewer");

      assert.equal((await call(admin, "PUT", `/v2/console/users/${name}`, { disabled: true })).status, 200);
      expectError(await get(token, "/v2/console/session"), 401, /^Auth token invalid$/);
      expectError(await t.api.call("POST", "/v2/console/authenticate", { body: { username: name, password: PASSWORD } }), 401, /^Invalid credentials\.$/);
      assert.equal((await call(admin, "PUT", `/v2/console/users/${name}`, { disabled: false })).status, 200);

      const again = await signIn(name);
      assert.equal((await call(again, "POST", "/v2/console/authenticate/logout")).status, 200);
      expectError(await get(again, "/v2/console/session"), 401);

      const later = await signIn(name);
      clock.advance(8 * 3600 * 1000 + 1000);
      expectError(await get(later, "/v2/console/session"), 401);
      for (const bad of ["", "Bearer", "Bearer tcs_nope", "Bearer " + "x".repeat(300)]) {
        const res = await t.api.call("GET", "/v2/console/session", { headers: bad ? { Authorization: bad } : {} });
        expectError(res, 401);
        assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
      }
      // The admins' own tokens live 8 h too: sign them in again after the jump.
      admin = await signIn("root-admin");
    });

    it("lets a viewer read but refuses every action with 403", async () => {
      viewer = await signIn(await consoleUser("viewer"));
      const p = await player();
      for (const path of ["/v2/console/dashboard", "/v2/console/accounts", `/v2/console/accounts/${p.id}`, "/v2/console/audit", "/v2/console/session"]) {
        assert.equal((await get(viewer, path)).status, 200, path);
      }
      const adminOnly = consoleRoutes.filter((r) => r.auth === "admin" && r.role === "admin");
      assert.ok(adminOnly.length >= 12);
      for (const r of adminOnly) {
        const path = r.path
          .replace("{id}", p.id)
          .replace("{session_id}", randomUUID())
          .replace("{borrower_id}", randomUUID())
          .replace("{username}", "root-admin");
        expectError(await call(viewer, r.method, path, r.method === "GET" || r.method === "DELETE" ? undefined : {}), 403, /admin role/);
      }
      assert.equal((await t.api.withToken("GET", "/v2/account", p.second.token)).status, 200, "nothing happened to the player");
    });
  });

  describe("accounts", () => {
    it("searches by each field, pages with a cursor, and lists newest first without a query", async () => {
      const tag = randomUUID().slice(0, 6);
      const made: Awaited<ReturnType<typeof player>>[] = [];
      for (const suffix of ["a", "b", "c"]) made.push(await player(`${tag}-${suffix}`));
      const page1 = await get(viewer, `/v2/console/accounts?q=${tag}&field=username&limit=2`);
      assert.deepEqual(
        page1.body.accounts.map((a: { username: string }) => a.username),
        [`${tag}-a`, `${tag}-b`],
      );
      assert.ok(page1.body.next_cursor);
      const page2 = await get(viewer, `/v2/console/accounts?q=${tag}&field=username&limit=2&cursor=${page1.body.next_cursor}`);
      assert.deepEqual(
        page2.body.accounts.map((a: { username: string }) => a.username),
        [`${tag}-c`],
      );
      assert.equal(page2.body.next_cursor, undefined);

      const byDevice = await get(viewer, `/v2/console/accounts?q=${made[1]!.device}`);
      assert.deepEqual(
        byDevice.body.accounts.map((a: { id: string }) => a.id),
        [made[1]!.id],
        "any: a device id exactly",
      );
      const devicePrefix = await get(viewer, `/v2/console/accounts?q=${made[2]!.device.slice(0, 20)}&field=device`);
      assert.equal(devicePrefix.body.accounts[0].device_id, made[2]!.device);
      assert.deepEqual(
        (await get(viewer, `/v2/console/accounts?q=${made[0]!.id}&field=id`)).body.accounts.map((a: { id: string }) => a.id),
        [made[0]!.id],
      );

      const newest = await get(viewer, "/v2/console/accounts?limit=3");
      assert.deepEqual(
        newest.body.accounts.map((a: { id: string }) => a.id),
        made.map((m) => m.id).reverse(),
      );
      const next = await get(viewer, `/v2/console/accounts?limit=3&cursor=${newest.body.next_cursor}`);
      assert.ok(next.body.accounts.every((a: { id: string }) => !made.some((m) => m.id === a.id)));

      expectError(await get(viewer, "/v2/console/accounts?field=nickname&q=x"), 400, /Invalid field/);
      expectError(await get(viewer, "/v2/console/accounts?field=id&q=abc"), 400, /UUID/);
      expectError(await get(viewer, "/v2/console/accounts?limit=0"), 400, /limit/);
      expectError(await get(viewer, "/v2/console/accounts?cursor=%7B%7D"), 400, /cursor/);
      expectError(await get(viewer, `/v2/console/accounts?q=${tag}&field=email&cursor=${page1.body.next_cursor}`), 400, /another field/);
    });

    it("shows an account with identities, sessions, licenses and tickets", async () => {
      const p = await player();
      await t.api.withToken("POST", "/v2/account/link/custom", p.first.token, { id: `custom-${randomUUID()}` });
      await t.api.withToken("POST", "/v2/tickets", p.first.token, { identity: "eu-west" });
      const res = await get(viewer, `/v2/console/accounts/${p.id}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.account.user.username, p.username);
      assert.deepEqual(res.body.account.devices, [{ id: p.device }]);
      assert.match(res.body.account.custom_id, /^custom-/);
      assert.equal(res.body.sessions.length, 2);
      assert.equal(res.body.sessions[0].client_ip, "127.0.0.1");
      assert.equal(res.body.licenses.owns_app, true);
      assert.equal(res.body.tickets[0].identity, "eu-west");
      expectError(await get(viewer, `/v2/console/accounts/${randomUUID()}`), 404);
      expectError(await get(viewer, "/v2/console/accounts/not-a-uuid"), 400, /UUID/);
    });

    it("ends one session (its token is refused, the other works), then all of them", async () => {
      const p = await player();
      const detail = await get(admin, `/v2/console/accounts/${p.id}`);
      const firstSession = JSON.parse(Buffer.from(p.first.token.split(".")[1]!, "base64url").toString()).tid as string;
      assert.ok(detail.body.sessions.some((s: { id: string }) => s.id === firstSession));

      assert.equal((await call(admin, "DELETE", `/v2/console/accounts/${p.id}/sessions/${firstSession}`)).status, 200);
      expectError(await t.api.withToken("GET", "/v2/account", p.first.token), 401, /Auth token invalid/);
      assert.equal((await t.api.withToken("GET", "/v2/account", p.second.token)).status, 200);
      expectError(await call(admin, "DELETE", `/v2/console/accounts/${p.id}/sessions/${firstSession}`), 404, /Session not found/);

      const all = await call(admin, "DELETE", `/v2/console/accounts/${p.id}/sessions`);
      assert.deepEqual(all.body, { ended: 1 });
      expectError(await t.api.withToken("GET", "/v2/account", p.second.token), 401);

      const ended = await audit(admin, `user_id=${p.id}&kind=sessions_ended`);
      assert.deepEqual(
        ended.map((e) => [e.actor.type, e.actor.id, e.details["reason"]]),
        [
          ["admin", "root-admin", "logout_all"],
          ["admin", "root-admin", "ended"],
        ],
      );
      assert.deepEqual(ended[1]!.details["session_ids"], [firstSession]);
      expectError(await call(admin, "DELETE", `/v2/console/accounts/${randomUUID()}/sessions`), 404);
    });

    it("bans with a kind and reason (tokens refused, sign-in 403), unbans, and audits both", async () => {
      const p = await player();
      const ban = await call(admin, "POST", `/v2/console/accounts/${p.id}/ban`, { kind: "vac", reason: "aimbot in ranked" });
      assert.equal(ban.status, 200);
      expectError(await t.api.withToken("GET", "/v2/account", p.second.token), 401);
      expectError(await t.api.withKey("/v2/account/authenticate/device", { id: p.device }), 403, /banned/);
      const detail = (await get(viewer, `/v2/console/accounts/${p.id}`)).body;
      assert.deepEqual([detail.account.ban_kind, detail.account.ban_reason, detail.sessions.length], ["vac", "aimbot in ranked", 0]);
      assert.ok(detail.account.disable_time);

      expectError(await call(admin, "POST", `/v2/console/accounts/${p.id}/ban`, { kind: "forever" }), 400, /kind/);
      expectError(await call(admin, "POST", `/v2/console/accounts/${p.id}/ban`, { reason: "x".repeat(513) }), 400, /reason/);

      assert.equal((await call(admin, "POST", `/v2/console/accounts/${p.id}/unban`)).status, 200);
      assert.equal((await t.api.withKey("/v2/account/authenticate/device", { id: p.device })).status, 200);
      const events = await audit(viewer, `user_id=${p.id}`);
      const kinds = events.map((e) => e.kind);
      for (const kind of ["account_banned", "account_unbanned", "sessions_ended", "sign_in", "sign_in_failed"])
        assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
      const banned = events.find((e) => e.kind === "account_banned")!;
      assert.deepEqual(
        [banned.actor, banned.details],
        [
          { type: "admin", id: "root-admin" },
          { kind: "vac", reason: "aimbot in ranked" },
        ],
      );
      const refused = events.find((e) => e.kind === "sign_in_failed")!;
      assert.deepEqual(refused.details, { provider: "device", reason: "banned" });
    });

    it("grants, revokes and lends licenses, cancels tickets, deletes the account", async () => {
      const p = await player();
      const friend = await player();
      const expiry = new Date(clock.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
      assert.equal((await call(admin, "POST", `/v2/console/accounts/${p.id}/license`, { expire_time: expiry })).status, 200);
      assert.equal((await get(viewer, `/v2/console/accounts/${p.id}`)).body.licenses.license.expire_time, expiry);
      expectError(await call(admin, "POST", `/v2/console/accounts/${p.id}/license`, { expire_time: "tomorrow" }), 400, /RFC 3339/);
      expectError(await call(admin, "POST", `/v2/console/accounts/${p.id}/license`, { expire_time: "2001-01-01T00:00:00Z" }), 400, /future/);

      assert.equal((await call(admin, "POST", `/v2/console/accounts/${p.id}/loans`, { borrower_id: friend.id })).status, 200);
      assert.deepEqual(
        (await get(viewer, `/v2/console/accounts/${friend.id}`)).body.licenses.borrowed.map((l: { owner_id: string }) => l.owner_id),
        [p.id],
      );
      assert.equal((await call(admin, "DELETE", `/v2/console/accounts/${p.id}/loans/${friend.id}`)).status, 200);
      assert.equal((await call(admin, "DELETE", `/v2/console/accounts/${p.id}/license`)).status, 200);
      expectError(await call(admin, "DELETE", `/v2/console/accounts/${p.id}/license`), 404);

      await t.api.withToken("POST", "/v2/tickets", p.second.token, {});
      assert.deepEqual((await call(admin, "DELETE", `/v2/console/accounts/${p.id}/tickets`)).body, { canceled: 1 });
      assert.deepEqual((await t.api.withToken("GET", "/v2/tickets", p.second.token)).body.tickets, []);

      const kinds = (await audit(viewer, `user_id=${p.id}&actor=admin:root-admin`)).map((e) => e.kind);
      assert.deepEqual(kinds, ["tickets_canceled", "license_revoked", "license_loan_ended", "license_lent", "license_granted"]);

      assert.equal((await call(admin, "DELETE", `/v2/console/accounts/${p.id}`)).status, 200);
      expectError(await t.api.withToken("GET", "/v2/account", p.second.token), 401);
      expectError(await get(viewer, `/v2/console/accounts/${p.id}`), 404);
      assert.equal((await audit(viewer, `user_id=${p.id}&kind=account_deleted`)).length, 1, "the trail of a deleted account stays");
    });
  });

  describe("audit log and dashboard", () => {
    it("records refresh-token reuse with the session, and filters by time; rejects bad filters", async () => {
      const p = await player();
      const rotated = await t.api.withKey("/v2/account/session/refresh", { token: p.first.refresh_token });
      assert.equal(rotated.status, 200);
      clock.advance(11_000);
      expectError(await t.api.withKey("/v2/account/session/refresh", { token: p.first.refresh_token }), 401);
      const [reuse] = await audit(viewer, `user_id=${p.id}&kind=refresh_reuse_detected`);
      assert.equal(reuse!.actor.type, "system");
      assert.deepEqual([reuse!.details["generation"], reuse!.details["current"]], [0, 1]);
      const since = new Date(Date.parse(reuse!.time)).toISOString();
      assert.ok((await audit(viewer, `user_id=${p.id}&since=${since}`)).every((e) => Date.parse(e.time) >= Date.parse(since)));
      assert.deepEqual(await audit(viewer, `user_id=${p.id}&until=2000-01-01T00:00:00Z`), []);

      expectError(await get(viewer, "/v2/console/audit?kind=nope"), 400, /Unknown audit event kind "nope"; known kinds: sign_in/);
      expectError(await get(viewer, "/v2/console/audit?actor=robot"), 400, /Invalid actor/);
      expectError(await get(viewer, "/v2/console/audit?since=yesterday"), 400, /RFC 3339/);
      expectError(await get(viewer, "/v2/console/audit?user_id=abc"), 400, /UUID/);
      expectError(await get(viewer, "/v2/console/audit?cursor=!!"), 400, /cursor/);
    });

    it("pages the audit log with a cursor, newest first", async () => {
      const p = await player();
      for (let i = 0; i < 3; i++) await t.api.device(p.device);
      const all = await audit(viewer, `user_id=${p.id}&kind=sign_in`);
      assert.equal(all.length, 5);
      const first = await get(viewer, `/v2/console/audit?user_id=${p.id}&kind=sign_in&limit=3`);
      const second = await get(viewer, `/v2/console/audit?user_id=${p.id}&kind=sign_in&limit=3&cursor=${first.body.next_cursor}`);
      assert.deepEqual(
        [...first.body.events, ...second.body.events].map((e: { id: string }) => e.id),
        all.map((e) => (e as unknown as { id: string }).id),
      );
      assert.equal(second.body.next_cursor, undefined);
      assert.deepEqual(all.at(-1)!.details, { provider: "device", created: true });
      assert.deepEqual(all[0]!.details, { provider: "device", created: false });
    });

    it("counts sign-ins, refused sign-ins and refreshes per minute, and live sessions", async () => {
      const before = (await get(viewer, "/v2/console/dashboard")).body;
      assert.equal(before.series.length, 60);
      const p = await player();
      await t.api.withKey("/v2/account/session/refresh", { token: p.second.refresh_token });
      await t.api.withKey("/v2/account/authenticate/email", { email: `x-${randomUUID()}@example.com`, password: "password-1" });
      const res = await t.api.call("POST", "/v2/account/authenticate/email?username=" + p.username, {
        serverKey: SERVER_KEY,
        body: { password: "password-2" },
      });
      assert.equal(res.status, 401);
      const now = (await get(viewer, "/v2/console/dashboard")).body;
      assert.equal(now.active_sessions, before.active_sessions + 3);
      assert.equal(now.accounts, before.accounts + 2);
      const current = now.series.at(-1);
      const was = before.series.find((m: { minute: string }) => m.minute === current.minute) ?? { sign_ins: 0, refreshes: 0, sign_in_failures: 0 };
      assert.equal(current.sign_ins - was.sign_ins, 3);
      assert.equal(current.refreshes - was.refreshes, 1);
      assert.equal(current.sign_in_failures - was.sign_in_failures, 1);
      assert.ok(now.per_minute.sign_ins >= 3);
    });
  });

  describe("console users", () => {
    it("creates (a generated password is shown once), lists, updates and deletes; one enabled admin always remains", async () => {
      const created = await call(admin, "POST", "/v2/console/users", { username: "support.jo", role: "viewer" });
      assert.equal(created.status, 200);
      assert.match(created.body.password, /^[A-Za-z0-9_-]{32}$/);
      assert.deepEqual([created.body.user.username, created.body.user.role, created.body.user.disabled], ["support.jo", "viewer", false]);
      const jo = await signIn("support.jo", created.body.password);
      expectError(await call(admin, "POST", "/v2/console/users", { username: "support.jo" }), 409);
      expectError(await call(admin, "POST", "/v2/console/users", { username: "bad name!" }), 400, /Username invalid/);
      expectError(await call(admin, "POST", "/v2/console/users", { username: "shorty", password: "short" }), 400, /at least 12/);
      expectError(await call(admin, "POST", "/v2/console/users", { username: "rolly", role: "owner" }), 400, /Role/);

      const list = (await get(admin, "/v2/console/users")).body.users as { username: string; last_sign_in_time?: string }[];
      assert.ok(list.find((u) => u.username === "support.jo")?.last_sign_in_time);
      assert.ok(!JSON.stringify(list).includes("argon2"));

      assert.equal((await call(admin, "PUT", "/v2/console/users/support.jo", { password: "a brand new password" })).status, 200);
      expectError(await get(jo, "/v2/console/session"), 401, /invalid/);
      await signIn("support.jo", "a brand new password");
      expectError(await call(admin, "PUT", "/v2/console/users/nobody.here", { role: "admin" }), 404);

      // Only root-admin and the admins other tests made are enabled admins: demote all but root-admin, then root-admin is the last.
      for (const u of (await get(admin, "/v2/console/users")).body.users as { username: string; role: string; disabled: boolean }[]) {
        if (u.role === "admin" && !u.disabled && u.username !== "root-admin") await call(admin, "PUT", `/v2/console/users/${u.username}`, { disabled: true });
      }
      expectError(await call(admin, "PUT", "/v2/console/users/root-admin", { role: "viewer" }), 400, /At least one enabled admin/);
      expectError(await call(admin, "PUT", "/v2/console/users/root-admin", { disabled: true }), 400, /At least one enabled admin/);
      expectError(await call(admin, "DELETE", "/v2/console/users/root-admin"), 400, /At least one enabled admin/);

      assert.equal((await call(admin, "DELETE", "/v2/console/users/support.jo")).status, 200);
      expectError(await t.api.call("POST", "/v2/console/authenticate", { body: { username: "support.jo", password: "a brand new password" } }), 401);
      const kinds = (await audit(admin, "actor=admin:root-admin&kind=console_user_created,console_user_updated,console_user_deleted")).map((e) => e.kind);
      assert.deepEqual(kinds.slice(0, 1), ["console_user_deleted"]);
      assert.ok(kinds.includes("console_user_created"));
    });
  });

  describe("odd input", () => {
    it("never answers 500 on any console route", async () => {
      const p = await player();
      const bodies = [
        "{}",
        "[]",
        '{"username":{"a":1},"password":[1]}',
        '{"kind":7,"reason":{"x":1}}',
        '{"expire_time":"9999-99-99T99:99:99Z"}',
        '{"borrower_id":"' + "x".repeat(5000) + '"}',
        '{"role":null,"disabled":"yes"}',
        "not json",
      ];
      for (const r of consoleRoutes) {
        for (const id of [p.id, "%00", "x".repeat(300)]) {
          const path = r.path.replace("{id}", id).replace("{session_id}", id).replace("{borrower_id}", id).replace("{username}", id);
          for (const body of r.method === "GET" ? [undefined] : bodies) {
            const res = await t.api.call(r.method, path, { bearer: admin, rawBody: body, headers: body ? { "Content-Type": "application/json" } : {} });
            assert.ok(res.status < 500, `${r.method} ${path} ${body} → ${res.status} ${JSON.stringify(res.body)}`);
          }
        }
      }
      for (const q of ["%00", "%FF", "x".repeat(300), "%E2%80", "a%2Fb"]) {
        const res = await get(admin, `/v2/console/accounts?q=${q}`);
        assert.ok(res.status < 500, `${q} → ${res.status}`);
      }
      // The admin is still signed in (no odd body signed it out... except the logout route itself).
      admin = await signIn("root-admin");
    });

    it("documents every console route in the OpenAPI document with the console security scheme", async () => {
      const doc = (await t.api.call("GET", "/openapi.json")).body;
      assert.ok(doc.components.securitySchemes.console);
      for (const r of consoleRoutes) {
        const op = doc.paths[r.path]?.[r.method.toLowerCase()];
        assert.ok(op, `${r.method} ${r.path} documented`);
        assert.deepEqual(op.security, r.auth === "admin" ? [{ console: [] }] : []);
        assert.equal(op["x-tessera-role"], r.auth === "admin" ? r.role : undefined);
      }
      assert.ok(doc.paths["/v2/console/accounts/{id}/ban"].post.requestBody.content["application/json"].schema.properties.kind);
      assert.equal(doc.paths["/console/"], undefined, "the console's files are not API");
    });
  });
});

describe("console sign-in under the sign-in rate limits", () => {
  it("answers 429 with Retry-After past the per-identifier limit, whatever the password", async () => {
    const t = await startTestServer({ "ratelimit.signin_per_identifier": 2 });
    try {
      await createConsoleUser(t.server.core, { username: "limited-admin", role: "admin", password: "a long console password" }, CLI_ACTOR);
      const attempt = (password: string) => t.api.call("POST", "/v2/console/authenticate", { body: { username: "limited-admin", password } });
      assert.equal((await attempt("wrong password one")).status, 401);
      assert.equal((await attempt("a long console password")).status, 200);
      const limited = await attempt("a long console password");
      assert.equal(limited.status, 429);
      assert.deepEqual(limited.body.code, 8);
      assert.match(limited.headers.get("retry-after") ?? "", /^\d+$/);
      assert.equal(
        (await t.api.call("POST", "/v2/console/authenticate", { body: { username: "someone-else", password: "x" } })).status,
        401,
        "another username is not limited",
      );
    } finally {
      await t.close();
    }
  });
});
