/**
 * What PostgreSQL does its own way: text compared bytewise needs `COLLATE "C"` (whatever the
 * database's collation), rows are locked with `FOR UPDATE` / `FOR SHARE`, migrating nodes take an
 * advisory lock, and errors carry SQLSTATEs and constraint names.
 */
import { StoreConflictError, StoreUnavailableError } from "../store.js";
import type { SqlDialect } from "../sql-dialect.js";

/** Arbitrary but fixed: the advisory lock every node takes while migrating. */
const MIGRATION_LOCK_KEY = 7_350_001;

/** Serialization failure and deadlock: the database rolled the work back; running it again is safe. */
const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);

/** SQLSTATE classes and Node socket errors that mean "cannot talk to the database right now". */
const UNAVAILABLE_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
]);
const UNAVAILABLE_SQLSTATES = new Set([
  "57P01", // admin_shutdown (server stopping, connection terminated, database dropped WITH FORCE)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, recovery)
  "57014", // query_canceled (statement timeout)
  "3D000", // invalid_catalog_name: the database is gone
  "53300", // too_many_connections
  "53100", // disk_full
  "53200", // out_of_memory
]);
/** pg's own errors for lost or never-made connections carry no code. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|not queryable|Cannot use a pool after calling end/i;

/** The database rolled the work back for a conflict with concurrent transactions: running it again is safe. */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE_SQLSTATES.has(code);
}

/** The connection was refused, lost, timed out, or the server cannot serve it now. */
export function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (code.startsWith("08") || code.startsWith("28")) return true; // connection exception; authorization
  }
  if (err instanceof AggregateError) return err.errors.some(isConnectionFailure);
  return UNAVAILABLE_MESSAGES.test(err.message);
}

export function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(messageOf).join("; ");
  return err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
}

function conflictField(constraint: string | undefined): StoreConflictError["field"] {
  switch (constraint) {
    case "accounts_username_key":
      return "username";
    case "identities_pkey":
      return "identity";
    case "auth_tickets_handle":
      return "ticket_handle";
    case "auth_sessions_live":
      return "auth_session";
    case "game_servers_pkey":
    case "game_servers_id_key":
    case "game_servers_secret_key":
      return "game_server";
    default:
      return "id";
  }
}

export const postgresDialect: SqlDialect = {
  bytewise: (column) => `${column} COLLATE "C"`,
  identitiesJson: `COALESCE((SELECT json_agg(json_build_array(i.provider, i.subject, i.create_time, i.last_use_time, i.profile) ORDER BY i.seq)
    FROM identities i WHERE i.account_id = a.id), '[]'::json)`,
  lockForUpdate: " FOR UPDATE",
  lockForShare: " FOR SHARE",
  dataModifyingWith: true,
  translate(err) {
    if (err instanceof StoreConflictError || err instanceof StoreUnavailableError) return err;
    const e = err as { code?: string; constraint?: string } | null;
    if (e?.code === "23505") return new StoreConflictError(conflictField(e.constraint));
    if (isConnectionFailure(err)) return new StoreUnavailableError(`PostgreSQL unavailable: ${messageOf(err)}`, { cause: err });
    return err;
  },
  migrations: {
    table: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    begin: "BEGIN",
    // A session-level lock, taken before the transaction begins: a node that waited for another's
    // migrations then starts its transaction with a snapshot that sees them (also where
    // transactions are SERIALIZABLE, whose snapshot starts at their first statement).
    lock: {
      acquire: { sql: "SELECT pg_advisory_lock(?)", params: [MIGRATION_LOCK_KEY] },
      release: { sql: "SELECT pg_advisory_unlock(?)", params: [MIGRATION_LOCK_KEY] },
    },
  },
};
