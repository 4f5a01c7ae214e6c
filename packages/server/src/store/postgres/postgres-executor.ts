/**
 * The SqlExecutor over the PostgreSQL store's own statement and transaction runners, so portable
 * SQL gets the same treatment as the store's hand-written queries: `?` placeholders become `$n`,
 * errors are translated, statements and whole transactions that lose a serialization conflict run
 * again, and a client whose connection dies mid-transaction is destroyed, never reused.
 */
import type pg from "pg";
import type { SqlExecutor } from "../sql-executor.js";
import type { Row } from "../row-mapping.js";
import { statement } from "./prepared.js";

type Queryable = Pick<pg.PoolClient, "query">;

export interface PostgresRunners {
  /** One statement on the pool (retried and translated by the store). */
  query(sql: string, params: unknown[]): Promise<pg.QueryResult>;
  /** `fn` in BEGIN … COMMIT on one client (retried as a whole and translated by the store). */
  transaction<T>(fn: (client: Queryable) => Promise<T>): Promise<T>;
}

const numbered = new Map<string, string>();

/** `a = ? AND b = ?` → `a = $1 AND b = $2` (the portable SQL here has no `?` inside literals). */
function dollars(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, out);
  }
  return out;
}

export class PostgresExecutor implements SqlExecutor {
  constructor(private readonly runners: PostgresRunners, private readonly client?: Queryable) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.exec(sql, params)).rows as Row[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.exec(sql, params)).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.client) return fn(this);
    return this.runners.transaction((client) => fn(new PostgresExecutor(this.runners, client)));
  }

  /** Inside a transaction errors pass through raw, so the store can tell a retryable conflict. */
  private exec(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    return this.client ? this.client.query(statement(dollars(sql), params as unknown[])) : this.runners.query(dollars(sql), params as unknown[]);
  }
}
