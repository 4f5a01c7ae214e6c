/**
 * Token storages: `MemoryStorage`, `WebStorage` over a Web Storage object (a Map-backed stand-in
 * for the browser's `localStorage`), and Node's `FileStorage` (atomic writes, mode 0600, any key).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { AuthenticationService, MemoryStorage, sessionTokenKey, WebStorage, type TokenStorage, type WebStorageLike } from "../../src/index.js";
import { FileStorage } from "../../src/node.js";
import { plainClient, startTestServer } from "../support/helpers.js";

const ODD_KEYS = [
  "my-game.default.tessera.session_token",
  "a/b",
  "a\\b",
  "../escape",
  "..",
  ".",
  "",
  " ",
  "名前.zoë.🎮",
  'a?b*c:d|e<f>g"h',
  "%2F",
  "a%2Fb",
  "%",
  "%2E",
  "line\nbreak\ttab\u0000nul",
  "x".repeat(200),
];

/** Round trip, overwrite, removal and independence of keys: what every storage must do. */
function exerciseStorage(storage: TokenStorage): void {
  for (const key of ODD_KEYS) assert.equal(storage.getItem(key), null, `fresh ${JSON.stringify(key)}`);
  ODD_KEYS.forEach((key, i) => {
    storage.setItem(key, `value-${i}-ü名`);
  });
  ODD_KEYS.forEach((key, i) => {
    assert.equal(storage.getItem(key), `value-${i}-ü名`, `read back ${JSON.stringify(key)}`);
  });

  storage.setItem("k", "first");
  storage.setItem("k", "second");
  assert.equal(storage.getItem("k"), "second");
  storage.setItem("k", "");
  assert.equal(storage.getItem("k"), "", "an empty string is a value, not an absence");
  storage.setItem("k", null);
  assert.equal(storage.getItem("k"), null, "null removes");
  storage.setItem("k", null);
  assert.equal(storage.getItem("k"), null, "removing an absent key is fine");

  // Removing one key leaves the others alone.
  storage.setItem(ODD_KEYS[1]!, null);
  assert.equal(storage.getItem(ODD_KEYS[1]!), null);
  ODD_KEYS.forEach((key, i) => {
    if (i !== 1) assert.equal(storage.getItem(key), `value-${i}-ü名`, `kept ${JSON.stringify(key)}`);
  });
}

/** A Map-backed stand-in for the browser's `localStorage` that records the calls it gets. */
class FakeWebStorage implements WebStorageLike {
  readonly map = new Map<string, string>();
  readonly calls: string[] = [];
  getItem(key: string): string | null {
    this.calls.push("getItem");
    return this.map.has(key) ? this.map.get(key)! : null;
  }
  setItem(key: string, value: string): void {
    this.calls.push("setItem");
    this.map.set(key, String(value));
  }
  removeItem(key: string): void {
    this.calls.push("removeItem");
    this.map.delete(key);
  }
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tessera-storage-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("sessionTokenKey", () => {
  it("is {projectId}.{profile}.tessera.session_token", () => {
    assert.equal(sessionTokenKey("my-game", "default"), "my-game.default.tessera.session_token");
    assert.equal(sessionTokenKey("p", "player_2"), "p.player_2.tessera.session_token");
  });
});

describe("MemoryStorage", () => {
  it("round trips, overwrites, removes with null, takes any key", () => {
    exerciseStorage(new MemoryStorage());
  });

  it("instances are independent", () => {
    const a = new MemoryStorage();
    const b = new MemoryStorage();
    a.setItem("k", "a");
    assert.equal(b.getItem("k"), null);
  });
});

describe("WebStorage", () => {
  it("round trips through the Web Storage object; null becomes removeItem", () => {
    const web = new FakeWebStorage();
    const storage = new WebStorage(web);
    exerciseStorage(storage);
    assert.ok(web.calls.includes("removeItem"));
    web.calls.length = 0;
    storage.setItem("x", null);
    assert.deepEqual(web.calls, ["removeItem"], "null never writes the string 'null'");
    assert.equal(web.map.has("x"), false);
    storage.setItem("x", "v");
    assert.equal(web.map.get("x"), "v", "values land in the Web Storage object itself");
    web.map.set("y", "from another tab");
    assert.equal(storage.getItem("y"), "from another tab", "reads are not cached");
  });

  it("defaults to globalThis.localStorage, and says so when there is none", () => {
    const g = globalThis as { localStorage?: WebStorageLike };
    const saved = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
    const web = new FakeWebStorage();
    try {
      g.localStorage = web;
      const storage = new WebStorage();
      storage.setItem("k", "v");
      assert.equal(web.map.get("k"), "v");
      delete g.localStorage;
      assert.throws(() => new WebStorage(), { name: "TypeError", message: /no localStorage/ });
    } finally {
      delete g.localStorage;
      if (saved) Object.defineProperty(globalThis, "localStorage", saved);
    }
  });

  it("is what AuthenticationService uses by default where localStorage exists, else memory", async () => {
    const t = await startTestServer();
    const g = globalThis as { localStorage?: WebStorageLike };
    const web = new FakeWebStorage();
    try {
      const client = plainClient(t.url);
      let withLocal: AuthenticationService;
      try {
        g.localStorage = web;
        withLocal = new AuthenticationService({ client, projectId: "web-game" });
      } finally {
        delete g.localStorage;
      }
      await withLocal.signInAnonymously();
      assert.equal(web.map.get("web-game.default.tessera.session_token"), withLocal.currentSession!.refreshToken);

      const inMemory = new AuthenticationService({ client, projectId: "web-game" });
      await inMemory.signInAnonymously();
      assert.notEqual(inMemory.playerId, withLocal.playerId, "no shared storage: a new anonymous player");
      assert.equal(web.map.get("web-game.default.tessera.session_token"), withLocal.currentSession!.refreshToken);
      await withLocal.signOut();
      await inMemory.signOut();
    } finally {
      await t.close();
    }
  });
});

describe("FileStorage", () => {
  it("requires a directory and creates it (mode 0700)", async () => {
    await withDir(async (dirPath) => {
      assert.throws(() => new FileStorage(""), TypeError);
      assert.throws(() => new FileStorage(undefined as never), TypeError);
      const nested = join(dirPath, "a", "b", "c");
      const storage = new FileStorage(nested);
      assert.equal(storage.directory, nested);
      assert.ok(statSync(nested).isDirectory());
      if (process.platform !== "win32") assert.equal(statSync(nested).mode & 0o777, 0o700);
    });
  });

  it("round trips, overwrites, removes with null, takes any key without leaving its directory", async () => {
    await withDir(async (dirPath) => {
      const inner = join(dirPath, "inner");
      const storage = new FileStorage(inner);
      exerciseStorage(storage);
      // One file per key, all inside the directory; nothing written next to it or above it.
      assert.deepEqual(readdirSync(dirPath), ["inner"]);
      const files = readdirSync(inner);
      assert.equal(files.length, ODD_KEYS.length - 1, "one file per live key (one key was removed)");
      assert.ok(files.every((f) => !f.endsWith(".tmp")));
      // A new instance on the same directory (the next launch) reads the same values.
      const again = new FileStorage(inner);
      assert.equal(again.getItem("名前.zoë.🎮"), `value-${ODD_KEYS.indexOf("名前.zoë.🎮")}-ü名`);
      assert.equal(again.getItem(".."), `value-${ODD_KEYS.indexOf("..")}-ü名`);
    });
  });

  it("writes files with mode 0600", { skip: process.platform === "win32" ? "POSIX modes only" : false }, async () => {
    await withDir(async (dirPath) => {
      const storage = new FileStorage(dirPath);
      storage.setItem("my-game.default.tessera.session_token", "secret");
      storage.setItem("my-game.default.tessera.session_token", "secret-2");
      const [file] = readdirSync(dirPath);
      assert.equal(readFileSync(join(dirPath, file!), "utf8"), "secret-2");
      assert.equal(statSync(join(dirPath, file!)).mode & 0o777, 0o600);
    });
  });

  it("leaves no temporary files behind, also when a write fails", async () => {
    await withDir(async (dirPath) => {
      const storage = new FileStorage(dirPath);
      for (let i = 0; i < 50; i++) storage.setItem("k", `token-${i}`);
      assert.deepEqual(readdirSync(dirPath), ["k"]);
      assert.equal(storage.getItem("k"), "token-49");
      if (process.platform !== "win32") {
        // A key whose file is a non-empty directory cannot be replaced: the error surfaces, the
        // temporary file does not stay.
        const blocked = join(dirPath, "blocked");
        new FileStorage(join(blocked, "child"));
        writeFileSync(join(blocked, "child", "x"), "x");
        assert.throws(() => storage.setItem("blocked", "v"));
        assert.deepEqual(readdirSync(dirPath).sort(), ["blocked", "k"]);
      }
    });
  });

  it("a reader never sees a partial token while another thread writes", async () => {
    await withDir(async (dirPath) => {
      const storage = new FileStorage(dirPath);
      const key = "my-game.default.tessera.session_token";
      const SIZE = 256 * 1024;
      const value = (i: number) => String.fromCharCode(97 + (i % 26)).repeat(SIZE);
      storage.setItem(key, value(0));
      const path = join(dirPath, readdirSync(dirPath)[0]!);

      const stop = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(
        `
        const { parentPort, workerData } = require("node:worker_threads");
        const { readFileSync } = require("node:fs");
        const { path, size, stop } = workerData;
        let reads = 0, missing = 0;
        const bad = [];
        parentPort.postMessage("ready");
        while (Atomics.load(stop, 0) === 0) {
          let v;
          try { v = readFileSync(path, "utf8"); } catch (e) { if (e.code === "ENOENT") { missing++; continue; } throw e; }
          reads++;
          if (v.length !== size || v !== v[0].repeat(size)) bad.push(v.length);
        }
        parentPort.postMessage({ reads, missing, bad: bad.slice(0, 10), badCount: bad.length });
        `,
        { eval: true, workerData: { path, size: SIZE, stop } },
      );
      const result = new Promise<{ reads: number; missing: number; bad: number[]; badCount: number }>((resolve, reject) => {
        worker.on("message", (m) => {
          if (m !== "ready") resolve(m);
        });
        worker.on("error", reject);
      });
      await new Promise<void>((r) => worker.once("message", () => r()));
      for (let i = 1; i <= 400; i++) storage.setItem(key, value(i));
      Atomics.store(stop, 0, 1);
      const { reads, missing, bad, badCount } = await result;
      await worker.terminate();
      assert.ok(reads > 0, "the reader ran");
      assert.equal(missing, 0, "the file never vanished while being replaced");
      assert.equal(badCount, 0, `partial reads (lengths): ${bad.join(", ")}`);
      assert.equal(storage.getItem(key), value(400));
      assert.deepEqual(readdirSync(dirPath), [readdirSync(dirPath)[0]], "no temporary files left");
    });
  });

  it("keeps an AuthenticationService player across launches", async () => {
    await withDir(async (dirPath) => {
      const t = await startTestServer();
      try {
        const client = plainClient(t.url);
        const first = new AuthenticationService({ client, projectId: "file-game", storage: new FileStorage(dirPath) });
        await first.signInAnonymously();
        const player = first.playerId;
        const key = sessionTokenKey("file-game", "default");
        assert.equal(new FileStorage(dirPath).getItem(key), first.currentSession!.refreshToken);
        await first.signOut();

        // The next launch: a new service and a new storage object on the same directory.
        const second = new AuthenticationService({ client, projectId: "file-game", storage: new FileStorage(dirPath) });
        assert.equal(second.sessionTokenExists, true);
        await second.signInAnonymously({ createAccount: false });
        assert.equal(second.playerId, player);
        assert.equal(new FileStorage(dirPath).getItem(key), second.currentSession!.refreshToken, "the rotated token is persisted");
        await second.signOut({ clearCredentials: true });
        assert.equal(existsSync(join(dirPath, encodeURIComponent(key))), false);
        assert.deepEqual(readdirSync(dirPath), []);
      } finally {
        await t.close();
      }
    });
  });
});
