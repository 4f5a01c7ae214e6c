/**
 * The Store for several Tessera nodes: PostgreSQL through a `pg.Pool`. Multi-row changes run in
 * transactions on one pooled client; the refresh rotation is a single compare-and-swap UPDATE, so
 * concurrent refreshes on any node have exactly one winner. Work that loses a serialization
 * conflict or a deadlock (SQLSTATE 40001, 40P01: routine where transactions are SERIALIZABLE, as in
 * CockroachDB) runs again. Unique violations become StoreConflictError; lost, refused or silent
 * connections StoreUnavailableError (HTTP 503).
 */
import pg from "pg";
import {
  StoreConflictError,
  StoreUnavailableError,
  type AccountPatch,
  type AccountRow,
  type Ban,
  type IdentityKey,
  type IdentityRow,
  type NewAccount,
  type NewIdentity,
  type RevocationReason,
  type RevokedSession,
  type RevokedSessionCursor,
  type SessionAccount,
  type SessionCreation,
  type SessionRotation,
  type SessionRow,
  type Store,
  type UnlinkResult,
} from "../store.js";
import { MIGRATIONS } from "./migrations.js";
import { statement } from "./prepared.js";
import { IDENTITY_COLUMNS, identitiesFromJson, toAccount, toIdentity, toRevokedSession, toSession, toSessionWithAccount, type Row } from "../row-mapping.js";
import { SqlTicketStore } from "../sql-ticket-store.js";
import { SqlAdminStore } from "../sql-admin-store.js";
import type { AdminStore } from "../admin-store.js";
import type { TicketStore } from "../ticket-store.js";
import { PostgresExecutor } from "./postgres-executor.js";

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

type Queryable = Pick<pg.PoolClient, "query">;

/** A statement, optionally with its own time limit (pg reads `query_timeout` per query; its types omit it). */
type Statement = string | (pg.QueryConfig & { query_timeout?: number });

/** Migrations (and waiting for another node's), and the hourly purge, may rightly take long. */
const MAINTENANCE_TIMEOUT_MS = 15 * 60 * 1000;

/** Arbitrary but fixed: the advisory lock every node takes while migrating. */
const MIGRATION_LOCK_KEY = 7_350_001;

const INT8_OID = 20;
/** BIGINT columns hold unix ms and seconds, far inside Number's exact range. */
const TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
};

const ACCOUNT_PATCH_COLUMNS: Record<keyof AccountPatch, string> = {
  username: "username",
  displayName: "display_name",
  avatarUrl: "avatar_url",
  langTag: "lang_tag",
  location: "location",
  timezone: "timezone",
};

/** Every column of `accounts`, named so a prepared statement's result keeps its shape when a migration adds one (prepared.ts). */
const ACCOUNT_COLUMN_LIST = [
  "id", "username", "display_name", "avatar_url", "lang_tag", "location", "timezone", "metadata", "password_hash",
  "create_time", "update_time", "verify_time", "disable_time", "ban_kind", "ban_reason",
];
const ACCOUNT_COLUMNS = ACCOUNT_COLUMN_LIST.join(", ");
/** The same, of the account aliased `a` in a join. */
const A_ACCOUNT_COLUMNS = ACCOUNT_COLUMN_LIST.map((c) => `a.${c}`).join(", ");

const SESSION_COLUMNS =
  "id, account_id, created_at, last_refresh_at, generation, rotated_at, username, vars, issued_at_sec, token_expires_at_sec, refresh_expires_at_sec, client_ip, user_agent, revoked_at, revoked_reason";

/** The same, of the session aliased `s` in a join. */
const S_SESSION_COLUMNS = SESSION_COLUMNS.split(", ")
  .map((c) => `s.${c}`)
  .join(", ");

export class PostgresStore implements Store {
  readonly tickets: TicketStore;
  readonly admin: AdminStore;

  private constructor(private readonly pool: pg.Pool) {
    const executor = new PostgresExecutor({ query: (sql, values) => this.run(sql, values), transaction: (fn) => this.transaction(fn) });
    this.tickets = new SqlTicketStore(executor);
    // Prefix searches compare bytewise, as SQLite does, whatever the database's collation.
    this.admin = new SqlAdminStore(executor, { bytewise: (column) => `${column} COLLATE "C"` });
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
      await migrate(pool);
    } catch (err) {
      await pool.end().catch(() => {});
      if (err instanceof StoreUnavailableError && !isConnectionFailure(err.cause)) throw err;
      throw new StoreUnavailableError(`cannot open PostgreSQL database at ${describePostgresUrl(options.url)}: ${messageOf(err)}`, { cause: err });
    }
    return new PostgresStore(pool);
  }

  async createAccount(account: NewAccount, identity: NewIdentity | undefined): Promise<AccountRow> {
    const insert = `INSERT INTO accounts (id, username, password_hash, create_time, update_time) VALUES ($1, $2, $3, $4, $4) RETURNING ${ACCOUNT_COLUMNS}`;
    const values = [account.id, account.username, account.passwordHash ?? null, account.createTime];
    if (!identity) return toAccount((await this.query(insert, values))[0]!);
    // One statement, so one round trip and atomic without BEGIN/COMMIT: the identity is inserted
    // by a data-modifying WITH, which runs to completion with the account's insert.
    const rows = await withProvider(identity.provider, () =>
      this.query(
        `WITH a AS (${insert}),
           i AS (INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile) SELECT $5, $6, id, $4, $4, $7 FROM a)
         SELECT ${ACCOUNT_COLUMNS} FROM a`,
        [...values, identity.provider, identity.subject, JSON.stringify(identity.profile)],
      ),
    );
    return toAccount(rows[0]!);
  }

  async getAccount(id: string): Promise<AccountRow | undefined> {
    return this.oneAccount(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [id]);
  }

  async findAccountByIdentity(key: IdentityKey): Promise<AccountRow | undefined> {
    return this.oneAccount(`SELECT ${A_ACCOUNT_COLUMNS} FROM identities i JOIN accounts a ON a.id = i.account_id WHERE i.provider = $1 AND i.subject = $2`, [
      key.provider,
      key.subject,
    ]);
  }

  async findAccountByUsername(username: string): Promise<AccountRow | undefined> {
    return this.oneAccount(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE username = $1`, [username]);
  }

  async getAccountWithIdentities(id: string): Promise<{ account: AccountRow; identities: IdentityRow[] } | undefined> {
    const rows = await this.query(
      `SELECT ${A_ACCOUNT_COLUMNS}, COALESCE((SELECT json_agg(json_build_array(i.provider, i.subject, i.create_time, i.last_use_time, i.profile) ORDER BY i.seq)
         FROM identities i WHERE i.account_id = a.id), '[]'::json) AS identities
       FROM accounts a WHERE a.id = $1`,
      [id],
    );
    const row = rows[0];
    return row ? { account: toAccount(row), identities: identitiesFromJson(id, row["identities"]) } : undefined;
  }

  async listIdentities(accountId: string): Promise<IdentityRow[]> {
    const rows = await this.query(`SELECT ${IDENTITY_COLUMNS} FROM identities WHERE account_id = $1 ORDER BY seq`, [accountId]);
    return rows.map(toIdentity);
  }

  async updateAccount(id: string, patch: AccountPatch, now: number): Promise<boolean> {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, column] of Object.entries(ACCOUNT_PATCH_COLUMNS) as [keyof AccountPatch, string][]) {
      const value = patch[key];
      if (value === undefined) continue;
      values.push(key === "username" || key === "langTag" ? value : value === "" ? null : value);
      sets.push(`${column} = $${values.length}`);
    }
    values.push(now);
    sets.push(`update_time = $${values.length}`);
    values.push(id);
    return (await this.count(`UPDATE accounts SET ${sets.join(", ")} WHERE id = $${values.length}`, values)) === 1;
  }

  async deleteAccount(id: string): Promise<boolean> {
    // Identities and sessions go with it (ON DELETE CASCADE); a missing session row rejects its tokens.
    return (await this.count("DELETE FROM accounts WHERE id = $1", [id])) === 1;
  }

  async setDisableTime(id: string, disableTime: number | null, now: number, ban?: Ban): Promise<boolean> {
    const sql = "UPDATE accounts SET disable_time = $1, ban_kind = $2, ban_reason = $3, update_time = $4 WHERE id = $5";
    return (await this.count(sql, [disableTime, ban?.kind ?? null, ban?.reason ?? null, now, id])) === 1;
  }

  async linkIdentity(accountId: string, identity: NewIdentity, opts: { replace: boolean; passwordHash?: string | null }, now: number): Promise<void> {
    const { provider, subject } = identity;
    return this.transaction(async (c) => {
      // Insert, or refresh the account's own identity; no row changed: another account holds it.
      // No window between a check and the insert, and nothing else of the link happens then.
      const upsert = await c.query(
        `INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile) VALUES ($1, $2, $3, $4, $4, $5)
         ON CONFLICT (provider, subject) DO UPDATE SET profile = excluded.profile, last_use_time = excluded.last_use_time
         WHERE identities.account_id = excluded.account_id`,
        [provider, subject, accountId, now, JSON.stringify(identity.profile)],
      );
      if (upsert.rowCount === 0) throw new StoreConflictError("identity", provider);
      if (opts.replace) await c.query("DELETE FROM identities WHERE account_id = $1 AND provider = $2 AND subject <> $3", [accountId, provider, subject]);
      if (opts.passwordHash !== undefined) await c.query("UPDATE accounts SET password_hash = $1, update_time = $2 WHERE id = $3", [opts.passwordHash, now, accountId]);
      else await c.query("UPDATE accounts SET update_time = $1 WHERE id = $2", [now, accountId]);
    }).catch((err: unknown) => {
      throw err instanceof StoreConflictError && err.field === "identity" && err.provider === undefined ? new StoreConflictError("identity", provider) : err;
    });
  }

  async unlinkIdentity(accountId: string, key: IdentityKey, now: number, opts?: { clearPassword?: boolean }): Promise<UnlinkResult> {
    return this.transaction(async (c): Promise<UnlinkResult> => {
      // The row lock serialises unlinks of one account, so two cannot each remove "the other" identity.
      const account = (await c.query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE", [accountId])).rows[0] as Row | undefined;
      if (!account) return "not_linked";
      const held = (await c.query("SELECT provider, subject FROM identities WHERE account_id = $1", [accountId])).rows as Row[];
      if (!held.some((r) => r["provider"] === key.provider && r["subject"] === key.subject)) return "not_linked";
      if (held.length <= 1) return "last_identity";
      await c.query("DELETE FROM identities WHERE provider = $1 AND subject = $2 AND account_id = $3", [key.provider, key.subject, accountId]);
      if (opts?.clearPassword) await c.query("UPDATE accounts SET password_hash = NULL, update_time = $1 WHERE id = $2", [now, accountId]);
      else await c.query("UPDATE accounts SET update_time = $1 WHERE id = $2", [now, accountId]);
      return "unlinked";
    });
  }

  async createSession(s: SessionRow, usedIdentity?: IdentityKey): Promise<SessionCreation> {
    // Only for an existing account that is not disabled. FOR SHARE holds the account row until the
    // insert commits: a ban's UPDATE waits for it (and then revokes the new row), and an insert
    // that waited for a ban re-reads the banned row and writes nothing.
    // The identity signed in with gets its last use in the same statement (a data-modifying WITH):
    // no round trip or transaction more on the sign-in path.
    const insert = `INSERT INTO sessions (${SESSION_COLUMNS})
       SELECT $1::text, $2::text, $3::bigint, $4::bigint, $5::integer, $6::bigint, $7::text, $8::text, $9::bigint, $10::bigint, $11::bigint, $12::text, $13::text, $14::bigint, $15::text
       FROM accounts WHERE id = $2 AND disable_time IS NULL FOR SHARE`;
    const values = [
        s.id,
        s.accountId,
        s.createdAt,
        s.lastRefreshAt,
        s.generation,
        s.rotatedAt,
        s.username,
        JSON.stringify(s.vars),
        s.issuedAtSec,
        s.tokenExpiresAtSec,
        s.refreshExpiresAtSec,
        s.clientIp,
        s.userAgent,
        s.revokedAt,
        s.revokedReason,
    ];
    const inserted = usedIdentity
      ? await this.count(
          `WITH s AS (${insert} RETURNING account_id),
             u AS (UPDATE identities SET last_use_time = $3 WHERE provider = $16 AND subject = $17 AND account_id = (SELECT account_id FROM s))
           SELECT 1 FROM s`,
          [...values, usedIdentity.provider, usedIdentity.subject],
        )
      : await this.count(insert, values);
    if (inserted === 1) return "created";
    const account = (await this.query("SELECT disable_time FROM accounts WHERE id = $1", [s.accountId]))[0];
    return account === undefined ? "account_missing" : "account_disabled";
  }

  async getSession(id: string): Promise<SessionRow | undefined> {
    const row = (await this.query(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`, [id]))[0];
    return row ? toSession(row) : undefined;
  }

  async getSessionWithAccount(id: string): Promise<{ session: SessionRow; account: SessionAccount | undefined } | undefined> {
    const rows = await this.query(
      `SELECT ${S_SESSION_COLUMNS}, a.username AS account_username, a.disable_time AS account_disable_time
       FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.id = $1`,
      [id],
    );
    return rows[0] ? toSessionWithAccount(rows[0]) : undefined;
  }

  async rotateSession(id: string, fromGeneration: number, r: SessionRotation, now: number): Promise<boolean> {
    const changed = await this.count(
      `UPDATE sessions SET generation = $1, rotated_at = $2, username = $3, vars = $4, issued_at_sec = $5, token_expires_at_sec = $6,
         refresh_expires_at_sec = $7, client_ip = $8, user_agent = $9, last_refresh_at = $10
       WHERE id = $11 AND generation = $12 AND revoked_at IS NULL`,
      [r.generation, r.rotatedAt, r.username, JSON.stringify(r.vars), r.issuedAtSec, r.tokenExpiresAtSec, r.refreshExpiresAtSec, r.clientIp, r.userAgent, now, id, fromGeneration],
    );
    return changed === 1;
  }

  async revokeSession(id: string, reason: RevocationReason, now: number): Promise<boolean> {
    return (await this.count("UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL", [now, reason, id])) === 1;
  }

  async revokeAccountSessions(accountId: string, reason: RevocationReason, now: number, exceptId?: string): Promise<string[]> {
    // One statement: atomic, and RETURNING names exactly the rows this call revoked.
    const rows = await this.query(
      `UPDATE sessions SET revoked_at = $1, revoked_reason = $2
       WHERE account_id = $3 AND revoked_at IS NULL AND ($4::text IS NULL OR id <> $4::text) RETURNING id`,
      [now, reason, accountId, exceptId ?? null],
    );
    return rows.map((r) => r["id"] as string);
  }

  async listSessions(accountId: string, nowSec: number): Promise<SessionRow[]> {
    const rows = await this.query(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE account_id = $1 AND revoked_at IS NULL AND refresh_expires_at_sec > $2
       ORDER BY created_at DESC, id COLLATE "C"`,
      [accountId, nowSec],
    );
    return rows.map(toSession);
  }

  async purgeExpiredSessions(nowSec: number): Promise<number> {
    return this.count({ text: "DELETE FROM sessions WHERE refresh_expires_at_sec < $1", query_timeout: MAINTENANCE_TIMEOUT_MS }, [nowSec]);
  }

  async listRevokedSessions(since: number, after: RevokedSessionCursor | undefined, limit: number): Promise<RevokedSession[]> {
    // Without `after`, every row from `since` on: ids are never empty. COLLATE "C" orders ids
    // bytewise, as SQLite does, so pages continue the same way on both stores.
    const rows = await this.query(
      `SELECT id, account_id, revoked_at, revoked_reason FROM sessions
       WHERE revoked_at >= $1 AND (revoked_at > $2 OR (revoked_at = $2 AND id COLLATE "C" > $3))
       ORDER BY revoked_at, id COLLATE "C" LIMIT $4`,
      [since, after?.revokedAt ?? since, after?.id ?? "", limit],
    );
    return rows.map(toRevokedSession);
  }

  async ping(): Promise<void> {
    await this.query("SELECT 1", []);
  }

  async schemaVersion(): Promise<number> {
    const rows = await this.query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations", []);
    return rows[0]!["v"] as number;
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async query(sql: Statement, values: unknown[]): Promise<Row[]> {
    return (await this.run(sql, values)).rows as Row[];
  }

  private async count(sql: Statement, values: unknown[]): Promise<number> {
    return (await this.run(sql, values)).rowCount ?? 0;
  }

  /** One statement on the pool, prepared when it can be (prepared.ts), retried and translated. */
  private run(sql: Statement, values: unknown[]): Promise<pg.QueryResult> {
    const config = typeof sql === "string" ? statement(sql, values) : { ...sql, values };
    return retrying(() => this.pool.query(config));
  }

  private async oneAccount(sql: string, values: unknown[]): Promise<AccountRow | undefined> {
    const row = (await this.query(sql, values))[0];
    return row ? toAccount(row) : undefined;
  }

  /**
   * Runs `fn` in BEGIN … COMMIT on one pooled client; rolls back on any error; always releases.
   * A transaction that loses a serialization conflict or a deadlock runs again from the start.
   */
  private async transaction<T>(fn: (client: Queryable) => Promise<T>): Promise<T> {
    return retrying(() => this.transactionOnce(fn));
  }

  private async transactionOnce<T>(fn: (client: Queryable) => Promise<T>): Promise<T> {
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
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      if (isConnectionFailure(err)) broken = err as Error;
      else await client.query("ROLLBACK").catch((rollbackErr: unknown) => (broken = rollbackErr as Error));
      throw err;
    } finally {
      client.off("error", onError);
      // A client whose connection failed is destroyed rather than returned to the pool.
      client.release(broken);
    }
  }
}

/** Serialization failure and deadlock: the database rolled the work back; running it again is safe. */
const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);
/** SERIALIZABLE databases (CockroachDB) report conflicts that way under contention; give up after this many tries. */
const MAX_ATTEMPTS = 6;

/**
 * Runs `work` (one statement or one whole transaction) and translates its failure to the Store's
 * errors, trying again after a short random pause when the database reports a retryable conflict.
 */
async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== "string" || !RETRYABLE_SQLSTATES.has(code)) throw translate(err);
      if (attempt >= MAX_ATTEMPTS) {
        throw new StoreUnavailableError(`PostgreSQL: still conflicting with concurrent transactions after ${attempt} attempts (${messageOf(err)})`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const newest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => {
    broken = err;
  };
  client.on("error", onError);
  // Waiting for another node's migration, or building an index on a large table, may take long.
  const run = (text: string, values?: unknown[]) => client.query({ text, values, query_timeout: MAINTENANCE_TIMEOUT_MS } as pg.QueryConfig);
  let locked = false;
  try {
    // A session-level lock, taken before any transaction begins: a node that waited for another's
    // migrations then starts each transaction with a snapshot that sees them (also where
    // transactions are SERIALIZABLE, whose snapshot starts at their first statement).
    await run("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    locked = true;
    for (;;) {
      await run("BEGIN");
      try {
        await run(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        );
        const applied = new Set(((await run("SELECT version FROM schema_migrations")).rows as { version: number }[]).map((r) => r.version));
        const unknown = [...applied].filter((v) => v > newest);
        if (unknown.length > 0) {
          throw new StoreUnavailableError(`database schema version ${Math.max(...unknown)} is newer than this Tessera (${newest}); upgrade Tessera`);
        }
        const next = MIGRATIONS.find((m) => !applied.has(m.version));
        if (!next) {
          await run("COMMIT");
          return;
        }
        await run(next.sql);
        await run("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [next.version, next.name, Date.now()]);
        await run("COMMIT");
      } catch (err) {
        if (isConnectionFailure(err)) broken = err as Error;
        else await client.query("ROLLBACK").catch((rollbackErr: unknown) => (broken = rollbackErr as Error));
        throw err;
      }
    }
  } finally {
    // A broken connection is destroyed below, which ends its session and so its lock.
    if (locked && !broken) await run("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch((err: unknown) => (broken = err as Error));
    client.off("error", onError);
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

/** SQLSTATE classes and Node socket errors that mean "cannot talk to the database right now". */
const UNAVAILABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN"]);
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
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|not queryable|Cannot use a pool after calling end/i;

function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (code.startsWith("08") || code.startsWith("28")) return true; // connection exception; authorization
  }
  if (err instanceof AggregateError) return err.errors.some(isConnectionFailure);
  return UNAVAILABLE_MESSAGES.test(err.message);
}

/** Maps a pg error to the Store's errors; anything else (a bug) passes through unchanged. */
function translate(err: unknown): unknown {
  if (err instanceof StoreConflictError || err instanceof StoreUnavailableError) return err;
  const e = err as { code?: string; constraint?: string };
  if (e?.code === "23505") return new StoreConflictError(conflictField(e.constraint));
  if (isConnectionFailure(err)) return new StoreUnavailableError(`PostgreSQL unavailable: ${messageOf(err)}`, { cause: err });
  return err;
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

/** Runs `work`, naming `provider` on an identity conflict it raises (the constraint names only the table). */
async function withProvider<T>(provider: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StoreConflictError && err.field === "identity" && err.provider === undefined) throw new StoreConflictError("identity", provider);
    throw err;
  }
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(messageOf).join("; ");
  return err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
}

