/**
 * The embedded default Store: one SQLite file through better-sqlite3, in WAL mode. Calls are
 * synchronous underneath (fast, and each transaction atomic within the process); the async
 * signatures are the Store interface's. One process owns the file: several Tessera nodes need the
 * PostgreSQL store.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
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
import { IDENTITY_COLUMNS, identitiesFromJson, toAccount, toIdentity, toRevokedSession, toSession, toSessionWithAccount, type Row } from "../row-mapping.js";
import { SqlTicketStore } from "../sql-ticket-store.js";
import { SqlAdminStore } from "../sql-admin-store.js";
import type { AdminStore } from "../admin-store.js";
import type { TicketStore } from "../ticket-store.js";
import { SqliteExecutor } from "./sqlite-executor.js";
import { WalCheckpointer } from "./wal-checkpointer.js";
import type { Logger } from "../../shared/logger.js";

export interface SqliteStoreOptions {
  /** File path, or ":memory:" (tests of the store only). */
  path: string;
  synchronous?: "normal" | "full";
  /**
   * Checkpoint the write-ahead log on a worker thread (wal-checkpointer.ts) instead of on the
   * connection that commits: the server passes its logger; one-shot commands leave it out.
   */
  checkpoints?: { logger: Logger; intervalMs?: number; thresholdBytes?: number };
}

/** Pages in the write-ahead log past which the committing connection checkpoints (with a worker, only what it has not copied yet). */
const AUTOCHECKPOINT_PAGES = 10_000;


const ACCOUNT_PATCH_COLUMNS: Record<keyof AccountPatch, string> = {
  username: "username",
  displayName: "display_name",
  avatarUrl: "avatar_url",
  langTag: "lang_tag",
  location: "location",
  timezone: "timezone",
};

/** A write waiting for the next group commit, or a read waiting for the next read batch. */
interface QueuedWrite {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteStore["prepare"]>;
  private queue: QueuedWrite[] = [];
  private reads: QueuedWrite[] = [];
  /** The worker checkpointing the log, when `checkpoints` was given. */
  checkpointer: WalCheckpointer | undefined;
  readonly tickets: TicketStore;
  readonly admin: AdminStore;

  private constructor(db: Database.Database) {
    this.db = db;
    this.stmt = this.prepare();
    const executor = new SqliteExecutor(db, guard);
    this.tickets = new SqlTicketStore(executor);
    this.admin = new SqlAdminStore(executor, { bytewise: (column) => column });
  }

  /** Opens (creating if needed) the database file and applies pending migrations. */
  static open(options: SqliteStoreOptions): SqliteStore {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(options.path);
    } catch (err) {
      throw new StoreUnavailableError(`cannot open SQLite database ${options.path}: ${(err as Error).message}`, { cause: err });
    }
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    // Keep the hot B-tree pages (random keys such as device ids and usernames touch many) in
    // memory: 32 MiB held the throughput of account creation that 64 MiB had (docs/performance.md)
    // at half the memory. Checkpoint the WAL less often so a page written many times is copied
    // back to the database file once.
    db.pragma("cache_size = -32768");
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    db.pragma("temp_store = MEMORY");
    migrate(db);
    const store = new SqliteStore(db);
    const checkpoints = options.checkpoints;
    if (checkpoints && options.path !== ":memory:") {
      const synchronous = options.synchronous === "full" ? "FULL" : "NORMAL";
      store.checkpointer = new WalCheckpointer(options.path, { ...checkpoints, synchronous }, checkpoints.logger);
    }
    return store;
  }

  private prepare() {
    const db = this.db;
    return {
      insertAccount: db.prepare(
        `INSERT INTO accounts (id, username, password_hash, create_time, update_time) VALUES (@id, @username, @passwordHash, @createTime, @createTime)`,
      ),
      insertIdentity: db.prepare(
        `INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      // Insert, or refresh the account's own identity; no change: another account holds it.
      upsertIdentity: db.prepare(
        `INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (provider, subject) DO UPDATE SET profile = excluded.profile, last_use_time = excluded.last_use_time
         WHERE identities.account_id = excluded.account_id`,
      ),
      deleteOtherIdentities: db.prepare("DELETE FROM identities WHERE account_id = ? AND provider = ? AND subject <> ?"),
      identityOwner: db.prepare("SELECT account_id FROM identities WHERE provider = ? AND subject = ?"),
      accountById: db.prepare("SELECT * FROM accounts WHERE id = ?"),
      accountByUsername: db.prepare("SELECT * FROM accounts WHERE username = ?"),
      accountByIdentity: db.prepare("SELECT a.* FROM identities i JOIN accounts a ON a.id = i.account_id WHERE i.provider = ? AND i.subject = ?"),
      identitiesOf: db.prepare(`SELECT ${IDENTITY_COLUMNS} FROM identities WHERE account_id = ? ORDER BY seq`),
      accountWithIdentities: db.prepare(
        `SELECT a.*, (SELECT json_group_array(json_array(provider, subject, create_time, last_use_time, profile))
           FROM (SELECT provider, subject, create_time, last_use_time, profile FROM identities WHERE account_id = a.id ORDER BY seq)) AS identities
         FROM accounts a WHERE a.id = ?`,
      ),
      countIdentities: db.prepare("SELECT COUNT(*) AS n FROM identities WHERE account_id = ?"),
      deleteIdentity: db.prepare("DELETE FROM identities WHERE provider = ? AND subject = ? AND account_id = ?"),
      touchIdentity: db.prepare("UPDATE identities SET last_use_time = ? WHERE provider = ? AND subject = ? AND account_id = ?"),
      touchAccount: db.prepare("UPDATE accounts SET update_time = ? WHERE id = ?"),
      setPassword: db.prepare("UPDATE accounts SET password_hash = ?, update_time = ? WHERE id = ?"),
      deleteAccount: db.prepare("DELETE FROM accounts WHERE id = ?"),
      setDisableTime: db.prepare("UPDATE accounts SET disable_time = ?, ban_kind = ?, ban_reason = ?, update_time = ? WHERE id = ?"),
      // Only for an existing account that is not disabled, checked by the insert itself.
      insertSession: db.prepare(
        `INSERT INTO sessions (id, account_id, created_at, last_refresh_at, generation, rotated_at, username, vars,
           issued_at_sec, token_expires_at_sec, refresh_expires_at_sec, client_ip, user_agent, revoked_at, revoked_reason)
         SELECT @id, @accountId, @createdAt, @lastRefreshAt, @generation, @rotatedAt, @username, @vars,
           @issuedAtSec, @tokenExpiresAtSec, @refreshExpiresAtSec, @clientIp, @userAgent, @revokedAt, @revokedReason
         FROM accounts WHERE id = @accountId AND disable_time IS NULL`,
      ),
      sessionById: db.prepare("SELECT * FROM sessions WHERE id = ?"),
      sessionWithAccount: db.prepare(
        `SELECT s.*, a.username AS account_username, a.disable_time AS account_disable_time
         FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.id = ?`,
      ),
      accountDisabled: db.prepare("SELECT disable_time IS NOT NULL AS disabled FROM accounts WHERE id = ?"),
      rotateSession: db.prepare(
        `UPDATE sessions SET generation = @generation, rotated_at = @rotatedAt, username = @username, vars = @vars,
           issued_at_sec = @issuedAtSec, token_expires_at_sec = @tokenExpiresAtSec, refresh_expires_at_sec = @refreshExpiresAtSec,
           client_ip = @clientIp, user_agent = @userAgent, last_refresh_at = @now
         WHERE id = @id AND generation = @fromGeneration AND revoked_at IS NULL`,
      ),
      revokeSession: db.prepare("UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL"),
      liveSessionIds: db.prepare("SELECT id FROM sessions WHERE account_id = ? AND revoked_at IS NULL"),
      listSessions: db.prepare(
        "SELECT * FROM sessions WHERE account_id = ? AND revoked_at IS NULL AND refresh_expires_at_sec > ? ORDER BY created_at DESC, id",
      ),
      purgeSessions: db.prepare("DELETE FROM sessions WHERE refresh_expires_at_sec < ?"),
      revokedSince: db.prepare(
        `SELECT id, account_id, revoked_at, revoked_reason FROM sessions
         WHERE revoked_at >= @since AND (revoked_at > @fromAt OR (revoked_at = @fromAt AND id > @fromId))
         ORDER BY revoked_at, id LIMIT @limit`,
      ),
      ping: db.prepare("SELECT 1"),
      schemaVersion: db.prepare("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations"),
      begin: db.prepare("BEGIN"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
      savepoint: db.prepare("SAVEPOINT queued_write"),
      release: db.prepare("RELEASE queued_write"),
      rollbackTo: db.prepare("ROLLBACK TO queued_write"),
    };
  }

  /**
   * Group commit for the hot writes (sign-in, refresh, logout). Writes queued in the same turn of
   * the event loop run in ONE transaction, each inside its own savepoint so a failing write (a
   * unique conflict) is undone alone; every promise settles only after the COMMIT, so an answered
   * write is durable exactly as before. One commit per batch instead of one per write is what
   * makes a sign-in storm cheap: the commit, not the insert, is most of a write's cost.
   */
  private write<T>(op: () => T): Promise<T> {
    return enqueue(this.queue, () => this.flush(), op);
  }

  /**
   * Reads are batched too: reads asked for in one turn of the event loop run in ONE read
   * transaction. In WAL mode a statement outside a transaction opens and closes its own read
   * transaction, and each of those takes and releases file locks on the database and its shared
   * memory (system calls, the larger part of a primary-key read here); one transaction per batch
   * pays that once. A read still sees every write answered before it was asked (those committed).
   */
  private read<T>(op: () => T): Promise<T> {
    return enqueue(this.reads, () => this.flushReads(), op);
  }

  private flushReads(): void {
    const batch = this.reads;
    this.reads = [];
    if (!this.db.open) {
      for (const r of batch) r.reject(new StoreUnavailableError("the SQLite database is closed"));
      return;
    }
    // Inside a transaction someone else opened (a multi-statement one of the executor), the reads
    // simply run in it, as a single statement would.
    const own = !this.db.inTransaction;
    try {
      if (own) this.stmt.begin.run();
    } catch (error) {
      for (const r of batch) r.reject(error);
      return;
    }
    // Promises settle after this function returns (microtasks), so nothing runs inside the transaction but the reads.
    for (const r of batch) {
      try {
        r.resolve(guard(r.op));
      } catch (error) {
        r.reject(error);
      }
    }
    // Ending a read-only transaction releases its locks; it has nothing to write and cannot fail for lack of space.
    if (own && this.db.inTransaction) this.stmt.commit.run();
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0 || !this.db.open) {
      for (const w of batch) w.reject(new StoreUnavailableError("the SQLite database is closed"));
      return;
    }
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.stmt.begin.run();
      for (const w of batch) {
        this.stmt.savepoint.run();
        try {
          results.push({ ok: true, value: w.op() });
          this.stmt.release.run();
        } catch (error) {
          this.stmt.rollbackTo.run();
          this.stmt.release.run();
          results.push({ ok: false, error });
        }
      }
      this.stmt.commit.run();
    } catch (error) {
      // The transaction itself failed (disk full, I/O error): nothing of the batch was written.
      if (this.db.inTransaction) this.stmt.rollback.run();
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i]!;
      if (r.ok) w.resolve(r.value);
      else w.reject(r.error);
    });
  }

  async createAccount(account: NewAccount, identity: NewIdentity | undefined): Promise<AccountRow> {
    // Inside write()'s savepoint: an identity conflict after the account insert undoes both.
    return this.write(() =>
      guard(() => {
        this.stmt.insertAccount.run({ id: account.id, username: account.username, passwordHash: account.passwordHash ?? null, createTime: account.createTime });
        if (identity) {
          const { provider, subject, profile } = identity;
          withProvider(provider, () => this.stmt.insertIdentity.run(provider, subject, account.id, account.createTime, account.createTime, JSON.stringify(profile)));
        }
        return toAccount(this.stmt.accountById.get(account.id) as Row);
      }),
    );
  }

  async getAccount(id: string): Promise<AccountRow | undefined> {
    return this.read(() => optionalAccount(this.stmt.accountById.get(id)));
  }

  async findAccountByIdentity(key: IdentityKey): Promise<AccountRow | undefined> {
    return this.read(() => optionalAccount(this.stmt.accountByIdentity.get(key.provider, key.subject)));
  }

  async findAccountByUsername(username: string): Promise<AccountRow | undefined> {
    return this.read(() => optionalAccount(this.stmt.accountByUsername.get(username)));
  }

  async getAccountWithIdentities(id: string): Promise<{ account: AccountRow; identities: IdentityRow[] } | undefined> {
    const row = await this.read(() => this.stmt.accountWithIdentities.get(id) as Row | undefined);
    return row ? { account: toAccount(row), identities: identitiesFromJson(id, row["identities"]) } : undefined;
  }

  async listIdentities(accountId: string): Promise<IdentityRow[]> {
    return (await this.read(() => this.stmt.identitiesOf.all(accountId) as Row[])).map(toIdentity);
  }

  async updateAccount(id: string, patch: AccountPatch, now: number): Promise<boolean> {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, column] of Object.entries(ACCOUNT_PATCH_COLUMNS) as [keyof AccountPatch, string][]) {
      const value = patch[key];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      values.push(key === "username" || key === "langTag" ? value : value === "" ? null : value);
    }
    sets.push("update_time = ?");
    values.push(now, id);
    return guard(() => this.db.prepare(`UPDATE accounts SET ${sets.join(", ")} WHERE id = ?`).run(...values).changes === 1);
  }

  async deleteAccount(id: string): Promise<boolean> {
    // Identities and sessions go with it (ON DELETE CASCADE); a missing session row rejects its tokens.
    return this.stmt.deleteAccount.run(id).changes === 1;
  }

  async setDisableTime(id: string, disableTime: number | null, now: number, ban?: Ban): Promise<boolean> {
    return this.stmt.setDisableTime.run(disableTime, ban?.kind ?? null, ban?.reason ?? null, now, id).changes === 1;
  }

  async linkIdentity(accountId: string, identity: NewIdentity, opts: { replace: boolean; passwordHash?: string | null }, now: number): Promise<void> {
    const { provider, subject } = identity;
    const link = this.db.transaction(() => {
      // First the identity itself: if another account holds it, nothing else of the link happens.
      const changed = this.stmt.upsertIdentity.run(provider, subject, accountId, now, now, JSON.stringify(identity.profile)).changes;
      if (changed === 0) throw new StoreConflictError("identity", provider);
      if (opts.replace) this.stmt.deleteOtherIdentities.run(accountId, provider, subject);
      if (opts.passwordHash !== undefined) this.stmt.setPassword.run(opts.passwordHash, now, accountId);
      else this.stmt.touchAccount.run(now, accountId);
    });
    guard(() => withProvider(provider, link));
  }

  async unlinkIdentity(accountId: string, key: IdentityKey, now: number, opts?: { clearPassword?: boolean }): Promise<UnlinkResult> {
    const unlink = this.db.transaction((): UnlinkResult => {
      const owner = this.stmt.identityOwner.get(key.provider, key.subject) as Row | undefined;
      if (owner?.["account_id"] !== accountId) return "not_linked";
      if ((this.stmt.countIdentities.get(accountId) as { n: number }).n <= 1) return "last_identity";
      this.stmt.deleteIdentity.run(key.provider, key.subject, accountId);
      if (opts?.clearPassword) this.stmt.setPassword.run(null, now, accountId);
      else this.stmt.touchAccount.run(now, accountId);
      return "unlinked";
    });
    return guard(() => unlink());
  }

  async createSession(s: SessionRow, usedIdentity?: IdentityKey): Promise<SessionCreation> {
    return this.write(() =>
      guard((): SessionCreation => {
        if (this.stmt.insertSession.run({ ...s, vars: JSON.stringify(s.vars) }).changes === 1) {
          // In the same savepoint and group commit as the session: no transaction of its own.
          if (usedIdentity) this.stmt.touchIdentity.run(s.createdAt, usedIdentity.provider, usedIdentity.subject, s.accountId);
          return "created";
        }
        const account = this.stmt.accountDisabled.get(s.accountId) as Row | undefined;
        return account === undefined ? "account_missing" : "account_disabled";
      }),
    );
  }

  async getSession(id: string): Promise<SessionRow | undefined> {
    const row = await this.read(() => this.stmt.sessionById.get(id) as Row | undefined);
    return row ? toSession(row) : undefined;
  }

  async getSessionWithAccount(id: string): Promise<{ session: SessionRow; account: SessionAccount | undefined } | undefined> {
    const row = await this.read(() => this.stmt.sessionWithAccount.get(id) as Row | undefined);
    return row ? toSessionWithAccount(row) : undefined;
  }

  async rotateSession(id: string, fromGeneration: number, r: SessionRotation, now: number): Promise<boolean> {
    const params = { ...r, vars: JSON.stringify(r.vars), id, fromGeneration, now };
    return this.write(() => this.stmt.rotateSession.run(params).changes === 1);
  }

  async revokeSession(id: string, reason: RevocationReason, now: number): Promise<boolean> {
    return this.write(() => this.stmt.revokeSession.run(now, reason, id).changes === 1);
  }

  async revokeAccountSessions(accountId: string, reason: RevocationReason, now: number, exceptId?: string): Promise<string[]> {
    const revoke = this.db.transaction(() => {
      const ids = (this.stmt.liveSessionIds.all(accountId) as Row[]).map((r) => r["id"] as string).filter((id) => id !== exceptId);
      for (const id of ids) this.stmt.revokeSession.run(now, reason, id);
      return ids;
    });
    return revoke();
  }

  async listSessions(accountId: string, nowSec: number): Promise<SessionRow[]> {
    return (await this.read(() => this.stmt.listSessions.all(accountId, nowSec) as Row[])).map(toSession);
  }

  async purgeExpiredSessions(nowSec: number): Promise<number> {
    return this.stmt.purgeSessions.run(nowSec).changes;
  }

  async listRevokedSessions(since: number, after: RevokedSessionCursor | undefined, limit: number): Promise<RevokedSession[]> {
    // Without `after`, every row from `since` on: ids are never empty.
    const rows = this.stmt.revokedSince.all({ since, fromAt: after?.revokedAt ?? since, fromId: after?.id ?? "", limit }) as Row[];
    return rows.map(toRevokedSession);
  }

  async ping(): Promise<void> {
    if (!this.db.open) throw new StoreUnavailableError("the SQLite database is closed");
    try {
      this.stmt.ping.get();
    } catch (err) {
      throw new StoreUnavailableError(`SQLite unavailable: ${(err as Error).message}`, { cause: err });
    }
  }

  async schemaVersion(): Promise<number> {
    return (this.stmt.schemaVersion.get() as { v: number }).v;
  }

  /** Runs SQLite's own consistency check; "ok" when the file is sound. */
  integrityCheck(): string {
    return this.db.pragma("integrity_check", { simple: true }) as string;
  }

  async close(): Promise<void> {
    if (this.queue.length > 0) this.flush();
    if (this.reads.length > 0) this.flushReads();
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT");
  const applied = new Set((db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version));
  const newest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  const unknown = [...applied].filter((v) => v > newest);
  if (unknown.length > 0) {
    throw new StoreUnavailableError(`database schema version ${Math.max(...unknown)} is newer than this Tessera (${newest}); upgrade Tessera`);
  }
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, Date.now());
    })();
  }
}

/** Translates SQLite constraint errors into StoreConflictError, a closed database into StoreUnavailableError. */
/** Queues `op`; the first one queued in a turn of the event loop schedules `flush` for the end of that turn. */
function enqueue<T>(queue: QueuedWrite[], flush: () => void, op: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
    if (queue.length === 1) setImmediate(flush);
  });
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    // better-sqlite3's error for any statement on a closed connection: a 503, not a 500.
    if (err instanceof TypeError && e.message === "The database connection is not open") throw new StoreUnavailableError("the SQLite database is closed", { cause: err });
    if (e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
      const m = e.message ?? "";
      if (m.includes("accounts.username")) throw new StoreConflictError("username");
      if (m.includes("identities.provider, identities.subject")) throw new StoreConflictError("identity");
      if (m.includes("auth_tickets.account_id, auth_tickets.handle")) throw new StoreConflictError("ticket_handle");
      if (m.includes("auth_sessions.validator_session_id, auth_sessions.user_id")) throw new StoreConflictError("auth_session");
      if (m.includes("game_servers.")) throw new StoreConflictError("game_server");
      throw new StoreConflictError("id");
    }
    throw err;
  }
}

/** Runs `fn`, naming `provider` on an identity conflict it raises (SQLite's message names only the columns). */
function withProvider<T>(provider: string, fn: () => T): T {
  try {
    return guard(fn);
  } catch (err) {
    if (err instanceof StoreConflictError && err.field === "identity" && err.provider === undefined) throw new StoreConflictError("identity", provider);
    throw err;
  }
}

function optionalAccount(row: unknown): AccountRow | undefined {
  return row ? toAccount(row as Row) : undefined;
}
