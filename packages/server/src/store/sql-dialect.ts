/**
 * What differs between the SQL backends, so the store is written once (`sql-store.ts`,
 * `sql-ticket-store.ts`, `sql-admin-store.ts`) and each backend folder supplies one of these.
 * Placeholders (`?`), `RETURNING`, `ON CONFLICT … DO UPDATE … WHERE` (upserts and insert-or-ignore),
 * `CAST`, partial indexes and JSON kept as TEXT are shared by SQLite and PostgreSQL, so they are
 * not here.
 */
import type { MigrationDialect } from "./migrator.js";

export interface SqlDialect {
  /** `column` compared byte by byte (ORDER BY, prefix ranges, keyset pages): bare in SQLite, `COLLATE "C"` in PostgreSQL. */
  bytewise(column: string): string;
  /**
   * A column of a read of the account aliased `a`: its identities in link order as one JSON array
   * of `[provider, subject, create_time, last_use_time, profile]` arrays (`identitiesFromJson`), so
   * the account and its identities are one row of one statement.
   */
  readonly identitiesJson: string;
  /** Appended to a SELECT whose rows stay locked until its transaction ends (`FOR UPDATE`; empty where a transaction already excludes every other writer). */
  readonly lockForUpdate: string;
  /** The same in shared mode (`FOR SHARE`): the rows cannot change until the transaction ends. */
  readonly lockForShare: string;
  /**
   * Whether an INSERT or UPDATE may sit in a `WITH` of another statement (PostgreSQL): two writes
   * that must happen together are then one statement, one round trip, atomic without BEGIN and
   * COMMIT. Where not (SQLite), the store runs them in a transaction, which in-process and group
   * committed costs no round trip.
   */
  readonly dataModifyingWith: boolean;
  /**
   * A driver error as the Store's: StoreConflictError for a unique violation (with the field it
   * names), StoreUnavailableError when the database is closed, unreachable or failing; anything
   * else (a bug) unchanged.
   */
  translate(err: unknown): unknown;
  /** How `migrator.ts` creates its table and keeps two migrating processes apart. */
  readonly migrations: MigrationDialect;
}
