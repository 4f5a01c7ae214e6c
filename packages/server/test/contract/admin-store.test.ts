/**
 * The AdminStore contract (console users and sessions, the audit log, activity counts, account
 * search and figures), run unchanged against a SQLite file and the real PostgreSQL.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AuditEventRow, ConsoleUserRow } from "../../src/store/admin-store.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { prefixSuccessor } from "../../src/store/sql-admin-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { StoreConflictError, type AccountRow, type NewIdentity, type Store } from "../../src/store/store.js";
import { tempDir } from "../support/harness.js";
import { createTestDatabase, dropAllTestDatabases, postgresSkip } from "../support/postgres.js";

const NOW = 1_700_000_000_000;
const NOW_SEC = NOW / 1000;

interface Backend {
  name: string;
  skip: string | false;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const dirs: { remove(): void }[] = [];
const backends: Backend[] = [
  {
    name: "sqlite",
    skip: false,
    async open() {
      const dir = tempDir("tessera-admin-store-");
      dirs.push(dir);
      return SqliteStore.open({ path: join(dir.path, "tessera.db") });
    },
    async cleanup() {
      for (const d of dirs.splice(0)) d.remove();
    },
  },
  {
    name: "postgres",
    skip: await postgresSkip(),
    async open() {
      return PostgresStore.open({ url: (await createTestDatabase()).url });
    },
    cleanup: dropAllTestDatabases,
  },
];

function consoleUser(overrides: Partial<ConsoleUserRow> = {}): ConsoleUserRow {
  return {
    id: randomUUID(),
    username: `op-${randomUUID().slice(0, 8)}`,
    passwordHash: "$argon2id$x",
    role: "admin",
    createdAt: NOW,
    updatedAt: NOW,
    disabledAt: null,
    lastSignInAt: null,
    ...overrides,
  };
}

function auditEvent(overrides: Partial<AuditEventRow> = {}): AuditEventRow {
  return { id: randomUUID(), time: NOW, kind: "sign_in", actorType: "user", actorId: null, userId: null, ip: null, details: "{}", ...overrides };
}

describe("prefixSuccessor", () => {
  it("is the smallest string above every string with the prefix", () => {
    assert.equal(prefixSuccessor("abc"), "abd");
    assert.equal(prefixSuccessor("a\u{10ffff}"), "b");
    assert.equal(prefixSuccessor("\u{d7ff}"), "\u{e000}");
    assert.equal(prefixSuccessor(""), undefined);
    assert.equal(prefixSuccessor("\u{10ffff}"), undefined);
    assert.equal(prefixSuccessor("zo\u00eb"), "zo\u00ec");
  });
});

for (const backend of backends) {
  describe(`AdminStore contract: ${backend.name}`, { skip: backend.skip }, () => {
    let store: Store;
    before(async () => {
      store = await backend.open();
    });
    after(async () => {
      await store?.close();
      await backend.cleanup();
    });

    const account = (username: string, identity?: NewIdentity, createTime = NOW) => store.createAccount({ id: randomUUID(), username, createTime }, identity);

    it("creates, finds, lists, updates and deletes console users; a taken username conflicts", async () => {
      const alice = consoleUser({ username: "alice-ops" });
      await store.admin.createConsoleUser(alice);
      assert.deepEqual(await store.admin.consoleUser("alice-ops"), alice);
      assert.equal(await store.admin.consoleUser("nobody"), undefined);
      await assert.rejects(
        store.admin.createConsoleUser(consoleUser({ username: "alice-ops" })),
        (e: unknown) => e instanceof StoreConflictError && e.field === "console_user",
      );

      const bob = consoleUser({ username: "bob-ops", role: "viewer" });
      await store.admin.createConsoleUser(bob);
      const names = (await store.admin.listConsoleUsers()).map((u) => u.username);
      assert.ok(names.indexOf("alice-ops") < names.indexOf("bob-ops"));

      const admins = await store.admin.countActiveAdmins();
      assert.equal(await store.admin.updateConsoleUser(bob.id, { role: "admin" }, NOW + 5), true);
      assert.equal(await store.admin.countActiveAdmins(), admins + 1);
      assert.equal(await store.admin.updateConsoleUser(bob.id, { disabledAt: NOW + 6 }, NOW + 6), true);
      assert.equal(await store.admin.countActiveAdmins(), admins);
      const updated = (await store.admin.consoleUser("bob-ops"))!;
      assert.deepEqual([updated.role, updated.disabledAt, updated.updatedAt], ["admin", NOW + 6, NOW + 6]);
      assert.equal(await store.admin.updateConsoleUser(randomUUID(), { role: "viewer" }, NOW), false);

      assert.equal(await store.admin.deleteConsoleUser(bob.id), true);
      assert.equal(await store.admin.deleteConsoleUser(bob.id), false);
      assert.equal(await store.admin.consoleUser("bob-ops"), undefined);
    });

    it("stores console sessions by token hash with their user; disabling, a new password or deleting the user ends them", async () => {
      const user = consoleUser();
      await store.admin.createConsoleUser(user);
      const session = {
        id: randomUUID(),
        tokenHash: randomUUID(),
        userId: user.id,
        createdAt: NOW + 1,
        expiresAt: NOW + 1000,
        clientIp: "10.0.0.1",
        userAgent: "ua",
      };
      await store.admin.createConsoleSession(session);
      const found = (await store.admin.consoleSession(session.tokenHash))!;
      assert.deepEqual(found.session, session);
      assert.deepEqual(found.user, { ...user, lastSignInAt: NOW + 1 });
      assert.equal(await store.admin.consoleSession("unknown"), undefined);

      await store.admin.updateConsoleUser(user.id, { role: "viewer" }, NOW + 2);
      assert.equal((await store.admin.consoleSession(session.tokenHash))?.user.role, "viewer", "a role change keeps the session");
      await store.admin.updateConsoleUser(user.id, { disabledAt: NOW + 3 }, NOW + 3);
      assert.equal(await store.admin.consoleSession(session.tokenHash), undefined, "disabling ends the sessions");

      await store.admin.updateConsoleUser(user.id, { disabledAt: null }, NOW + 4);
      const second = { ...session, id: randomUUID(), tokenHash: randomUUID() };
      await store.admin.createConsoleSession(second);
      await store.admin.updateConsoleUser(user.id, { passwordHash: "$argon2id$new" }, NOW + 5);
      assert.equal(await store.admin.consoleSession(second.tokenHash), undefined, "a new password ends the sessions");

      const third = { ...session, id: randomUUID(), tokenHash: randomUUID() };
      await store.admin.createConsoleSession(third);
      assert.equal(await store.admin.deleteConsoleSession(third.id), true);
      assert.equal(await store.admin.deleteConsoleSession(third.id), false);
      const fourth = { ...session, id: randomUUID(), tokenHash: randomUUID() };
      await store.admin.createConsoleSession(fourth);
      await store.admin.deleteConsoleUser(user.id);
      assert.equal(await store.admin.consoleSession(fourth.tokenHash), undefined);
    });

    it("purges expired console sessions only", async () => {
      const user = consoleUser();
      await store.admin.createConsoleUser(user);
      const old = { id: randomUUID(), tokenHash: randomUUID(), userId: user.id, createdAt: NOW, expiresAt: NOW + 10, clientIp: null, userAgent: null };
      const live = { ...old, id: randomUUID(), tokenHash: randomUUID(), expiresAt: NOW + 10_000 };
      await store.admin.createConsoleSession(old);
      await store.admin.createConsoleSession(live);
      assert.ok((await store.admin.purgeConsoleSessions(NOW + 100)) >= 1);
      assert.equal(await store.admin.consoleSession(old.tokenHash), undefined);
      assert.ok(await store.admin.consoleSession(live.tokenHash));
    });

    it("appends audit events and filters them by kind, user, actor and time, newest first, in pages", async () => {
      const subject = randomUUID();
      const events = Array.from({ length: 7 }, (_, i) =>
        auditEvent({
          time: NOW + 100_000 + Math.floor(i / 2),
          kind: i % 3 === 0 ? "account_banned" : "sign_in",
          userId: subject,
          actorType: i === 6 ? "admin" : "user",
          actorId: i === 6 ? "alice" : subject,
          details: JSON.stringify({ i }),
        }),
      );
      await store.admin.appendAudit(events, []);
      const mine = await store.admin.listAuditEvents({ userId: subject, limit: 100 });
      assert.equal(mine.length, 7);
      for (let i = 1; i < mine.length; i++) {
        const [a, b] = [mine[i - 1]!, mine[i]!];
        assert.ok(a.time > b.time || (a.time === b.time && a.id > b.id), "newest first, ties by id descending");
      }
      assert.deepEqual(
        mine.find((e) => e.id === events[6]!.id),
        events[6],
      );

      // Pages of 3 walk the same list.
      const paged: string[] = [];
      let cursor: { time: number; id: string } | undefined;
      for (;;) {
        const page = await store.admin.listAuditEvents({ userId: subject, limit: 3, after: cursor });
        paged.push(...page.map((e) => e.id));
        if (page.length < 3) break;
        cursor = { time: page.at(-1)!.time, id: page.at(-1)!.id };
      }
      assert.deepEqual(
        paged,
        mine.map((e) => e.id),
      );

      assert.deepEqual(
        (await store.admin.listAuditEvents({ userId: subject, kinds: ["account_banned"], limit: 100 })).map((e) => e.kind),
        ["account_banned", "account_banned", "account_banned"],
      );
      assert.equal((await store.admin.listAuditEvents({ userId: subject, kinds: ["account_banned", "sign_in"], limit: 100 })).length, 7);
      assert.deepEqual(
        (await store.admin.listAuditEvents({ actorType: "admin", actorId: "alice", limit: 100 })).map((e) => e.id),
        [events[6]!.id],
      );
      assert.equal((await store.admin.listAuditEvents({ userId: subject, actorType: "user", limit: 100 })).length, 6);
      const window = await store.admin.listAuditEvents({ userId: subject, since: NOW + 100_001, until: NOW + 100_003, limit: 100 });
      assert.deepEqual(new Set(window.map((e) => e.time)), new Set([NOW + 100_001, NOW + 100_002]));

      assert.ok((await store.admin.purgeAuditEvents(NOW + 100_002)) >= 4);
      assert.equal((await store.admin.listAuditEvents({ userId: subject, limit: 100 })).length, 3);
    });

    it("appends a large batch of audit events whole, every field as given (several rows per statement)", async () => {
      const subject = randomUUID();
      const events = Array.from({ length: 157 }, (_, i) =>
        auditEvent({ time: NOW + 200_000 + i, userId: subject, ip: i % 2 ? "10.0.0.1" : null, details: JSON.stringify({ i }) }),
      );
      await store.admin.appendAudit(events, []);
      const stored = await store.admin.listAuditEvents({ userId: subject, limit: 200 });
      assert.deepEqual(stored, [...events].reverse());
    });

    it("adds activity counts per minute and kind across batches (as several nodes do)", async () => {
      const minute = NOW + 3_600_000;
      await store.admin.appendAudit(
        [],
        [
          { minute, kind: "sign_in", count: 3 },
          { minute, kind: "refresh", count: 1 },
        ],
      );
      await store.admin.appendAudit(
        [],
        [
          { minute, kind: "sign_in", count: 2 },
          { minute: minute + 60_000, kind: "sign_in", count: 1 },
        ],
      );
      await store.admin.appendAudit([], [{ minute, kind: "error", count: 1 }]);
      await store.admin.appendAudit([], [{ minute, kind: "error", count: 1 }]);
      const counts = await store.admin.activityCounts(minute);
      assert.deepEqual(counts, [
        { minute, kind: "error", count: 2 },
        { minute, kind: "refresh", count: 1 },
        { minute, kind: "sign_in", count: 5 },
        { minute: minute + 60_000, kind: "sign_in", count: 1 },
      ]);
      assert.equal(await store.admin.purgeActivityCounts(minute + 60_000), 3);
      assert.deepEqual(await store.admin.activityCounts(minute), [{ minute: minute + 60_000, kind: "sign_in", count: 1 }]);
    });

    it("searches accounts by username, email, custom id, Steam id and device prefix, and by exact id, in key order and pages", async () => {
      const tag = randomUUID().slice(0, 6);
      const a = await account(`${tag}-anna`, { provider: "email", subject: `${tag}-anna@example.com`, profile: {} });
      const b = await account(`${tag}-ann`, { provider: "custom", subject: `${tag}-custom-b`, profile: {} });
      const c = await account(`${tag}-bert`, { provider: "device", subject: `${tag}-device-c1`, profile: {} });
      await store.linkIdentity(c.id, { provider: "device", subject: `${tag}-device-c2`, profile: {} }, { replace: false }, NOW);
      const d = await account(`${tag}-zoë`, { provider: "steam", subject: `7656${tag}`, profile: { owner_id: null, vac_banned: false } });
      const e = await account(`${tag}-名前`);

      const keys = async (field: Parameters<Store["admin"]["searchAccounts"]>[0]["field"], query: string, after?: string, limit = 50) =>
        (await store.admin.searchAccounts({ field, query, after, limit })).map((h) => h.key);

      assert.deepEqual(await keys("username", `${tag}-ann`), [`${tag}-ann`, `${tag}-anna`]);
      assert.deepEqual(await keys("username", tag), [`${tag}-ann`, `${tag}-anna`, `${tag}-bert`, `${tag}-zoë`, `${tag}-名前`], "bytewise order");
      assert.deepEqual(await keys("username", `${tag}-zo`), [`${tag}-zoë`]);
      assert.deepEqual(await keys("username", `${tag}-名`), [`${tag}-名前`]);
      assert.deepEqual(await keys("username", tag, `${tag}-anna`, 2), [`${tag}-bert`, `${tag}-zoë`], "a page after a key");
      assert.deepEqual(await keys("email", `${tag.toUpperCase()}-ANNA@`), [`${tag}-anna@example.com`], "emails are matched lower-case");
      assert.deepEqual(await keys("custom_id", `${tag}-custom`), [`${tag}-custom-b`]);
      assert.deepEqual(await keys("steam_id", `7656${tag}`), [`7656${tag}`]);
      const devices = await store.admin.searchAccounts({ field: "device", query: `${tag}-device`, limit: 50 });
      assert.deepEqual(
        devices.map((h) => [h.key, h.account.id]),
        [
          [`${tag}-device-c1`, c.id],
          [`${tag}-device-c2`, c.id],
        ],
      );
      assert.deepEqual(
        (await store.admin.searchAccounts({ field: "id", query: d.id, limit: 50 })).map((h) => h.account),
        [d],
      );
      assert.deepEqual(await keys("id", randomUUID()), []);
      assert.deepEqual(await keys("username", `${tag}-nobody`), []);

      // any: a username prefix, or any identity exactly.
      assert.deepEqual(await keys("any", `${tag}-an`), [`${tag}-ann`, `${tag}-anna`]);
      for (const [query, who] of [
        [`${tag}-ANNA@example.com`, a],
        [`${tag}-custom-b`, b],
        [`${tag}-device-c2`, c],
        [`7656${tag}`, d],
        [e.id, e],
      ] as const) {
        assert.deepEqual(
          (await store.admin.searchAccounts({ field: "any", query, limit: 50 })).map((h) => h.account.id),
          [who.id],
          query,
        );
      }
    });

    it("lists accounts newest first in pages, and counts accounts, bans and live sessions", async () => {
      const base = NOW + 10_000_000;
      const made: AccountRow[] = [];
      for (let i = 0; i < 5; i++) made.push(await account(`list-${randomUUID().slice(0, 8)}`, undefined, base + Math.floor(i / 2)));
      const first = await store.admin.listAccounts(undefined, 2);
      assert.equal(first[0]!.createTime, base + 2);
      const seen: string[] = [];
      let page = first;
      while (page.length > 0 && seen.length < 5) {
        seen.push(...page.map((r) => r.id));
        const last = page.at(-1)!;
        page = await store.admin.listAccounts({ createTime: last.createTime, id: last.id }, 2);
      }
      assert.deepEqual(new Set(seen.slice(0, 5)), new Set(made.map((m) => m.id)));

      const before = await store.admin.countAccounts();
      await store.setDisableTime(made[0]!.id, NOW, NOW, { kind: "publisher", reason: null });
      const afterBan = await store.admin.countAccounts();
      assert.deepEqual(afterBan, { total: before.total, banned: before.banned + 1 });

      const live = await store.admin.countLiveSessions(NOW_SEC);
      const session = (id: string, refreshExpiresAtSec: number) => ({
        id,
        accountId: made[1]!.id,
        createdAt: NOW,
        lastRefreshAt: null,
        generation: 0,
        rotatedAt: NOW,
        username: "u",
        vars: {},
        issuedAtSec: NOW_SEC,
        tokenExpiresAtSec: NOW_SEC + 60,
        refreshExpiresAtSec,
        clientIp: null,
        userAgent: null,
        revokedAt: null,
        revokedReason: null,
      });
      const s1 = randomUUID();
      await store.createSession(session(s1, NOW_SEC + 100));
      await store.createSession(session(randomUUID(), NOW_SEC + 100));
      await store.createSession(session(randomUUID(), NOW_SEC - 1));
      assert.equal(await store.admin.countLiveSessions(NOW_SEC), live + 2);
      await store.revokeSession(s1, "ended", NOW);
      assert.equal(await store.admin.countLiveSessions(NOW_SEC), live + 1);
    });
  });
}
