/**
 * The Store's account, identity and session operations, written once in portable SQL over a
 * backend's SqlExecutor and SqlDialect (the ticket and admin parts are `sql-ticket-store.ts` and
 * `sql-admin-store.ts`). A backend's store (`sqlite/sqlite-store.ts`, `postgres/postgres-store.ts`)
 * only opens its database, builds this with its executor and dialect, and closes it. Every
 * statement names its columns, so PostgreSQL prepares each one and a migration that adds a column
 * changes no statement's result.
 */
import type { AdminStore } from "./admin-store.js";
import {
  A_ACCOUNT_COLUMNS,
  ACCOUNT_COLUMNS,
  IDENTITY_COLUMNS,
  S_SESSION_COLUMNS,
  SESSION_COLUMNS,
  identitiesFromJson,
  num,
  toAccount,
  toIdentity,
  toRevokedSession,
  toSession,
  toSessionWithAccount,
  type Row,
} from "./row-mapping.js";
import { SqlAdminStore } from "./sql-admin-store.js";
import { SqlCodeLinkStore } from "./sql-code-link-store.js";
import type { CodeLinkStore } from "./code-link-store.js";
import type { SqlDialect } from "./sql-dialect.js";
import type { SqlExecutor } from "./sql-executor.js";
import { SqlTicketStore } from "./sql-ticket-store.js";
import {
  StoreConflictError,
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
} from "./store.js";
import type { TicketStore } from "./ticket-store.js";

const ACCOUNT_PATCH_COLUMNS: Record<keyof AccountPatch, string> = {
  username: "username",
  displayName: "display_name",
  avatarUrl: "avatar_url",
  langTag: "lang_tag",
  location: "location",
  timezone: "timezone",
};

const INSERT_IDENTITY = "INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile) VALUES (?, ?, ?, ?, ?, ?)";
const TOUCH_ACCOUNT = "UPDATE accounts SET update_time = ? WHERE id = ?";
const SET_PASSWORD = "UPDATE accounts SET password_hash = ?, update_time = ? WHERE id = ?";

/**
 * The fixed statements, built once: the executors key their prepared statements by text, and a
 * text built on every call would be hashed again on every call.
 */
const SQL = {
  insertAccount: `INSERT INTO accounts (id, username, password_hash, create_time, update_time) VALUES (?, ?, ?, ?, ?) RETURNING ${ACCOUNT_COLUMNS}`,
  accountById: `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`,
  accountByUsername: `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE username = ?`,
  accountByIdentity: `SELECT ${A_ACCOUNT_COLUMNS} FROM identities i JOIN accounts a ON a.id = i.account_id WHERE i.provider = ? AND i.subject = ?`,
  identitiesOf: `SELECT ${IDENTITY_COLUMNS} FROM identities WHERE account_id = ? ORDER BY seq`,
  // Insert, or refresh the account's own identity; no row changed: another account holds it.
  upsertIdentity: `${INSERT_IDENTITY}
    ON CONFLICT (provider, subject) DO UPDATE SET profile = excluded.profile, last_use_time = excluded.last_use_time
    WHERE identities.account_id = excluded.account_id`,
  sessionById: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`,
  sessionWithAccount: `SELECT ${S_SESSION_COLUMNS}, a.username AS account_username, a.disable_time AS account_disable_time
    FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.id = ?`,
};

/** The SQL the dialect changes, built once per store. */
interface Statements {
  /** A new session, only for an existing account that is not disabled (checked by the insert itself). */
  insertSession: string;
  /** The account row, locked until the transaction ends (serialises the unlinks of one account). */
  lockAccount: string;
  /** The account with its identities in one row (`GET /v2/account`). */
  accountWithIdentities: string;
  listSessions: string;
  revokedSince: string;
  /** With `dataModifyingWith`: the account and its first identity in one statement (`insertAccount`'s values, then the identity's). */
  insertAccountWithIdentity: string | undefined;
  /** With `dataModifyingWith`: `insertSession` and the last use of the identity signed in with, in one statement. */
  insertSessionUsingIdentity: string | undefined;
}

function statements(d: SqlDialect): Statements {
  const insertSession = `INSERT INTO sessions (${SESSION_COLUMNS})
       SELECT CAST(? AS TEXT), id, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT),
         CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT)
       FROM accounts WHERE id = ? AND disable_time IS NULL${d.lockForShare}`;
  return {
    // The values are cast so PostgreSQL knows their types in a SELECT list. The shared lock holds
    // the account row until the insert commits: a ban's UPDATE waits for it (and then revokes the
    // new row), and an insert that waited for a ban re-reads the banned row and writes nothing.
    insertSession,
    lockAccount: `SELECT id FROM accounts WHERE id = ?${d.lockForUpdate}`,
    accountWithIdentities: `SELECT ${A_ACCOUNT_COLUMNS}, ${d.identitiesJson} AS identities FROM accounts a WHERE a.id = ?`,
    listSessions: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE account_id = ? AND revoked_at IS NULL AND refresh_expires_at_sec > ?
       ORDER BY created_at DESC, ${d.bytewise("id")}`,
    // Ids compared and ordered bytewise, so pages continue the same way on every backend.
    revokedSince: `SELECT id, account_id, revoked_at, revoked_reason FROM sessions
       WHERE revoked_at >= ? AND (revoked_at > ? OR (revoked_at = ? AND ${d.bytewise("id")} > ?))
       ORDER BY revoked_at, ${d.bytewise("id")} LIMIT ?`,
    insertAccountWithIdentity: d.dataModifyingWith
      ? `WITH a AS (${SQL.insertAccount}),
           i AS (INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile) SELECT ?, ?, id, ?, ?, ? FROM a)
         SELECT ${ACCOUNT_COLUMNS} FROM a`
      : undefined,
    insertSessionUsingIdentity: d.dataModifyingWith
      ? `WITH s AS (${insertSession} RETURNING account_id),
           u AS (UPDATE identities SET last_use_time = ? WHERE provider = ? AND subject = ? AND account_id = (SELECT account_id FROM s))
         SELECT account_id FROM s`
      : undefined,
  };
}

export abstract class SqlStore implements Store {
  readonly tickets: TicketStore;
  readonly admin: AdminStore;
  readonly codeLinks: CodeLinkStore;
  private readonly statements: Statements;

  protected constructor(
    private readonly sql: SqlExecutor,
    dialect: SqlDialect,
  ) {
    this.tickets = new SqlTicketStore(sql);
    this.admin = new SqlAdminStore(sql, dialect);
    this.codeLinks = new SqlCodeLinkStore(sql);
    this.statements = statements(dialect);
  }

  abstract close(): Promise<void>;

  async createAccount(account: NewAccount, identity: NewIdentity | undefined): Promise<AccountRow> {
    const insert = SQL.insertAccount;
    const values = [account.id, account.username, account.passwordHash ?? null, account.createTime, account.createTime];
    if (!identity) return toAccount((await this.sql.all(insert, values))[0]!);
    const { provider, subject, profile } = identity;
    const identityValues = [provider, subject, account.createTime, account.createTime, JSON.stringify(profile)];
    const oneStatement = this.statements.insertAccountWithIdentity;
    if (oneStatement) return withProvider(provider, async () => toAccount((await this.sql.all(oneStatement, [...values, ...identityValues]))[0]!));
    // An identity conflict after the account's insert undoes both.
    return withProvider(provider, () =>
      this.sql.transaction(async (tx) => {
        const row = (await tx.all(insert, values))[0]!;
        await tx.run(INSERT_IDENTITY, [provider, subject, account.id, account.createTime, account.createTime, JSON.stringify(profile)]);
        return toAccount(row);
      }),
    );
  }

  async getAccount(id: string): Promise<AccountRow | undefined> {
    return optionalAccount(await this.sql.get(SQL.accountById, [id]));
  }

  async findAccountByIdentity(key: IdentityKey): Promise<AccountRow | undefined> {
    return optionalAccount(await this.sql.get(SQL.accountByIdentity, [key.provider, key.subject]));
  }

  async findAccountByUsername(username: string): Promise<AccountRow | undefined> {
    return optionalAccount(await this.sql.get(SQL.accountByUsername, [username]));
  }

  async listIdentities(accountId: string): Promise<IdentityRow[]> {
    return (await this.sql.all(SQL.identitiesOf, [accountId])).map(toIdentity);
  }

  async getAccountWithIdentities(id: string): Promise<{ account: AccountRow; identities: IdentityRow[] } | undefined> {
    const row = await this.sql.get(this.statements.accountWithIdentities, [id]);
    return row ? { account: toAccount(row), identities: identitiesFromJson(id, row["identities"]) } : undefined;
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
    return (await this.sql.run(`UPDATE accounts SET ${sets.join(", ")} WHERE id = ?`, values)) === 1;
  }

  async deleteAccount(id: string): Promise<boolean> {
    // Identities and sessions go with it (ON DELETE CASCADE); a missing session row rejects its tokens.
    return (await this.sql.run("DELETE FROM accounts WHERE id = ?", [id])) === 1;
  }

  async setDisableTime(id: string, disableTime: number | null, now: number, ban?: Ban): Promise<boolean> {
    const sql = "UPDATE accounts SET disable_time = ?, ban_kind = ?, ban_reason = ?, update_time = ? WHERE id = ?";
    return (await this.sql.run(sql, [disableTime, ban?.kind ?? null, ban?.reason ?? null, now, id])) === 1;
  }

  async linkIdentity(accountId: string, identity: NewIdentity, opts: { replace: boolean; passwordHash?: string | null }, now: number): Promise<void> {
    const { provider, subject } = identity;
    await withProvider(provider, () =>
      this.sql.transaction(async (tx) => {
        // No window between a check and the insert, and nothing else of the link happens when another account holds it.
        const changed = await tx.run(SQL.upsertIdentity, [provider, subject, accountId, now, now, JSON.stringify(identity.profile)]);
        if (changed === 0) throw new StoreConflictError("identity", provider);
        if (opts.replace) await tx.run("DELETE FROM identities WHERE account_id = ? AND provider = ? AND subject <> ?", [accountId, provider, subject]);
        if (opts.passwordHash !== undefined) await tx.run(SET_PASSWORD, [opts.passwordHash, now, accountId]);
        else await tx.run(TOUCH_ACCOUNT, [now, accountId]);
      }),
    );
  }

  async unlinkIdentity(accountId: string, key: IdentityKey, now: number, opts?: { clearPassword?: boolean }): Promise<UnlinkResult> {
    return this.sql.transaction(async (tx): Promise<UnlinkResult> => {
      // The row lock serialises unlinks of one account, so two cannot each remove "the other" identity.
      if ((await tx.all(this.statements.lockAccount, [accountId])).length === 0) return "not_linked";
      const held = await tx.all("SELECT provider, subject FROM identities WHERE account_id = ?", [accountId]);
      if (!held.some((r) => r["provider"] === key.provider && r["subject"] === key.subject)) return "not_linked";
      if (held.length <= 1) return "last_identity";
      await tx.run("DELETE FROM identities WHERE provider = ? AND subject = ? AND account_id = ?", [key.provider, key.subject, accountId]);
      if (opts?.clearPassword) await tx.run("UPDATE accounts SET password_hash = NULL, update_time = ? WHERE id = ?", [now, accountId]);
      else await tx.run(TOUCH_ACCOUNT, [now, accountId]);
      return "unlinked";
    });
  }

  async createSession(s: SessionRow, usedIdentity?: IdentityKey): Promise<SessionCreation> {
    const values = [
      s.id,
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
      s.accountId,
    ];
    const oneStatement = this.statements.insertSessionUsingIdentity;
    const inserted = !usedIdentity
      ? await this.sql.run(this.statements.insertSession, values)
      : oneStatement
        ? (await this.sql.all(oneStatement, [...values, s.createdAt, usedIdentity.provider, usedIdentity.subject])).length
        : await this.sql.transaction(async (tx) => {
            const n = await tx.run(this.statements.insertSession, values);
            // The identity signed in with gets its last use in the same transaction as the session.
            if (n === 1)
              await tx.run("UPDATE identities SET last_use_time = ? WHERE provider = ? AND subject = ? AND account_id = ?", [
                s.createdAt,
                usedIdentity.provider,
                usedIdentity.subject,
                s.accountId,
              ]);
            return n;
          });
    if (inserted === 1) return "created";
    const account = await this.sql.all("SELECT disable_time FROM accounts WHERE id = ?", [s.accountId]);
    return account.length === 0 ? "account_missing" : "account_disabled";
  }

  async getSession(id: string): Promise<SessionRow | undefined> {
    const row = await this.sql.get(SQL.sessionById, [id]);
    return row ? toSession(row) : undefined;
  }

  async getSessionWithAccount(id: string): Promise<{ session: SessionRow; account: SessionAccount | undefined } | undefined> {
    const row = await this.sql.get(SQL.sessionWithAccount, [id]);
    return row ? toSessionWithAccount(row) : undefined;
  }

  async rotateSession(id: string, fromGeneration: number, r: SessionRotation, now: number): Promise<boolean> {
    // Compare-and-swap: of concurrent rotations from one generation, on any node, exactly one changes the row.
    const changed = await this.sql.run(
      `UPDATE sessions SET generation = ?, rotated_at = ?, username = ?, vars = ?, issued_at_sec = ?, token_expires_at_sec = ?,
         refresh_expires_at_sec = ?, client_ip = ?, user_agent = ?, last_refresh_at = ?
       WHERE id = ? AND generation = ? AND revoked_at IS NULL`,
      [
        r.generation,
        r.rotatedAt,
        r.username,
        JSON.stringify(r.vars),
        r.issuedAtSec,
        r.tokenExpiresAtSec,
        r.refreshExpiresAtSec,
        r.clientIp,
        r.userAgent,
        now,
        id,
        fromGeneration,
      ],
    );
    return changed === 1;
  }

  async revokeSession(id: string, reason: RevocationReason, now: number): Promise<boolean> {
    return (await this.sql.run("UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL", [now, reason, id])) === 1;
  }

  async revokeAccountSessions(accountId: string, reason: RevocationReason, now: number, exceptId?: string): Promise<string[]> {
    // One statement: atomic, and RETURNING names exactly the rows this call revoked.
    const rows = await this.sql.all(
      `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
       WHERE account_id = ? AND revoked_at IS NULL AND (CAST(? AS TEXT) IS NULL OR id <> CAST(? AS TEXT)) RETURNING id`,
      [now, reason, accountId, exceptId ?? null, exceptId ?? null],
    );
    return rows.map((r) => r["id"] as string);
  }

  async listSessions(accountId: string, nowSec: number): Promise<SessionRow[]> {
    return (await this.sql.all(this.statements.listSessions, [accountId, nowSec])).map(toSession);
  }

  async purgeExpiredSessions(nowSec: number): Promise<number> {
    return this.sql.run("DELETE FROM sessions WHERE refresh_expires_at_sec < ?", [nowSec], { maintenance: true });
  }

  async listRevokedSessions(since: number, after: RevokedSessionCursor | undefined, limit: number): Promise<RevokedSession[]> {
    // Without `after`, every row from `since` on: ids are never empty.
    const fromAt = after?.revokedAt ?? since;
    const rows = await this.sql.all(this.statements.revokedSince, [since, fromAt, fromAt, after?.id ?? "", limit]);
    return rows.map(toRevokedSession);
  }

  async ping(): Promise<void> {
    await this.sql.get("SELECT 1 AS one");
  }

  async schemaVersion(): Promise<number> {
    const row = await this.sql.get("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations");
    return num(row?.["v"] ?? 0);
  }
}

function optionalAccount(row: Row | undefined): AccountRow | undefined {
  return row ? toAccount(row) : undefined;
}

/** Runs `work`, naming `provider` on an identity conflict it raises (the database names only the columns or the constraint). */
async function withProvider<T>(provider: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StoreConflictError && err.field === "identity" && err.provider === undefined) throw new StoreConflictError("identity", provider);
    throw err;
  }
}
