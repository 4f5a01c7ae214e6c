/**
 * The Store contract, run unchanged against every backend (SQLite file, real PostgreSQL): each
 * backend gets a fresh database, and the same describe body checks every method's behaviour.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { Migration } from "../../src/store/migration.js";
import { MIGRATIONS as POSTGRES_MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { MIGRATIONS as SQLITE_MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { StoreConflictError, StoreUnavailableError, type AccountRow, type NewIdentity, type SessionRow, type Store } from "../../src/store/store.js";
import { tempDir } from "../support/harness.js";
import { createProxiedTestDatabase, createTestDatabase, dropAllTestDatabases, dropTestDatabase, execIn, postgresSkip } from "../support/postgres.js";

/** One empty database of a backend; `open()` may be called again after `close()` (reopen). */
interface TestDatabase {
  open(): Promise<Store>;
  /** Records a migration this code does not know, as a newer Tessera would have. */
  recordSchemaVersion(version: number): Promise<void>;
  /** Runs SQL directly (to build the database an older Tessera left behind). */
  exec(sql: string): Promise<void>;
}

interface Backend {
  name: string;
  skip: string | false;
  migrations: readonly Migration[];
  fresh(): Promise<TestDatabase>;
  cleanup(): Promise<void>;
}

const sqliteDirs: { remove(): void }[] = [];
const sqlite: Backend = {
  name: "sqlite",
  skip: false,
  migrations: SQLITE_MIGRATIONS,
  async fresh() {
    const dir = tempDir("tessera-store-");
    sqliteDirs.push(dir);
    const path = join(dir.path, "tessera.db");
    return {
      open: async () => SqliteStore.open({ path }),
      async recordSchemaVersion(version) {
        const db = new Database(path);
        db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)").run(version);
        db.close();
      },
      async exec(sql) {
        const db = new Database(path);
        db.exec(sql);
        db.close();
      },
    };
  },
  async cleanup() {
    for (const dir of sqliteDirs.splice(0)) dir.remove();
  },
};

const postgres: Backend = {
  name: "postgres",
  skip: await postgresSkip(),
  migrations: POSTGRES_MIGRATIONS,
  async fresh() {
    const { url } = await createTestDatabase();
    return {
      open: () => PostgresStore.open({ url }),
      recordSchemaVersion: (version) => execIn(url, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from the future', 0)", [version]),
      exec: (sql) => execIn(url, sql),
    };
  },
  cleanup: dropAllTestDatabases,
};

/**
 * PostgreSQL with every transaction SERIALIZABLE, as CockroachDB runs them: conflicting
 * transactions fail with SQLSTATE 40001 and must be retried, which the store does.
 */
const postgresSerializable: Backend = {
  ...postgres,
  name: "postgres (serializable)",
  async fresh() {
    const { name, url } = await createTestDatabase();
    await execIn(url, `ALTER DATABASE ${name} SET default_transaction_isolation TO 'serializable'`);
    return {
      open: () => PostgresStore.open({ url }),
      recordSchemaVersion: (version) => execIn(url, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from the future', 0)", [version]),
      exec: (sql) => execIn(url, sql),
    };
  },
};

const NOW = 1_700_000_000_000;
const NOW_SEC = NOW / 1000;
const FAR_SEC = NOW_SEC + 30 * 86_400;

function uid(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

function sessionRow(accountId: string, overrides: Partial<SessionRow> = {}): SessionRow {
  return {
    id: randomUUID(),
    accountId,
    createdAt: NOW,
    lastRefreshAt: null,
    generation: 0,
    rotatedAt: NOW,
    username: "player",
    vars: { zeta: "1", alpha: "2" },
    issuedAtSec: NOW_SEC,
    tokenExpiresAtSec: NOW_SEC + 3600,
    refreshExpiresAtSec: FAR_SEC,
    clientIp: "203.0.113.7",
    userAgent: "test",
    revokedAt: null,
    revokedReason: null,
    ...overrides,
  };
}

/** The identity conflicts under the names the unique columns had before identities were one table. */
const CONFLICT_NAMES: Record<string, string> = { device: "device", email: "email", custom: "custom_id", steam: "steam_id" };

/** Which unique value was taken: the field, or for an identity, its provider's former column. */
async function conflictOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof StoreConflictError, `expected StoreConflictError, got ${String(err)}`);
    if (err.field !== "identity") return err.field;
    assert.ok(err.provider !== undefined, "an identity conflict names its provider");
    return CONFLICT_NAMES[err.provider] ?? err.provider;
  }
  assert.fail("expected a StoreConflictError");
}

const asDevice = (id: string): NewIdentity => ({ provider: "device", subject: id, profile: {} });
const asEmail = (address: string): NewIdentity => ({ provider: "email", subject: address, profile: {} });
const asCustom = (id: string): NewIdentity => ({ provider: "custom", subject: id, profile: {} });
const asSteam = (id: string, ownerId: string | null = null, vacBanned = false): NewIdentity => ({
  provider: "steam",
  subject: id,
  profile: { owner_id: ownerId, vac_banned: vacBanned },
});
/** Link options: a device is added, the other providers replace the account's current one. */
const ADD = { replace: false } as const;
const REPLACE = { replace: true } as const;

for (const backend of [sqlite, postgres, postgresSerializable]) {
  describe(`Store contract: ${backend.name}`, { skip: backend.skip }, () => {
    let db: TestDatabase;
    let store: Store;

    before(async () => {
      db = await backend.fresh();
      store = await db.open();
    });
    after(async () => {
      await store?.close();
      await backend.cleanup();
    });

    async function account(identity?: NewIdentity, username = uid("user"), passwordHash: string | null = null) {
      return store.createAccount({ id: randomUUID(), username, createTime: NOW, passwordHash }, identity);
    }

    async function devicesOf(accountId: string): Promise<string[]> {
      return (await store.listIdentities(accountId)).filter((i) => i.provider === "device").map((i) => i.subject);
    }

    /** An account with the identity fields accounts had before identities were one table, read from its identities. */
    async function withIdentities(a: AccountRow) {
      const identities = await store.listIdentities(a.id);
      const of = (provider: string) => identities.find((i) => i.provider === provider);
      const steamProfile = of("steam")?.profile;
      return {
        ...a,
        email: of("email")?.subject ?? null,
        customId: of("custom")?.subject ?? null,
        steamId: of("steam")?.subject ?? null,
        steamOwnerId: (steamProfile?.["owner_id"] as string | null | undefined) ?? null,
        steamVacBanned: steamProfile?.["vac_banned"] === true,
      };
    }

    /** The account and its device ids in link order, read in one call. */
    async function accountWithDevices(id: string) {
      const found = await store.getAccountWithIdentities(id);
      return found && { account: found.account, devices: found.identities.filter((i) => i.provider === "device").map((i) => i.subject) };
    }

    it("creates accounts with each kind of first identity, or none", async () => {
      const device = uid("device");
      const byDevice = await account(asDevice(device));
      assert.equal(byDevice.langTag, "en");
      assert.equal(byDevice.metadata, "{}");
      assert.equal(byDevice.createTime, NOW);
      assert.equal(byDevice.updateTime, NOW);
      assert.equal(typeof byDevice.createTime, "number");
      const shown = await withIdentities(byDevice);
      assert.equal(shown.email, null);
      assert.equal(byDevice.disableTime, null);
      assert.deepEqual([shown.steamId, shown.steamOwnerId, shown.steamVacBanned], [null, null, false]);
      assert.deepEqual(await devicesOf(byDevice.id), [device]);

      const email = `${uid("mail")}@example.com`;
      const byEmail = await account(asEmail(email), undefined, "$argon2id$hash");
      assert.equal((await withIdentities(byEmail)).email, email);
      assert.equal(byEmail.passwordHash, "$argon2id$hash");
      assert.deepEqual(await devicesOf(byEmail.id), []);

      const custom = uid("custom");
      const byCustom = await account(asCustom(custom));
      assert.equal((await withIdentities(byCustom)).customId, custom);

      const bare = await account(undefined);
      assert.deepEqual(await store.getAccount(bare.id), bare);
      assert.equal((await withIdentities(bare)).customId, null);
      assert.equal(await store.getAccount(randomUUID()), undefined);
    });

    it("reports which unique value is taken, and creates nothing then", async () => {
      const device = uid("device");
      const email = `${uid("mail")}@example.com`;
      const custom = uid("custom");
      const taken = await account(asDevice(device));
      await account(asEmail(email), undefined, "h");
      await account(asCustom(custom));

      assert.equal(await conflictOf(account(undefined, taken.username)), "username");
      const loser = uid("user");
      assert.equal(await conflictOf(account(asDevice(device), loser)), "device");
      assert.equal(await store.findAccountByUsername(loser), undefined, "the account row of a failed creation is rolled back");
      assert.equal(await conflictOf(account(asEmail(email), undefined, "h")), "email");
      assert.equal(await conflictOf(account(asCustom(custom))), "custom_id");
      assert.equal(await conflictOf(store.createAccount({ id: taken.id, username: uid("user"), createTime: NOW }, undefined)), "id");
    });

    it("keeps every other write of a concurrent burst when one of them conflicts", async () => {
      // Issued in one turn of the event loop, so SQLite's group commit puts them in one transaction.
      const device = uid("device");
      const names = Array.from({ length: 12 }, () => uid("user"));
      const results = await Promise.allSettled(names.map((name, i) => account(asDevice(i === 5 || i === 6 ? device : uid("device")), name)));
      const failed = results.filter((r) => r.status === "rejected");
      assert.equal(failed.length, 1, "exactly one of the two creations with the same device loses");
      assert.ok((failed[0] as PromiseRejectedResult).reason instanceof StoreConflictError);
      for (const [i, name] of names.entries()) {
        const found = await store.findAccountByUsername(name);
        if (results[i]!.status === "fulfilled") assert.ok(found, `account ${i} was answered but not kept`);
        else assert.equal(found, undefined, `the losing account ${i} was not rolled back`);
      }
    });

    it("finds accounts by identity and by username", async () => {
      const device = uid("device");
      const email = `${uid("mail")}@example.com`;
      const custom = uid("custom");
      const a = await account(asDevice(device));
      const b = await account(asEmail(email), undefined, "h");
      const c = await account(asCustom(custom));
      assert.equal((await store.findAccountByIdentity(asDevice(device)))?.id, a.id);
      assert.equal((await store.findAccountByIdentity(asEmail(email)))?.id, b.id);
      assert.equal((await store.findAccountByIdentity(asCustom(custom)))?.id, c.id);
      assert.equal(await store.findAccountByIdentity(asCustom(device)), undefined, "identity kinds do not mix");
      assert.equal(await store.findAccountByIdentity(asDevice(uid("device"))), undefined);
      assert.deepEqual(await store.findAccountByUsername(a.username), a);
      assert.equal(await store.findAccountByUsername(a.username.toUpperCase()), undefined);
    });

    it("lists an account's devices in link order", async () => {
      const first = uid("device");
      const a = await account(asDevice(first));
      const later = [uid("z-device"), uid("a-device"), uid("m-device")];
      for (const id of later) await store.linkIdentity(a.id, asDevice(id), ADD, NOW + 1);
      assert.deepEqual(await devicesOf(a.id), [first, ...later]);
      assert.deepEqual(await devicesOf(randomUUID()), []);
    });

    it("updates the profile, refuses a taken username, and reports a missing account", async () => {
      const a = await account(asDevice(uid("device")));
      const other = await account(undefined);
      const username = uid("renamed");
      assert.equal(
        await store.updateAccount(
          a.id,
          { username, displayName: "Ana", langTag: "fr", location: "Lyon", timezone: "Europe/Paris", avatarUrl: "https://x/a.png" },
          NOW + 5,
        ),
        true,
      );
      let row = (await store.getAccount(a.id))!;
      assert.deepEqual(
        [row.username, row.displayName, row.langTag, row.location, row.timezone, row.avatarUrl, row.updateTime, row.createTime],
        [username, "Ana", "fr", "Lyon", "Europe/Paris", "https://x/a.png", NOW + 5, NOW],
      );
      assert.equal(await store.updateAccount(a.id, { displayName: "" }, NOW + 6), true);
      row = (await store.getAccount(a.id))!;
      assert.equal(row.displayName, null, "an empty string clears an optional field");
      assert.equal(row.location, "Lyon", "fields not in the patch are kept");

      assert.equal(await conflictOf(store.updateAccount(a.id, { username: other.username }, NOW + 7)), "username");
      assert.equal((await store.getAccount(a.id))!.username, username);
      assert.equal(await store.updateAccount(randomUUID(), { displayName: "x" }, NOW), false);
    });

    it("sets and clears disable_time", async () => {
      const a = await account(undefined);
      assert.equal(await store.setDisableTime(a.id, NOW + 10, NOW + 10), true);
      assert.equal((await store.getAccount(a.id))!.disableTime, NOW + 10);
      assert.equal(await store.setDisableTime(a.id, null, NOW + 11), true);
      const row = (await store.getAccount(a.id))!;
      assert.equal(row.disableTime, null);
      assert.equal(row.updateTime, NOW + 11);
      assert.equal(await store.setDisableTime(randomUUID(), NOW, NOW), false);
    });

    it("links identities: a device is added, email and custom id replace the current one", async () => {
      const device = uid("device");
      const a = await account(asDevice(device));
      const second = uid("device");
      await store.linkIdentity(a.id, asDevice(second), ADD, NOW + 1);
      await store.linkIdentity(a.id, asDevice(second), ADD, NOW + 2); // its own device again: no change
      assert.deepEqual(await devicesOf(a.id), [device, second]);
      assert.equal((await store.getAccount(a.id))!.updateTime, NOW + 2);

      const email1 = `${uid("mail")}@example.com`;
      const email2 = `${uid("mail")}@example.com`;
      await store.linkIdentity(a.id, asEmail(email1), { replace: true, passwordHash: "h1" }, NOW + 3);
      await store.linkIdentity(a.id, asEmail(email2), { replace: true, passwordHash: "h2" }, NOW + 4);
      assert.equal(await store.findAccountByIdentity(asEmail(email1)), undefined);
      const row = (await store.findAccountByIdentity(asEmail(email2)))!;
      assert.deepEqual([row.id, row.passwordHash], [a.id, "h2"]);

      const custom1 = uid("custom");
      const custom2 = uid("custom");
      await store.linkIdentity(a.id, asCustom(custom1), REPLACE, NOW + 5);
      await store.linkIdentity(a.id, asCustom(custom2), REPLACE, NOW + 6);
      assert.equal(await store.findAccountByIdentity(asCustom(custom1)), undefined);
      assert.equal((await store.findAccountByIdentity(asCustom(custom2)))?.id, a.id);
    });

    it("refuses to link an identity another account holds", async () => {
      const device = uid("device");
      const email = `${uid("mail")}@example.com`;
      const custom = uid("custom");
      const owner = await account(asDevice(device));
      await store.linkIdentity(owner.id, asEmail(email), { replace: true, passwordHash: "h" }, NOW);
      await store.linkIdentity(owner.id, asCustom(custom), REPLACE, NOW);
      const b = await account(asDevice(uid("device")));

      assert.equal(await conflictOf(store.linkIdentity(b.id, asDevice(device), ADD, NOW)), "device");
      assert.equal(await conflictOf(store.linkIdentity(b.id, asEmail(email), { replace: true, passwordHash: "x" }, NOW)), "email");
      assert.equal(await conflictOf(store.linkIdentity(b.id, asCustom(custom), REPLACE, NOW)), "custom_id");
      assert.equal((await store.findAccountByIdentity(asDevice(device)))?.id, owner.id);
      assert.equal((await withIdentities((await store.getAccount(b.id))!)).email, null);
      assert.equal((await withIdentities((await store.getAccount(b.id))!)).customId, null);
    });

    it("unlinks an identity, but never the last one", async () => {
      const d1 = uid("device");
      const d2 = uid("device");
      const email = `${uid("mail")}@example.com`;
      const custom = uid("custom");
      const a = await account(asDevice(d1));
      const stranger = await account(asDevice(uid("device")));
      assert.equal(await store.unlinkIdentity(a.id, asDevice(d1), NOW), "last_identity");
      assert.deepEqual(await devicesOf(a.id), [d1]);

      await store.linkIdentity(a.id, asDevice(d2), ADD, NOW);
      await store.linkIdentity(a.id, asEmail(email), { replace: true, passwordHash: "h" }, NOW);
      await store.linkIdentity(a.id, asCustom(custom), REPLACE, NOW);

      assert.equal(await store.unlinkIdentity(a.id, asDevice(uid("device")), NOW), "not_linked");
      assert.equal(await store.unlinkIdentity(a.id, asDevice((await devicesOf(stranger.id))[0]!), NOW), "not_linked");
      assert.equal(await store.unlinkIdentity(a.id, asEmail("other@example.com"), NOW, { clearPassword: true }), "not_linked");
      assert.equal(await store.unlinkIdentity(randomUUID(), asDevice(d1), NOW), "not_linked");

      assert.equal(await store.unlinkIdentity(a.id, asDevice(d1), NOW + 1), "unlinked");
      assert.deepEqual(await devicesOf(a.id), [d2]);
      assert.equal(await store.unlinkIdentity(a.id, asEmail(email), NOW + 2, { clearPassword: true }), "unlinked");
      let row = await withIdentities((await store.getAccount(a.id))!);
      assert.deepEqual([row.email, row.passwordHash, row.updateTime], [null, null, NOW + 2]);
      assert.equal(await store.unlinkIdentity(a.id, asCustom(custom), NOW + 3), "unlinked");
      row = await withIdentities((await store.getAccount(a.id))!);
      assert.equal(row.customId, null);
      assert.equal(await store.unlinkIdentity(a.id, asDevice(d2), NOW + 4), "last_identity");
      assert.deepEqual(await devicesOf(a.id), [d2]);
    });

    it("Steam ids: created, found, linked with their owner and VAC status, unique, unlinked with them, never the last identity", async () => {
      const [s1, s2, s3, owner] = [uid("7656"), uid("7656"), uid("7656"), uid("7656")];

      const a = await account(asSteam(s1, owner, true));
      const shown = await withIdentities(a);
      assert.deepEqual([shown.steamId, shown.steamOwnerId, shown.steamVacBanned], [s1, owner, true]);
      assert.deepEqual(await store.findAccountByIdentity(asSteam(s1)), a);
      assert.equal(await store.findAccountByIdentity(asCustom(s1)), undefined, "identity kinds do not mix");
      assert.equal(await store.findAccountByIdentity(asSteam(uid("7656"))), undefined);
      assert.equal(await conflictOf(account(asSteam(s1))), "steam_id");

      // Its own Steam id again: owner and VAC status refreshed, the id kept.
      await store.linkIdentity(a.id, asSteam(s1, null, false), REPLACE, NOW + 1);
      let row = await withIdentities((await store.getAccount(a.id))!);
      assert.deepEqual([row.steamId, row.steamOwnerId, row.steamVacBanned, row.updateTime], [s1, null, false, NOW + 1]);
      assert.equal(await store.unlinkIdentity(a.id, asSteam(s1), NOW + 2), "last_identity");

      const b = await account(asDevice(uid("device")));
      assert.equal(await conflictOf(store.linkIdentity(b.id, asSteam(s1), REPLACE, NOW)), "steam_id");
      assert.equal((await withIdentities((await store.getAccount(b.id))!)).steamId, null);
      await store.linkIdentity(b.id, asSteam(s2, owner, true), REPLACE, NOW + 3);
      row = await withIdentities((await store.getAccount(b.id))!);
      assert.deepEqual([row.steamId, row.steamOwnerId, row.steamVacBanned], [s2, owner, true]);
      await store.linkIdentity(b.id, asSteam(s3), REPLACE, NOW + 4);
      assert.equal(await store.findAccountByIdentity(asSteam(s2)), undefined, "a Steam id replaces the current one");
      assert.equal((await store.findAccountByIdentity(asSteam(s3)))?.id, b.id);

      await store.linkIdentity(b.id, asSteam(s3, owner, true), REPLACE, NOW + 5);
      assert.equal(await store.unlinkIdentity(b.id, asSteam(s2), NOW + 6), "not_linked");
      assert.equal(await store.unlinkIdentity(b.id, asSteam(s3), NOW + 7), "unlinked");
      row = await withIdentities((await store.getAccount(b.id))!);
      assert.deepEqual([row.steamId, row.steamOwnerId, row.steamVacBanned, row.updateTime], [null, null, false, NOW + 7]);
      assert.equal(await store.findAccountByIdentity(asSteam(s3)), undefined);

      // The Steam id counts as an identity: the device can go while it is linked.
      await store.linkIdentity(b.id, asSteam(s3), REPLACE, NOW + 8);
      const device = (await devicesOf(b.id))[0]!;
      assert.equal(await store.unlinkIdentity(b.id, asDevice(device), NOW + 9), "unlinked");
      assert.equal(await store.unlinkIdentity(b.id, asSteam(s3), NOW + 10), "last_identity");
    });

    it("lets only one of two concurrent unlinks remove an account's second-to-last identity", async () => {
      // Many accounts at once, so on PostgreSQL the two unlinks of one account really interleave.
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const d1 = uid("device");
          const d2 = uid("device");
          const a = await account(asDevice(d1));
          await store.linkIdentity(a.id, asDevice(d2), ADD, NOW);
          const results = await Promise.all([store.unlinkIdentity(a.id, asDevice(d1), NOW), store.unlinkIdentity(a.id, asDevice(d2), NOW)]);
          assert.deepEqual(results.sort(), ["last_identity", "unlinked"]);
          assert.equal((await devicesOf(a.id)).length, 1);
        }),
      );
    });

    it("deletes an account with its devices and sessions", async () => {
      const device = uid("device");
      const a = await account(asDevice(device));
      const s = sessionRow(a.id);
      await store.createSession(s);
      assert.equal(await store.deleteAccount(a.id), true);
      assert.equal(await store.getAccount(a.id), undefined);
      assert.equal(await store.getSession(s.id), undefined);
      assert.deepEqual(await devicesOf(a.id), []);
      assert.equal(await store.findAccountByIdentity(asDevice(device)), undefined);
      assert.equal(await store.deleteAccount(a.id), false);
      const again = await account(asDevice(device));
      assert.equal((await store.findAccountByIdentity(asDevice(device)))?.id, again.id, "the device id is free again");
    });

    it("stores and reads a session row as written, vars in their order", async () => {
      const a = await account(undefined);
      const s = sessionRow(a.id, { vars: { zeta: "1", alpha: "2", ünï: "✓" }, clientIp: null });
      await store.createSession(s);
      const read = await store.getSession(s.id);
      assert.deepEqual(read, s);
      assert.deepEqual(Object.keys(read!.vars), ["zeta", "alpha", "ünï"]);
      assert.equal(await store.getSession(randomUUID()), undefined);
      assert.equal(await conflictOf(store.createSession(s)), "id");
    });

    it("writes a session only for an existing account that is not disabled", async () => {
      const a = await account(undefined);
      const live = sessionRow(a.id);
      assert.equal(await store.createSession(live), "created");
      assert.equal(await store.setDisableTime(a.id, NOW, NOW), true);
      const refused = sessionRow(a.id);
      assert.equal(await store.createSession(refused), "account_disabled");
      assert.equal(await store.getSession(refused.id), undefined, "no row for a banned account");
      const gone = sessionRow(randomUUID());
      assert.equal(await store.createSession(gone), "account_missing");
      assert.equal(await store.getSession(gone.id), undefined);
      assert.equal(await store.setDisableTime(a.id, null, NOW), true);
      assert.equal(await store.createSession(sessionRow(a.id)), "created", "an unbanned account signs in again");
    });

    it("records the last use of the identity a session was started with, and only that one", async () => {
      const device = uid("device");
      const other = uid("device");
      const a = await account(asDevice(device));
      await store.linkIdentity(a.id, asDevice(other), { replace: false }, NOW);
      const lastUse = async () => Object.fromEntries((await store.listIdentities(a.id)).map((i) => [i.subject, [i.createTime, i.lastUseTime]]));
      assert.deepEqual(await lastUse(), { [device]: [NOW, NOW], [other]: [NOW, NOW] });
      const later = NOW + 60_000;
      assert.equal(await store.createSession(sessionRow(a.id, { createdAt: later }), { provider: "device", subject: other }), "created");
      assert.deepEqual(await lastUse(), { [device]: [NOW, NOW], [other]: [NOW, later] });
      assert.equal(await store.createSession(sessionRow(a.id, { createdAt: later + 1 })), "created", "a session without an identity (a refresh-only client)");
      assert.deepEqual(await lastUse(), { [device]: [NOW, NOW], [other]: [NOW, later] });
      // The identity of another account is not touched by a session of this one.
      const b = await account(asDevice(uid("device")));
      assert.equal(await store.createSession(sessionRow(b.id, { createdAt: later + 2 }), { provider: "device", subject: device }), "created");
      assert.deepEqual(await lastUse(), { [device]: [NOW, NOW], [other]: [NOW, later] });
    });

    it("reads a session with its account's username and ban state in one read", async () => {
      const a = await account(undefined);
      const s = sessionRow(a.id);
      await store.createSession(s);
      assert.deepEqual(await store.getSessionWithAccount(s.id), { session: s, account: { username: a.username, disableTime: null } });
      await store.setDisableTime(a.id, NOW + 5, NOW);
      assert.deepEqual((await store.getSessionWithAccount(s.id))?.account, { username: a.username, disableTime: NOW + 5 });
      assert.equal(await store.getSessionWithAccount(randomUUID()), undefined);
    });

    it("rotates a session only from its current generation (compare-and-swap)", async () => {
      const a = await account(undefined);
      const s = sessionRow(a.id);
      await store.createSession(s);
      const rotation = (generation: number) => ({
        generation,
        rotatedAt: NOW + generation,
        username: `name${generation}`,
        vars: { g: String(generation) },
        issuedAtSec: NOW_SEC + generation,
        tokenExpiresAtSec: NOW_SEC + 3600 + generation,
        refreshExpiresAtSec: FAR_SEC + generation,
        clientIp: "198.51.100.1",
        userAgent: `ua${generation}`,
      });
      assert.equal(await store.rotateSession(s.id, 0, rotation(1), NOW + 100), true);
      assert.equal(await store.rotateSession(s.id, 0, rotation(1), NOW + 101), false, "a stale generation loses");
      const row = (await store.getSession(s.id))!;
      assert.deepEqual({ ...row }, { ...s, ...rotation(1), lastRefreshAt: NOW + 100 });
      assert.equal(await store.rotateSession(randomUUID(), 0, rotation(1), NOW), false);

      const racers = 24;
      const results = await Promise.all(Array.from({ length: racers }, () => store.rotateSession(s.id, 1, rotation(2), NOW + 200)));
      assert.equal(results.filter(Boolean).length, 1, `exactly one of ${racers} concurrent rotations wins`);
      assert.equal((await store.getSession(s.id))!.generation, 2);

      assert.equal(await store.revokeSession(s.id, "logout", NOW + 300), true);
      assert.equal(await store.rotateSession(s.id, 2, rotation(3), NOW + 301), false, "a revoked session does not rotate");
      assert.equal((await store.getSession(s.id))!.generation, 2);
    });

    it("revokes one session once", async () => {
      const a = await account(undefined);
      const s = sessionRow(a.id);
      await store.createSession(s);
      assert.equal(await store.revokeSession(s.id, "ended", NOW + 1), true);
      assert.equal(await store.revokeSession(s.id, "logout", NOW + 2), false);
      const row = (await store.getSession(s.id))!;
      assert.deepEqual([row.revokedAt, row.revokedReason], [NOW + 1, "ended"]);
      assert.equal(await store.revokeSession(randomUUID(), "logout", NOW), false);
    });

    it("revokes all of an account's live sessions except one, naming those it revoked", async () => {
      const a = await account(undefined);
      const b = await account(undefined);
      const [keep, s1, s2, gone] = [sessionRow(a.id), sessionRow(a.id), sessionRow(a.id), sessionRow(a.id)];
      const otherAccount = sessionRow(b.id);
      for (const s of [keep, s1, s2, gone, otherAccount]) await store.createSession(s);
      await store.revokeSession(gone.id, "logout", NOW);

      const revoked = await store.revokeAccountSessions(a.id, "single_session", NOW + 9, keep.id);
      assert.deepEqual(revoked.sort(), [s1.id, s2.id].sort());
      assert.equal((await store.getSession(s1.id))!.revokedReason, "single_session");
      assert.equal((await store.getSession(gone.id))!.revokedReason, "logout", "an already revoked session keeps its reason");
      assert.equal((await store.getSession(keep.id))!.revokedAt, null);
      assert.equal((await store.getSession(otherAccount.id))!.revokedAt, null);
      assert.deepEqual(await store.revokeAccountSessions(a.id, "logout_all", NOW + 10, keep.id), []);
      assert.deepEqual(await store.revokeAccountSessions(a.id, "banned", NOW + 11), [keep.id]);
    });

    it("lists live sessions newest first", async () => {
      const a = await account(undefined);
      const b = await account(undefined);
      const oldest = sessionRow(a.id, { createdAt: NOW - 3000 });
      const newest = sessionRow(a.id, { createdAt: NOW - 1000 });
      const middle = sessionRow(a.id, { createdAt: NOW - 2000 });
      const revoked = sessionRow(a.id, { createdAt: NOW });
      const expired = sessionRow(a.id, { createdAt: NOW, refreshExpiresAtSec: NOW_SEC - 1 });
      const endsNow = sessionRow(a.id, { createdAt: NOW, refreshExpiresAtSec: NOW_SEC });
      for (const s of [oldest, newest, middle, revoked, expired, endsNow, sessionRow(b.id)]) await store.createSession(s);
      await store.revokeSession(revoked.id, "logout", NOW);
      const live = await store.listSessions(a.id, NOW_SEC);
      assert.deepEqual(
        live.map((s) => s.id),
        [newest.id, middle.id, oldest.id],
      );
      assert.deepEqual(live[0], newest);
    });

    it("purges sessions whose refresh token expired", async () => {
      const a = await account(undefined);
      // Far in the past, below every other test's expiry, so the count is exact.
      const ancient = [sessionRow(a.id, { refreshExpiresAtSec: 100 }), sessionRow(a.id, { refreshExpiresAtSec: 200, revokedAt: NOW, revokedReason: "logout" })];
      const boundary = sessionRow(a.id, { refreshExpiresAtSec: 300 });
      for (const s of [...ancient, boundary]) await store.createSession(s);
      assert.equal(await store.purgeExpiredSessions(300), 2);
      for (const s of ancient) assert.equal(await store.getSession(s.id), undefined);
      assert.ok(await store.getSession(boundary.id), "a session expiring exactly now is kept until it is past");
      assert.equal(await store.purgeExpiredSessions(300), 0);
    });

    it("lists revoked sessions from a time on, oldest first (ties by id), in pages", async () => {
      // Far above every other test's revocation times, so the lists are exact.
      const base = NOW + 50_000_000;
      const a = await account(undefined);
      const b = await account(undefined);
      const [s1, s2, s3, s4, live] = [sessionRow(a.id), sessionRow(a.id), sessionRow(b.id), sessionRow(a.id), sessionRow(a.id)];
      for (const s of [s1, s2, s3, s4, live]) await store.createSession(s);
      await store.revokeSession(s1.id, "logout", base + 10);
      await store.revokeSession(s3.id, "refresh_reuse", base + 20);
      assert.deepEqual((await store.revokeAccountSessions(a.id, "banned", base + 20, live.id)).sort(), [s2.id, s4.id].sort());
      const tied = [
        { id: s2.id, accountId: a.id, revokedAt: base + 20, reason: "banned" },
        { id: s3.id, accountId: b.id, revokedAt: base + 20, reason: "refresh_reuse" },
        { id: s4.id, accountId: a.id, revokedAt: base + 20, reason: "banned" },
      ].sort((x, y) => (x.id < y.id ? -1 : 1));
      const all = [{ id: s1.id, accountId: a.id, revokedAt: base + 10, reason: "logout" }, ...tied];

      assert.deepEqual(await store.listRevokedSessions(base, undefined, 100), all);
      assert.deepEqual(await store.listRevokedSessions(base + 11, undefined, 100), tied, "from a time on");
      assert.deepEqual(await store.listRevokedSessions(base + 21, undefined, 100), []);

      const first = await store.listRevokedSessions(base, undefined, 2);
      assert.deepEqual(first, all.slice(0, 2));
      const second = await store.listRevokedSessions(base, first[1], 2);
      assert.deepEqual(second, all.slice(2, 4), "a page continues after the last row, also inside a tie");
      assert.deepEqual(await store.listRevokedSessions(base, second[1], 2), []);
    });

    it("answers ping while open, and StoreUnavailableError once closed", async () => {
      await store.ping();
      const other = await (await backend.fresh()).open();
      await other.ping();
      await other.close();
      await assert.rejects(other.ping(), StoreUnavailableError);
    });

    it("reads an account with its devices in link order in one call", async () => {
      const first = uid("device");
      const a = await account(asDevice(first));
      const second = uid("device");
      const third = uid("device");
      await store.linkIdentity(a.id, asDevice(second), ADD, NOW + 1);
      await store.linkIdentity(a.id, asDevice(third), ADD, NOW + 2);
      const found = await accountWithDevices(a.id);
      assert.deepEqual(found?.account, await store.getAccount(a.id));
      assert.deepEqual(found?.devices, [first, second, third]);
      assert.deepEqual(found?.devices, await devicesOf(a.id));
      const bare = await account();
      assert.deepEqual((await accountWithDevices(bare.id))?.devices, []);
      assert.equal(await accountWithDevices(randomUUID()), undefined);
    });

    it("runs ticket-store transactions started in the same tick one after the other, each complete", async () => {
      const a = await account();
      const sessions = Array.from({ length: 6 }, (_, i) => ({
        id: randomUUID(),
        validatorSessionId: randomUUID(),
        validatorIdentity: "eu-west-1",
        validatorKind: "server" as const,
        userId: a.id,
        playerSessionId: randomUUID(),
        ticketId: randomUUID(),
        appId: 0,
        ownerId: null,
        response: null,
        responseSeq: 0,
        createdAt: NOW + i,
        endedAt: null,
      }));
      for (const s of sessions) await store.tickets.createAuthSession(s);
      const events = await Promise.all(
        sessions.map((s, i) =>
          store.tickets.respond(s.id, { response: i % 2, ownerId: a.id, end: i % 2 === 1, onlyFirst: true }, randomUUID(), (seq) => `{"seq":${seq}}`, NOW + 10),
        ),
      );
      assert.deepEqual(
        events.map((e) => e?.seq),
        [1, 1, 1, 1, 1, 1],
      );
      for (const s of sessions) {
        const stored = await store.tickets.pendingEvents(s.validatorSessionId, 10);
        assert.deepEqual(
          stored.map((e) => e.payload),
          ['{"seq":1}'],
        );
      }
      // The first response only once, even when asked twice at once.
      const again = await Promise.all(
        sessions.map((s) => store.tickets.respond(s.id, { response: 5, ownerId: null, end: true, onlyFirst: true }, randomUUID(), () => "{}", NOW + 20)),
      );
      assert.deepEqual(
        again,
        sessions.map(() => undefined),
      );
    });

    it("reports the schema version of the newest migration", async () => {
      assert.equal(POSTGRES_MIGRATIONS.at(-1)!.version, SQLITE_MIGRATIONS.at(-1)!.version, "both backends are at the same schema");
      assert.equal(await store.schemaVersion(), SQLITE_MIGRATIONS.at(-1)!.version);
    });

    it("keeps its data when reopened", async () => {
      const device = uid("device");
      const a = await account(asDevice(device));
      const s = sessionRow(a.id);
      await store.createSession(s);
      await store.close();
      store = await db.open();
      assert.deepEqual(await store.findAccountByIdentity(asDevice(device)), a);
      assert.deepEqual(await store.getSession(s.id), s);
      assert.equal(await store.schemaVersion(), SQLITE_MIGRATIONS.at(-1)!.version);
    });

    it("migrates once when several nodes open an empty database at the same time", async () => {
      const fresh = await backend.fresh();
      const stores = await Promise.all([fresh.open(), fresh.open(), fresh.open(), fresh.open()]);
      try {
        for (const s of stores) assert.equal(await s.schemaVersion(), SQLITE_MIGRATIONS.at(-1)!.version);
        const made = await stores[0]!.createAccount({ id: randomUUID(), username: uid("user"), createTime: NOW }, undefined);
        assert.equal((await stores[3]!.getAccount(made.id))?.id, made.id);
      } finally {
        for (const s of stores) await s.close();
      }
    });

    it("upgrades a database of schema version 1: its accounts get no Steam owner and no VAC ban", async () => {
      const old = await backend.fresh();
      const id = randomUUID();
      await old.exec(`
        ${backend.migrations.find((m) => m.version === 1)!.sql};
        CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);
        INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'accounts and sessions', 0);
        INSERT INTO accounts (id, username, steam_id, create_time, update_time) VALUES ('${id}', 'veteran', '76561197960265729', 1, 1);
      `);
      const upgraded = await old.open();
      try {
        assert.equal(await upgraded.schemaVersion(), backend.migrations.at(-1)!.version);
        const found = (await upgraded.findAccountByIdentity(asSteam("76561197960265729")))!;
        const profile = (await upgraded.listIdentities(found.id)).find((i) => i.provider === "steam")!.profile;
        const row = { id: found.id, steamOwnerId: profile["owner_id"], steamVacBanned: profile["vac_banned"] };
        assert.deepEqual([row.id, row.steamOwnerId, row.steamVacBanned], [id, null, false]);
      } finally {
        await upgraded.close();
      }
    });

    it("refuses a database whose schema is newer than the code", async () => {
      const fresh = await backend.fresh();
      await (await fresh.open()).close();
      await fresh.recordSchemaVersion(999);
      await assert.rejects(fresh.open(), (err: unknown) => err instanceof StoreUnavailableError && /schema version 999 is newer/.test(err.message));
    });
  });
}

describe("PostgresStore availability", { skip: postgres.skip }, () => {
  after(dropAllTestDatabases);

  it("fails queries with StoreUnavailableError within its time limits when the network stops carrying packets, and recovers", async () => {
    const { url, proxy } = await createProxiedTestDatabase();
    const store = await PostgresStore.open({ url, connectionTimeoutMs: 500, queryTimeoutMs: 500 });
    try {
      const made = await store.createAccount({ id: randomUUID(), username: uid("user"), createTime: NOW }, asDevice(uid("device")));
      proxy.cut("blackhole");
      // A pooled connection whose query gets no answer, a new connection that never completes,
      // a transaction: each fails as "unavailable" instead of hanging the request.
      await assert.rejects(store.getAccount(made.id), StoreUnavailableError);
      await assert.rejects(store.ping(), StoreUnavailableError);
      await assert.rejects(store.unlinkIdentity(made.id, asDevice("x"), NOW), StoreUnavailableError);
      await assert.rejects(
        Promise.all([store.getSession(randomUUID()), store.listRevokedSessions(0, undefined, 1), store.listIdentities(made.id)]),
        StoreUnavailableError,
      );
      proxy.restore();
      await store.ping();
      assert.equal((await store.getAccount(made.id))?.id, made.id, "the same store works again, without reopening");
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it("fails to open with StoreUnavailableError naming the host when nobody listens", async () => {
    const started = Date.now();
    await assert.rejects(PostgresStore.open({ url: "postgres://postgres:secret@127.0.0.1:1/nothing", connectionTimeoutMs: 2000 }), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError, String(err));
      assert.match(err.message, /127\.0\.0\.1:1\/nothing/);
      assert.doesNotMatch(err.message, /secret/, "the password is never repeated");
      return true;
    });
    assert.ok(Date.now() - started < 5000);
  });

  it("answers StoreUnavailableError, not a raw error, once its database is gone", async () => {
    const { name, url } = await createTestDatabase();
    const store = await PostgresStore.open({ url, connectionTimeoutMs: 2000 });
    try {
      const made = await store.createAccount({ id: randomUUID(), username: uid("user"), createTime: NOW }, asDevice(uid("device")));
      await dropTestDatabase(name);
      await assert.rejects(store.getAccount(made.id), StoreUnavailableError);
      await assert.rejects(store.unlinkIdentity(made.id, asDevice("x"), NOW), StoreUnavailableError);
      await assert.rejects(store.rotateSession("x", 0, sessionRow(made.id), NOW), StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
