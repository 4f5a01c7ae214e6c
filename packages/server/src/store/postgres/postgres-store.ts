/**
 * The Store for several Tessera nodes: PostgreSQL through a `pg.Pool`. The operations are the
 * portable ones of `sql-store.ts`; this file opens the pool, runs the migrator on one client and
 * closes the pool. The refresh rotation is a single compare-and-swap UPDATE, so concurrent
 * refreshes on any node have exactly one winner; retries, prepared statements and error
 * translation are postgres-executor.ts's.
 */
import pg from "pg";
import { migrate } from "../migrator.js";
import type { Row } from "../row-mapping.js";
import { SqlStore } from "../sql-store.js";
import { StoreUnavailableError } from "../store.js";
import { MIGRATIONS } from "./migrations.js";
import { isConnectionFailure, messageOf, postgresDialect } from "./postgres-dialect.js";
import { dollars, MAINTENANCE_TIMEOUT_MS, PostgresExecutor } from "./postgres-executor.js";

export interface PostgresStoreOptions {
  /** `postgres://user[:password]@host[:port]/database` */
  url: string;
  /** Pool size per node (default 10). */
  maxConnections?: number;
  /** How long to wait for a connection before the request fails with 503 (default 5000 ms). */
  connectionTimeoutMs?: number;
  /**
   * How long one query may wait for its answer before the request fails with 503 and the
   * connection is dropped (default 10000 ms): a database that stops answering must not hold
   * requests forever. Migrations and the hourly purge get `MAINTENANCE_TIMEOUT_MS` instead.
   */
  queryTimeoutMs?: number;
}

const INT8_OID = 20;
/** BIGINT columns hold unix ms and seconds, far inside Number's exact range. */
const TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
};

export class PostgresStore extends SqlStore {
  private constructor(private readonly pool: pg.Pool) {
    super(new PostgresExecutor(pool), postgresDialect);
  }

  /**
   * Connects, applies pending migrations and returns the store. Rejects with StoreUnavailableError
   * naming the host when PostgreSQL cannot be reached or the schema is newer than this code.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      query_timeout: options.queryTimeoutMs ?? 10_000,
      // TCP keep-alive finds connections whose peer vanished without a word (a cut network).
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: "tessera",
      types: TYPES,
    });
    // An idle client losing its connection (server restart, database dropped) must not crash the
    // process; the pool discards it and the next query reports the failure.
    pool.on("error", () => {});
    try {
      await migrateOnOneClient(pool);
    } catch (err) {
      await pool.end().catch(() => {});
      if (err instanceof StoreUnavailableError && !isConnectionFailure(err.cause)) throw err;
      throw new StoreUnavailableError(`cannot open PostgreSQL database at ${describePostgresUrl(options.url)}: ${messageOf(err)}`, { cause: err });
    }
    return new PostgresStore(pool);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/** The migrator's plan on one client (its advisory lock is the client's session's), destroyed if its connection failed. */
async function migrateOnOneClient(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => {
    broken = err;
  };
  client.on("error", onError);
  try {
    await migrate(MIGRATIONS, postgresDialect.migrations, async (s) => {
      // Waiting for another node's migration, or building an index on a large table, may take long.
      const query = {
        text: s.params ? dollars(s.sql) : s.sql,
        values: s.params as unknown[] | undefined,
        query_timeout: MAINTENANCE_TIMEOUT_MS,
      } as pg.QueryConfig;
      try {
        return (await client.query(query)).rows as Row[];
      } catch (err) {
        if (isConnectionFailure(err)) broken = err as Error;
        throw err;
      }
    });
  } finally {
    client.off("error", onError);
    // A broken connection is destroyed, which ends its session and so its lock.
    client.release(broken);
  }
}

/** `postgres://user@host:port/database`, never the password: for messages and logs. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : "";
    return `${u.protocol}//${user}${u.hostname || "localhost"}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparsable database.url)";
  }
}
