/**
 * What SQLite does its own way. Text compares bytewise already; no row locks (a write transaction
 * excludes every other writer of the file, and one process owns the file); the migration lock is
 * `BEGIN IMMEDIATE` itself. Constraint errors name the table and columns, not the constraint.
 */
import { StoreConflictError, StoreUnavailableError } from "../store.js";
import type { SqlDialect } from "../sql-dialect.js";

/** better-sqlite3's error for any statement on a closed connection. */
const CLOSED_MESSAGE = "The database connection is not open";
/** Result codes that mean the file cannot be written or read right now (locked by another process, disk full, I/O error). */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY)/;

/** A StoreConflictError for SQLite's unique violation message ("UNIQUE constraint failed: accounts.username"). */
function conflict(message: string): StoreConflictError {
  if (message.includes("accounts.username")) return new StoreConflictError("username");
  if (message.includes("identities.provider, identities.subject")) return new StoreConflictError("identity");
  if (message.includes("auth_tickets.account_id, auth_tickets.handle")) return new StoreConflictError("ticket_handle");
  if (message.includes("auth_sessions.validator_session_id, auth_sessions.user_id")) return new StoreConflictError("auth_session");
  if (message.includes("game_servers.")) return new StoreConflictError("game_server");
  return new StoreConflictError("id");
}

export const sqliteDialect: SqlDialect = {
  bytewise: (column) => column,
  identitiesJson: `(SELECT json_group_array(json_array(provider, subject, create_time, last_use_time, profile))
    FROM (SELECT provider, subject, create_time, last_use_time, profile FROM identities WHERE account_id = a.id ORDER BY seq))`,
  lockForUpdate: "",
  lockForShare: "",
  dataModifyingWith: false,
  translate(err) {
    if (err instanceof StoreConflictError || err instanceof StoreUnavailableError) return err;
    const e = err as { code?: unknown; message?: unknown };
    // No cause: the driver's message says no more, and readiness names the cause's message when there is one.
    if (err instanceof TypeError && e.message === CLOSED_MESSAGE) return new StoreUnavailableError("the SQLite database is closed");
    if (typeof e?.code !== "string") return err;
    if (e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY") return conflict(String(e.message ?? ""));
    if (UNAVAILABLE_CODES.test(e.code)) return new StoreUnavailableError(`SQLite unavailable: ${String(e.message ?? e.code)}`, { cause: err });
    return err;
  },
  migrations: {
    table: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
    begin: "BEGIN IMMEDIATE",
    lock: undefined,
  },
};
