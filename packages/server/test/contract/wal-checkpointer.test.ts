/**
 * The SQLite store's WAL checkpoints on a worker thread (store/sqlite/wal-checkpointer.ts): the
 * worker copies the log back while the server's connection commits, and a dead worker leaves the
 * checkpoints to the server's connection.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { LogLevel } from "../../src/config/config.js";
import { createLogger } from "../../src/shared/logger.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { walBytes } from "../../src/store/sqlite/wal-checkpointer.js";
import { tempDir } from "../support/harness.js";
import { testSessionRow } from "../support/session-row.js";

const dirs: { remove(): void }[] = [];
after(() => {
  for (const d of dirs) d.remove();
});

const NOW = 1_700_000_000_000;

function session(accountId: string) {
  return testSessionRow(accountId, NOW, { vars: { note: "x".repeat(200) }, clientIp: "203.0.113.7", userAgent: "test" });
}

/** `commits` separate commits of one session each: every one appends frames to the log. */
async function writeSessions(store: SqliteStore, accountId: string, commits: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < commits; i++) {
    const s = session(accountId);
    assert.equal(await store.createSession(s), "created");
    ids.push(s.id);
  }
  return ids;
}

function open(options: { worker: boolean; warnings?: string[] }) {
  const dir = tempDir("tessera-wal-");
  dirs.push(dir);
  const path = join(dir.path, "tessera.db");
  const logger = createLogger({ level: "warn", write: (line: string, level: LogLevel) => void (level === "warn" && options.warnings?.push(line)) });
  const store = SqliteStore.open({ path, ...(options.worker ? { checkpoints: { logger, intervalMs: 10, thresholdBytes: 128 * 1024 } } : {}) });
  return { store, path };
}

describe("SQLite WAL checkpoints on a worker thread", () => {
  it("copies the log back while the server's connection commits, and loses nothing", async () => {
    const { store, path } = open({ worker: true });
    const account = await store.createAccount({ id: randomUUID(), username: "walker", createTime: NOW }, undefined);
    const ids = await writeSessions(store, account.id, 3000);
    assert.ok(store.checkpointer!.stats.checkpoints > 0, "the worker checkpointed");
    assert.ok(store.checkpointer!.stats.framesCheckpointed > 1000, `frames the worker copied: ${store.checkpointer!.stats.framesCheckpointed}`);
    // The server's connection still bounds the log (10,000 pages); 3000 commits wrote more than that.
    assert.ok(walBytes(path) <= 11_000 * 4096, `log bounded: ${walBytes(path)} bytes`);
    await store.close();
    assert.equal(walBytes(path), 0, "closing checkpoints and removes the log");

    const reopened = SqliteStore.open({ path });
    for (const id of [ids[0]!, ids[1500]!, ids.at(-1)!]) assert.equal((await reopened.getSession(id))?.id, id);
    await reopened.close();
  });

  it("a worker that died is logged once, and the server goes on writing and checkpointing by itself", async () => {
    const warnings: string[] = [];
    const { store, path } = open({ worker: true, warnings });
    await store.checkpointer!.kill();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /WAL checkpoint worker failed/);
    const account = await store.createAccount({ id: randomUUID(), username: "after", createTime: NOW }, undefined);
    await writeSessions(store, account.id, 3000);
    assert.ok(walBytes(path) <= 11_000 * 4096, `log bounded by the server's own checkpoints: ${walBytes(path)} bytes`);
    await store.close();
    assert.equal(warnings.length, 1);
  });

  it("one-shot commands (no logger given) run no worker", async () => {
    const { store } = open({ worker: false });
    assert.equal(store.checkpointer, undefined);
    await store.close();
  });
});
