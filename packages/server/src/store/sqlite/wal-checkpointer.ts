/**
 * WAL checkpoints on a worker thread. A checkpoint copies the pages written to the write-ahead log
 * back into the database file and syncs it. SQLite's automatic checkpoint does that work on the
 * connection that committed, here the event loop, and every request waits for it: tens of
 * milliseconds for the 10,000 pages the server lets the log grow to, more on a slow disk.
 *
 * The worker holds its own connection to the same file and runs PASSIVE checkpoints (which never
 * block the server's reads or writes) whenever the log has grown past a few MB. The server's
 * connection keeps its automatic checkpoint at 10,000 pages: by then the worker has copied almost
 * every page, so the server's own checkpoint copies only the few written since, and, being the
 * only writer, completes, which lets the next commit start the log over (a checkpoint running
 * beside a stream of commits never catches up by itself). If the worker fails, the server's
 * automatic checkpoint does all the work again, as without it. The worker is unref'd (it never
 * keeps the process alive) and stopped before the server's connection closes.
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Logger } from "../../shared/logger.js";

export interface WalCheckpointerOptions {
  /** How often the worker looks at the log's size (ms). */
  intervalMs?: number;
  /** Log size (bytes) past which the worker checkpoints. */
  thresholdBytes?: number;
  /** The server connection's `synchronous` setting, used by the worker's connection too. */
  synchronous: "NORMAL" | "FULL";
}

/** The worker's code (CommonJS, run with `eval`): better-sqlite3 is loaded from the path the server resolved. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("synchronous = " + workerData.synchronous);
const walSize = () => { try { return statSync(workerData.path + "-wal").size; } catch { return 0; } };
let busy = false;
const timer = setInterval(() => {
  if (busy || walSize() < workerData.thresholdBytes) return;
  busy = true;
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ kind: "checkpoint", log: result.log, checkpointed: result.checkpointed });
  } catch (err) {
    parentPort.postMessage({ kind: "error", message: String(err && err.message || err) });
  } finally {
    busy = false;
  }
}, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "close") return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  /** Checkpoints the worker ran, and the log frames it copied back (tests and diagnostics). */
  readonly stats = { checkpoints: 0, framesCheckpointed: 0 };
  /** Set by close(): the worker's exit is then expected, not a failure. */
  private closing = false;

  /**
   * Starts the worker on the database at `path` (which must exist: the server's connection has
   * opened it). A failure is logged once; the server's automatic checkpoints go on regardless.
   */
  constructor(path: string, options: WalCheckpointerOptions, logger: Logger) {
    const module = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module,
        path,
        synchronous: options.synchronous,
        intervalMs: options.intervalMs ?? 100,
        thresholdBytes: options.thresholdBytes ?? 4 * 1024 * 1024,
      },
    });
    this.worker.unref();
    let failed = false;
    const fail = (reason: string): void => {
      if (failed) return;
      failed = true;
      logger.warn("WAL checkpoint worker failed; checkpoints run on the server's connection again", { error: reason });
    };
    this.worker.on("message", (m: { kind: "checkpoint"; log: number; checkpointed: number } | { kind: "error"; message: string }) => {
      if (m.kind === "checkpoint") {
        this.stats.checkpoints++;
        this.stats.framesCheckpointed += Math.max(0, m.checkpointed);
      } else fail(m.message);
    });
    this.worker.on("error", (err) => fail(err.message));
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", (code) => {
        // It runs until closed: ending any other way is a failure, whatever its exit code.
        if (!this.closing) fail(`worker exited with code ${code}`);
        resolve();
      }),
    );
  }

  /** Ends the worker at once, as a crash would (the failure is logged). */
  async kill(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }

  /** Stops the worker and closes its connection; resolves when it is gone. */
  async close(): Promise<void> {
    this.closing = true;
    this.worker.postMessage("close");
    const timeout = setTimeout(() => void this.worker.terminate(), 5_000);
    await this.exited;
    clearTimeout(timeout);
  }
}

/** Size of the database's write-ahead log now (bytes; 0 when there is none). */
export function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}
