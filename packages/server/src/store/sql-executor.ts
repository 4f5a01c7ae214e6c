/**
 * A minimal SQL port both backends provide, so a store written once in portable SQL (`?`
 * placeholders, `RETURNING`, `ON CONFLICT`, partial indexes — all shared by SQLite and
 * PostgreSQL) runs on either. Errors arrive already translated: StoreConflictError for unique
 * violations, StoreUnavailableError when the database cannot be reached.
 */
import type { Row } from "./row-mapping.js";

export interface SqlExecutor {
  /** The rows of a query. */
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs `fn` atomically: every statement `fn` issues through `tx` commits together or not at all.
   * `fn` must only await `tx` (the SQLite executor holds its transaction across those awaits).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
