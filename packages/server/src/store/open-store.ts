/**
 * Picks the Store backend from `database.url`: a `postgres://` or `postgresql://` URL opens the
 * PostgreSQL store (several nodes may share it); anything else is a SQLite file path, by default
 * `<data_dir>/tessera.db` (one process per file).
 */
import { join } from "node:path";
import type { Config } from "../config/config.js";
import { MIGRATIONS as POSTGRES_MIGRATIONS } from "./postgres/migrations.js";
import { MIGRATIONS as SQLITE_MIGRATIONS } from "./sqlite/migrations.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";
import type { Logger } from "../shared/logger.js";

export interface OpenedStore {
  store: Store;
  backend: "sqlite" | "postgres";
  /** Where the data lives, safe to log (a PostgreSQL URL without its password). */
  description: string;
  /** Other processes (nodes) may write to it: their revocations must reach this node too. */
  shared: boolean;
}

/** The newest schema version this Tessera knows for a backend (`tessera migrate` prints it). */
export function newestSchemaVersion(backend: OpenedStore["backend"]): number {
  const migrations = backend === "postgres" ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS;
  return migrations.at(-1)?.version ?? 0;
}

/** True when `database.url` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Opens the configured store and applies its migrations. Throws StoreUnavailableError. A server
 * passes its logger: a SQLite store then checkpoints its log on a worker thread.
 */
export async function openStore(database: Config["database"], dataDir: string, server?: { logger: Logger }): Promise<OpenedStore> {
  if (isPostgresUrl(database.url)) {
    // Loaded only here: a SQLite server or command does not pay for the PostgreSQL driver.
    const { describePostgresUrl, PostgresStore } = await import("./postgres/postgres-store.js");
    return { store: await PostgresStore.open({ url: database.url }), backend: "postgres", description: describePostgresUrl(database.url), shared: true };
  }
  const path = database.url ?? join(dataDir, "tessera.db");
  const checkpoints = server ? { logger: server.logger } : undefined;
  return {
    store: SqliteStore.open({ path, synchronous: database.synchronous, ...(checkpoints ? { checkpoints } : {}) }),
    backend: "sqlite",
    description: path,
    shared: false,
  };
}
