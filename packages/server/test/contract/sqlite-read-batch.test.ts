/**
 * The SQLite store's batched reads (sqlite-store.ts `read()`): reads asked for in one turn of the
 * event loop share one read transaction, each still answers its own question, a read sees every
 * write answered before it was asked, and a closed store answers 503-shaped errors, not a crash.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { StoreUnavailableError } from "../../src/store/store.js";
import { tempDir } from "../support/harness.js";
import { testSessionRow } from "../support/session-row.js";

const dirs: { remove(): void }[] = [];
after(() => {
  for (const d of dirs) d.remove();
});
const NOW = 1_700_000_000_000;

function open(): SqliteStore {
  const dir = tempDir("tessera-reads-");
  dirs.push(dir);
  return SqliteStore.open({ path: join(dir.path, "tessera.db") });
}

function session(accountId: string, username: string) {
  return testSessionRow(accountId, NOW, { username });
}

describe("SQLite reads batched per turn of the event loop", () => {
  it("answers many reads of one turn each with its own rows, mixed kinds, present and absent", async () => {
    const store = open();
    const accounts = [];
    for (let i = 0; i < 50; i++) {
      const device = `device-${i}-${randomUUID()}`;
      accounts.push({
        device,
        account: await store.createAccount({ id: randomUUID(), username: `player${i}`, createTime: NOW }, { provider: "device", subject: device, profile: {} }),
      });
    }
    const sessions = await Promise.all(
      accounts.map(async ({ account }) => {
        const s = session(account.id, account.username);
        await store.createSession(s);
        return s;
      }),
    );
    // All asked in the same turn: one batch.
    const [byDevice, byId, withDevices, bySession, missing, missingSession] = await Promise.all([
      Promise.all(accounts.map(({ device }) => store.findAccountByIdentity({ provider: "device", subject: device }))),
      Promise.all(accounts.map(({ account }) => store.getAccount(account.id))),
      Promise.all(
        accounts.map(async ({ account }) => {
          // The account with its device ids, as the one read of GET /v2/account returns them.
          const found = await store.getAccountWithIdentities(account.id);
          return found && { account: found.account, devices: found.identities.map((i) => i.subject) };
        }),
      ),
      Promise.all(sessions.map((s) => store.getSessionWithAccount(s.id))),
      store.getAccount(randomUUID()),
      store.getSession(randomUUID()),
    ]);
    accounts.forEach(({ account, device }, i) => {
      assert.equal(byDevice[i]?.id, account.id);
      assert.deepEqual(byId[i], account);
      assert.deepEqual(withDevices[i], { account, devices: [device] });
      assert.deepEqual(bySession[i], { session: sessions[i], account: { username: account.username, disableTime: null } });
    });
    assert.equal(missing, undefined);
    assert.equal(missingSession, undefined);
    await store.close();
  });

  it("a read sees every write answered before it was asked", async () => {
    const store = open();
    const account = await store.createAccount({ id: randomUUID(), username: "writer", createTime: NOW }, undefined);
    for (let i = 0; i < 20; i++) {
      const s = session(account.id, "writer");
      assert.equal(await store.createSession(s), "created");
      assert.equal((await store.getSession(s.id))?.id, s.id);
      assert.equal(await store.revokeSession(s.id, "logout", NOW + i), true);
      assert.equal((await store.getSession(s.id))?.revokedAt, NOW + i);
    }
    await store.close();
  });

  it("reads asked for as the store closes are answered; reads after it are refused as unavailable", async () => {
    const store = open();
    const account = await store.createAccount({ id: randomUUID(), username: "closing", createTime: NOW }, undefined);
    const pending = store.getAccount(account.id);
    await store.close();
    assert.equal((await pending)?.id, account.id);
    await assert.rejects(store.getAccount(account.id), StoreUnavailableError);
    await assert.rejects(store.getSessionWithAccount(randomUUID()), StoreUnavailableError);
  });
});
