/**
 * The SqlExecutor over a `pg.Pool`. `?` placeholders become `$n`; every statement is a named
 * prepared statement (prepared.ts); errors are translated by the dialect; a statement or a whole
 * transaction that loses a serialization conflict or a deadlock (SQLSTATE 40001, 40P01: routine
 * where transactions are SERIALIZABLE, as in CockroachDB) runs again after a short random pause;
 * a client whose connection dies mid-transaction is destroyed, never reused.
 */
import type pg from "pg";
import type { Row } from "../row-mapping.js";
import type { SqlExecutor, StatementOptions } from "../sql-executor.js";
import { StoreUnavailableError } from "../store.js";
import { isConnectionFailure, isRetryable, messageOf, postgresDialect } from "./postgres-dialect.js";
import { statement } from "./prepared.js";

/** Migrations (and waiting for another node's), and the hourly purge, may rightly take long. */
export const MAINTENANCE_TIMEOUT_MS = 15 * 60 * 1000;

/** SERIALIZABLE databases (CockroachDB) report conflicts under contention; give up after this many tries. */
const MAX_ATTEMPTS = 6;

type Queryable = Pick<pg.PoolClient, "query">;

const numbered = new Map<string, string>();

/** `a = ? AND b = ?` → `a = $1 AND b = $2` (the portable SQL here has no `?` inside literals). */
export function dollars(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, out);
  }
  return out;
}

/** The prepared statement of `sql`, with the maintenance time limit when asked for (pg reads `query_timeout` per query; its types omit it). */
function config(sql: string, params: readonly unknown[], options: StatementOptions | undefined): pg.QueryConfig {
  const prepared = statement(dollars(sql), params as unknown[]);
  return options?.maintenance ? ({ ...prepared, query_timeout: MAINTENANCE_TIMEOUT_MS } as pg.QueryConfig) : prepared;
}

/**
 * Runs `work` (one statement or one whole transaction) and translates its failure to the Store's
 * errors, trying again after a short random pause when the database reports a retryable conflict.
 */
async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isRetryable(err)) throw postgresDialect.translate(err);
      if (attempt >= MAX_ATTEMPTS) {
        throw new StoreUnavailableError(`PostgreSQL: still conflicting with concurrent transactions after ${attempt} attempts (${messageOf(err)})`, {
          cause: err,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}

export class PostgresExecutor implements SqlExecutor {
  constructor(private readonly pool: pg.Pool) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await retrying(() => this.pool.query(config(sql, params, undefined)))).rows as Row[];
  }

  async get(sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.all(sql, params))[0];
  }

  async run(sql: string, params: readonly unknown[] = [], options?: StatementOptions): Promise<number> {
    return (await retrying(() => this.pool.query(config(sql, params, options)))).rowCount ?? 0;
  }

  /** `fn` in BEGIN … COMMIT on one pooled client; rolled back on any error and run again from the start after a retryable conflict. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return retrying(() => this.transactionOnce(fn));
  }

  private async transactionOnce<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client whose connection dies between two queries emits "error"; unheard, that
    // would crash the process. Noted here, it makes the client be destroyed on release.
    const onError = (err: Error): void => {
      broken = err;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await fn(new PostgresTransaction(client));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      if (isConnectionFailure(err) || (err instanceof StoreUnavailableError && isConnectionFailure(err.cause))) broken = err as Error;
      else await client.query("ROLLBACK").catch((rollbackErr: unknown) => (broken = rollbackErr as Error));
      throw err;
    } finally {
      client.off("error", onError);
      // A client whose connection failed is destroyed rather than returned to the pool.
      client.release(broken);
    }
  }
}

/**
 * The executor inside one transaction, on its client. Errors are translated at once (so the
 * store's code sees StoreConflictError), except retryable conflicts, which reach the transaction's
 * retry raw; a nested transaction is part of the open one.
 */
class PostgresTransaction implements SqlExecutor {
  constructor(private readonly client: Queryable) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.exec(sql, params, undefined)).rows as Row[];
  }

  async get(sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.all(sql, params))[0];
  }

  async run(sql: string, params: readonly unknown[] = [], options?: StatementOptions): Promise<number> {
    return (await this.exec(sql, params, options)).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }

  private async exec(sql: string, params: readonly unknown[], options: StatementOptions | undefined): Promise<pg.QueryResult> {
    try {
      return await this.client.query(config(sql, params, options));
    } catch (err) {
      throw isRetryable(err) ? err : postgresDialect.translate(err);
    }
  }
}
