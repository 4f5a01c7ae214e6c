/**
 * The embedded default Store: one SQLite file through better-sqlite3, in WAL mode. The operations
 * are the portable ones of `sql-store.ts`; this file opens the file (pragmas, migrations), hands
 * the connection to its executor (group commit and read batching, sqlite-executor.ts) and closes
 * it. One process owns the file: several Tessera nodes need the PostgreSQL store.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../../shared/logger.js";
import { migrateSync, type MigrationStatement } from "../migrator.js";
import type { Row } from "../row-mapping.js";
import { SqlStore } from "../sql-store.js";
import { StoreUnavailableError } from "../store.js";
import { MIGRATIONS } from "./migrations.js";
import { sqliteDialect } from "./sqlite-dialect.js";
import { SqliteExecutor } from "./sqlite-executor.js";
import { WalCheckpointer } from "./wal-checkpointer.js";

export interface SqliteStoreOptions {
  /** File path, or ":memory:" (tests of the store only). */
  path: string;
  synchronous?: "normal" | "full";
  /**
   * Checkpoint the write-ahead log on a worker thread (wal-checkpointer.ts) instead of on the
   * connection that commits: the server passes its logger; one-shot commands leave it out.
   */
  checkpoints?: { logger: Logger; intervalMs?: number; thresholdBytes?: number };
}

/** Pages in the write-ahead log past which the committing connection checkpoints (with a worker, only what it has not copied yet). */
const AUTOCHECKPOINT_PAGES = 10_000;

export class SqliteStore extends SqlStore {
  /** The worker checkpointing the log, when `checkpoints` was given. */
  checkpointer: WalCheckpointer | undefined;

  private constructor(
    private readonly db: Database.Database,
    private readonly executor: SqliteExecutor,
  ) {
    super(executor, sqliteDialect);
  }

  /** Opens (creating if needed) the database file and applies pending migrations. Throws StoreUnavailableError. */
  static open(options: SqliteStoreOptions): SqliteStore {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(options.path);
    } catch (err) {
      throw new StoreUnavailableError(`cannot open SQLite database ${options.path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      // Keep the hot B-tree pages (random keys such as device ids and usernames touch many) in
      // memory: 32 MiB held the throughput of account creation that 64 MiB had (docs/performance.md)
      // at half the memory. Checkpoint the WAL less often so a page written many times is copied
      // back to the database file once.
      db.pragma("cache_size = -32768");
      db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      db.pragma("temp_store = MEMORY");
      // Before the executor exists: nothing else can reach the connection yet.
      migrateSync(MIGRATIONS, sqliteDialect.migrations, (s) => runMigrationStatement(db, s));
    } catch (err) {
      db.close();
      throw sqliteDialect.translate(err);
    }
    const store = new SqliteStore(db, new SqliteExecutor(db, sqliteDialect.translate));
    const checkpoints = options.checkpoints;
    if (checkpoints && options.path !== ":memory:") {
      const synchronous = options.synchronous === "full" ? "FULL" : "NORMAL";
      store.checkpointer = new WalCheckpointer(options.path, { ...checkpoints, synchronous }, checkpoints.logger);
    }
    return store;
  }

  /** Runs SQLite's own consistency check; "ok" when the file is sound. */
  integrityCheck(): string {
    try {
      return this.db.pragma("integrity_check", { simple: true }) as string;
    } catch (err) {
      throw sqliteDialect.translate(err);
    }
  }

  /** Answers what was asked, stops the checkpointer, then closes the file. */
  async close(): Promise<void> {
    await this.executor.idle();
    await this.checkpointer?.close();
    this.executor.close();
  }
}

function runMigrationStatement(db: Database.Database, s: MigrationStatement): Row[] {
  if (s.script) {
    db.exec(s.sql);
    return [];
  }
  const stmt = db.prepare(s.sql);
  const params = s.params ?? [];
  if (stmt.reader) return stmt.all(...params) as Row[];
  stmt.run(...params);
  return [];
}
