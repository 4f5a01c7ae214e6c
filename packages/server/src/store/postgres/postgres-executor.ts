/**
 * The SqlExecutor over a pg Pool: `?` placeholders become `$n`, errors are translated by the
 * store's `translate`, and a transaction runs on one pooled client (a client whose connection
 * broke is destroyed, not returned to the pool).
 */
import type pg from "pg";
import type { SqlExecutor } from "../sql-executor.js";
import type { Row } from "../row-mapping.js";

type Queryable = Pick<pg.PoolClient, "query">;

export class PostgresExecutor implements SqlExecutor {
  private readonly numbered = new Map<string, string>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly translate: (err: unknown) => unknown,
    private readonly isConnectionFailure: (err: unknown) => boolean,
    private readonly client?: Queryable,
  ) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return (await (this.client ?? this.pool).query(this.dollars(sql), params as unknown[])).rows as Row[];
    } catch (err) {
      throw this.translate(err);
    }
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      return (await (this.client ?? this.pool).query(this.dollars(sql), params as unknown[])).rowCount ?? 0;
    } catch (err) {
      throw this.translate(err);
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.client) return fn(this);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await fn(new PostgresExecutor(this.pool, this.translate, this.isConnectionFailure, client));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      if (this.isConnectionFailure(err)) broken = err as Error;
      else await client.query("ROLLBACK").catch((rollbackErr: unknown) => (broken = rollbackErr as Error));
      throw this.translate(err);
    } finally {
      client.release(broken);
    }
  }

  /** `a = ? AND b = ?` → `a = $1 AND b = $2` (the portable SQL here has no `?` inside literals). */
  private dollars(sql: string): string {
    let out = this.numbered.get(sql);
    if (out === undefined) {
      let n = 0;
      out = sql.replace(/\?/g, () => `$${++n}`);
      this.numbered.set(sql, out);
    }
    return out;
  }
}
