/**
 * The CodeLinkStore contract (Code-Link's sign-in codes), run unchanged against a SQLite file and
 * the real PostgreSQL: a code is unique, read only while live, confirmed once, used up once
 * whatever the concurrency, and purged after it expires.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { NewCodeLink } from "../../src/store/code-link-store.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { tempDir } from "../support/harness.js";
import { createTestDatabase, dropAllTestDatabases, postgresSkip } from "../support/postgres.js";

const NOW = 1_700_000_000_000;
const EXPIRES = NOW + 300_000;

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
      const dir = tempDir("tessera-code-link-store-");
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

let codes = 0;
/** A fresh, unique code of the alphabet (tests never collide by accident). */
function nextCode(): string {
  const alphabet = "BCDFGHJKLMNPQRSTVWXZ";
  let n = codes++;
  let code = "";
  for (let i = 0; i < 8; i++, n = Math.floor(n / alphabet.length)) code += alphabet[n % alphabet.length];
  return code;
}

function codeLink(overrides: Partial<NewCodeLink> = {}): NewCodeLink {
  return {
    id: randomUUID(),
    code: nextCode(),
    challenge: "ab".repeat(32),
    identifier: "tv",
    createTime: NOW,
    expireTime: EXPIRES,
    intervalSec: 5,
    ...overrides,
  };
}

for (const backend of backends) {
  describe(`CodeLinkStore contract: ${backend.name}`, { skip: backend.skip }, () => {
    let store: Store;
    let accountId = "";
    before(async () => {
      store = await backend.open();
      accountId = (await store.createAccount({ id: randomUUID(), username: `cl-${randomUUID().slice(0, 8)}`, createTime: NOW }, undefined)).id;
    });
    after(async () => {
      await store?.close();
      await backend.cleanup();
    });

    it("creates a code and reads it back by id and, while live, by code", async () => {
      const row = codeLink();
      assert.equal(await store.codeLinks.createCodeLink(row), true);
      const stored = { ...row, lastPollTime: null, confirmedAccountId: null, confirmTime: null, consumedTime: null };
      assert.deepEqual(await store.codeLinks.getCodeLink(row.id), stored);
      assert.deepEqual(await store.codeLinks.findLiveCodeLink(row.code, NOW), stored);
      assert.equal(await store.codeLinks.findLiveCodeLink(row.code, EXPIRES), undefined, "expired at its expire_time");
      assert.equal(await store.codeLinks.findLiveCodeLink(nextCode(), NOW), undefined);
      assert.equal(await store.codeLinks.getCodeLink(randomUUID()), undefined);
    });

    it("refuses, without writing, a code or an id another row holds", async () => {
      const row = codeLink();
      await store.codeLinks.createCodeLink(row);
      assert.equal(await store.codeLinks.createCodeLink(codeLink({ code: row.code })), false);
      assert.equal(await store.codeLinks.createCodeLink(codeLink({ id: row.id })), false);
      assert.equal((await store.codeLinks.getCodeLink(row.id))?.code, row.code);
    });

    it("confirms a live code once: again is already_confirmed with the first account; expired or unknown is unknown", async () => {
      const row = codeLink();
      await store.codeLinks.createCodeLink(row);
      const first = await store.codeLinks.confirmCodeLink(row.code, accountId, NOW + 1);
      assert.equal(first.result, "confirmed");
      assert.equal(first.result === "confirmed" && first.row.confirmedAccountId, accountId);
      assert.equal(first.result === "confirmed" && first.row.confirmTime, NOW + 1);
      const again = await store.codeLinks.confirmCodeLink(row.code, randomUUID(), NOW + 2);
      assert.equal(again.result, "already_confirmed");
      assert.equal(again.result === "already_confirmed" && again.row.confirmedAccountId, accountId);

      const late = codeLink();
      await store.codeLinks.createCodeLink(late);
      assert.deepEqual(await store.codeLinks.confirmCodeLink(late.code, accountId, EXPIRES), { result: "unknown" });
      assert.deepEqual(await store.codeLinks.confirmCodeLink(nextCode(), accountId, NOW), { result: "unknown" });
    });

    it("of concurrent confirmations by two accounts, exactly one wins", async () => {
      const row = codeLink();
      await store.codeLinks.createCodeLink(row);
      const other = (await store.createAccount({ id: randomUUID(), username: `cl-${randomUUID().slice(0, 8)}`, createTime: NOW }, undefined)).id;
      const results = await Promise.all([accountId, other].map((id) => store.codeLinks.confirmCodeLink(row.code, id, NOW)));
      assert.deepEqual(results.map((r) => r.result).sort(), ["already_confirmed", "confirmed"]);
    });

    it("records polls with the interval from then on", async () => {
      const row = codeLink();
      await store.codeLinks.createCodeLink(row);
      await store.codeLinks.recordCodeLinkPoll(row.id, NOW + 10, 10);
      const polled = await store.codeLinks.getCodeLink(row.id);
      assert.equal(polled?.lastPollTime, NOW + 10);
      assert.equal(polled?.intervalSec, 10);
    });

    it("uses a confirmed code up once, sequentially and concurrently; an unconfirmed or expired one never", async () => {
      const unconfirmed = codeLink();
      await store.codeLinks.createCodeLink(unconfirmed);
      assert.equal(await store.codeLinks.consumeCodeLink(unconfirmed.id, NOW), undefined);

      const row = codeLink();
      await store.codeLinks.createCodeLink(row);
      await store.codeLinks.confirmCodeLink(row.code, accountId, NOW);
      const used = await store.codeLinks.consumeCodeLink(row.id, NOW + 5);
      assert.equal(used?.consumedTime, NOW + 5);
      assert.equal(used?.confirmedAccountId, accountId);
      assert.equal(await store.codeLinks.consumeCodeLink(row.id, NOW + 6), undefined, "a second use");
      assert.equal(await store.codeLinks.findLiveCodeLink(row.code, NOW + 6), undefined, "a used code is not live");

      const raced = codeLink();
      await store.codeLinks.createCodeLink(raced);
      await store.codeLinks.confirmCodeLink(raced.code, accountId, NOW);
      const results = await Promise.all(Array.from({ length: 6 }, () => store.codeLinks.consumeCodeLink(raced.id, NOW + 5)));
      assert.equal(results.filter((r) => r !== undefined).length, 1);

      const expired = codeLink();
      await store.codeLinks.createCodeLink(expired);
      await store.codeLinks.confirmCodeLink(expired.code, accountId, NOW);
      assert.equal(await store.codeLinks.consumeCodeLink(expired.id, EXPIRES), undefined);
    });

    it("purges codes that expired before the given time, and deleting the confirming account deletes its codes", async () => {
      const old = codeLink({ expireTime: NOW - 1 });
      const live = codeLink();
      await store.codeLinks.createCodeLink(old);
      await store.codeLinks.createCodeLink(live);
      assert.ok((await store.codeLinks.purgeCodeLinks(NOW)) >= 1);
      assert.equal(await store.codeLinks.getCodeLink(old.id), undefined);
      assert.ok(await store.codeLinks.getCodeLink(live.id));

      const doomed = (await store.createAccount({ id: randomUUID(), username: `cl-${randomUUID().slice(0, 8)}`, createTime: NOW }, undefined)).id;
      const confirmed = codeLink();
      await store.codeLinks.createCodeLink(confirmed);
      await store.codeLinks.confirmCodeLink(confirmed.code, doomed, NOW);
      assert.equal(await store.deleteAccount(doomed), true);
      assert.equal(await store.codeLinks.getCodeLink(confirmed.id), undefined);
    });
  });
}
