/**
 * A minimal SQL port both backends provide, so a store written once in portable SQL (`?`
 * placeholders, `RETURNING`, `ON CONFLICT`, partial indexes — all shared by SQLite and
 * PostgreSQL) runs on either. Errors arrive already translated by the backend's dialect:
 * StoreConflictError for unique violations, StoreUnavailableError when the database is closed or
 * cannot be reached, from every method. How statements are batched, prepared or retried is the
 * executor's business, not the store's.
 */
import type { Row } from "./row-mapping.js";

export interface StatementOptions {
  /** A maintenance statement (an hourly purge) that may rightly run long: the backend's per-query time limit does not apply. */
  maintenance?: boolean;
}

export interface SqlExecutor {
  /** The rows of a query (or of a statement's `RETURNING`). */
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** The first row of a query, or undefined (a point read: SQLite stops at that row). */
  get(sql: string, params?: readonly unknown[]): Promise<Row | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[], options?: StatementOptions): Promise<number>;
  /**
   * Runs `fn` atomically: every statement `fn` issues through `tx` commits together or not at all,
   * and the promise settles after the commit. `fn` must only await `tx` (the SQLite executor holds
   * its write lock across those awaits); an error thrown by `fn` undoes what it wrote.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
