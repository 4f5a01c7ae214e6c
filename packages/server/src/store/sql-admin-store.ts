/**
 * The AdminStore in portable SQL, run by either backend's SqlExecutor. Prefix searches are index
 * range scans (`col >= prefix AND col < successor(prefix)`), which need the column compared
 * bytewise: SQLite's default, PostgreSQL's `COLLATE "C"` (the one dialect difference, passed in).
 * Audit events are appended one statement per row inside one transaction, so every batch reuses
 * the same prepared statement.
 */
import { A_ACCOUNT_COLUMNS, IDENTITY_COLUMNS, num, numOrNull, toAccount, toIdentity, type Row } from "./row-mapping.js";
import type { SqlDialect } from "./sql-dialect.js";
import type { SqlExecutor } from "./sql-executor.js";
import { StoreConflictError, type AccountRow, type IdentityRow } from "./store.js";
import type {
  AccountListCursor,
  AccountSearchField,
  AccountSearch,
  AccountSearchHit,
  ActivityCount,
  AdminStore,
  AuditActorType,
  AuditEventRow,
  AuditQuery,
  ConsoleRole,
  ConsoleSessionRow,
  ConsoleUserPatch,
  ConsoleUserRow,
} from "./admin-store.js";

function toConsoleUser(r: Row, prefix = ""): ConsoleUserRow {
  return {
    id: r[prefix + "id"] as string,
    username: r[prefix + "username"] as string,
    passwordHash: r[prefix + "password_hash"] as string,
    role: r[prefix + "role"] as ConsoleRole,
    createdAt: num(r[prefix + "created_at"]),
    updatedAt: num(r[prefix + "updated_at"]),
    disabledAt: numOrNull(r[prefix + "disabled_at"]),
    lastSignInAt: numOrNull(r[prefix + "last_sign_in_at"]),
  };
}

function toConsoleSession(r: Row): ConsoleSessionRow {
  return {
    id: r["id"] as string,
    tokenHash: r["token_hash"] as string,
    userId: r["user_id"] as string,
    createdAt: num(r["created_at"]),
    expiresAt: num(r["expires_at"]),
    clientIp: (r["client_ip"] as string | null) ?? null,
    userAgent: (r["user_agent"] as string | null) ?? null,
  };
}

function toAuditEvent(r: Row): AuditEventRow {
  return {
    id: r["id"] as string,
    time: num(r["time"]),
    kind: r["kind"] as string,
    actorType: r["actor_type"] as AuditActorType,
    actorId: (r["actor_id"] as string | null) ?? null,
    userId: (r["user_id"] as string | null) ?? null,
    ip: (r["ip"] as string | null) ?? null,
    details: r["details"] as string,
  };
}

/**
 * The smallest string greater than every string that starts with `prefix`, bytewise (UTF-8 byte
 * order is code point order): the last code point incremented, skipping the surrogate range.
 * Undefined when there is none (an empty prefix, or one of only U+10FFFF).
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const points = [...prefix].map((c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return String.fromCodePoint(...points, next);
    }
  }
  return undefined;
}

const CONSOLE_SESSION_JOIN = `SELECT s.id, s.token_hash, s.user_id, s.created_at, s.expires_at, s.client_ip, s.user_agent, u.id AS u_id, u.username AS u_username, u.password_hash AS u_password_hash, u.role AS u_role,
  u.created_at AS u_created_at, u.updated_at AS u_updated_at, u.disabled_at AS u_disabled_at, u.last_sign_in_at AS u_last_sign_in_at
  FROM console_sessions s JOIN console_users u ON u.id = s.user_id WHERE s.token_hash = ?`;

/** The identity provider each prefix search of an identity ranges over. */
const SEARCH_PROVIDERS: Record<Exclude<AccountSearchField, "any" | "id" | "username">, { provider: string; lowerCase: boolean }> = {
  email: { provider: "email", lowerCase: true },
  custom_id: { provider: "custom", lowerCase: false },
  steam_id: { provider: "steam", lowerCase: false },
  device: { provider: "device", lowerCase: false },
  apple_id: { provider: "apple", lowerCase: false },
  google_id: { provider: "google", lowerCase: false },
  facebook_id: { provider: "facebook", lowerCase: false },
  facebook_instant_game_id: { provider: "facebookinstantgame", lowerCase: false },
  gamecenter_id: { provider: "gamecenter", lowerCase: false },
  // `<name>:<sub>`: a prefix search by a provider's name lists its players.
  oidc: { provider: "oidc", lowerCase: false },
};
const SEARCHED = Object.values(SEARCH_PROVIDERS);
/** `any` matches each provider's subjects exactly, the query folded as that provider stores them. */
const ANY_IDENTITY = SEARCHED.map(() => "(provider = ? AND subject = ?)").join(" OR ");

const CONSOLE_USER_COLUMNS = "id, username, password_hash, role, created_at, updated_at, disabled_at, last_sign_in_at";
const AUDIT_COLUMNS = "id, time, kind, actor_type, actor_id, user_id, ip, details";

/** Rows per audit INSERT, largest first: a batch of 500 takes 7 × 64 + 3 × 16 + 1 × 4 statements. */
const AUDIT_ROWS_PER_INSERT = [64, 16, 4, 1];
const auditInserts = new Map<number, string>();

/** `INSERT INTO audit_events (...) VALUES (?, ...), ...` with `rows` rows. */
function auditInsert(rows: number): string {
  let sql = auditInserts.get(rows);
  if (sql === undefined) {
    const row = "(?, ?, ?, ?, ?, ?, ?, ?)";
    sql = `INSERT INTO audit_events (id, time, kind, actor_type, actor_id, user_id, ip, details) VALUES ${Array(rows).fill(row).join(", ")}`;
    auditInserts.set(rows, sql);
  }
  return sql;
}

export class SqlAdminStore implements AdminStore {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly dialect: Pick<SqlDialect, "bytewise">,
  ) {}

  async createConsoleUser(u: ConsoleUserRow): Promise<void> {
    try {
      await this.sql.run(
        `INSERT INTO console_users (id, username, password_hash, role, created_at, updated_at, disabled_at, last_sign_in_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [u.id, u.username, u.passwordHash, u.role, u.createdAt, u.updatedAt, u.disabledAt, u.lastSignInAt],
      );
    } catch (err) {
      // Its unique values are the username and a random id: a conflict is the username.
      if (err instanceof StoreConflictError) throw new StoreConflictError("console_user");
      throw err;
    }
  }

  async consoleUser(username: string): Promise<ConsoleUserRow | undefined> {
    const row = (await this.sql.all(`SELECT ${CONSOLE_USER_COLUMNS} FROM console_users WHERE username = ?`, [username]))[0];
    return row ? toConsoleUser(row) : undefined;
  }

  async listConsoleUsers(): Promise<ConsoleUserRow[]> {
    return (await this.sql.all(`SELECT ${CONSOLE_USER_COLUMNS} FROM console_users ORDER BY ${this.dialect.bytewise("username")}`)).map((r) => toConsoleUser(r));
  }

  async updateConsoleUser(id: string, patch: ConsoleUserPatch, now: number): Promise<boolean> {
    const columns: [string, unknown][] = [["updated_at", now]];
    if (patch.role !== undefined) columns.push(["role", patch.role]);
    if (patch.disabledAt !== undefined) columns.push(["disabled_at", patch.disabledAt]);
    if (patch.passwordHash !== undefined) columns.push(["password_hash", patch.passwordHash]);
    const sets = columns.map(([column]) => `${column} = ?`);
    const values = columns.map(([, value]) => value);
    return this.sql.transaction(async (tx) => {
      const changed = (await tx.run(`UPDATE console_users SET ${sets.join(", ")} WHERE id = ?`, [...values, id])) === 1;
      // A disabled user's tokens stop at once; so do the old ones after a password change.
      if (changed && (patch.disabledAt != null || patch.passwordHash !== undefined)) await tx.run("DELETE FROM console_sessions WHERE user_id = ?", [id]);
      return changed;
    });
  }

  async deleteConsoleUser(id: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      await tx.run("DELETE FROM console_sessions WHERE user_id = ?", [id]);
      return (await tx.run("DELETE FROM console_users WHERE id = ?", [id])) === 1;
    });
  }

  async countActiveAdmins(): Promise<number> {
    const rows = await this.sql.all("SELECT COUNT(*) AS n FROM console_users WHERE role = 'admin' AND disabled_at IS NULL");
    return num(rows[0]!["n"]);
  }

  async createConsoleSession(s: ConsoleSessionRow): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.run("INSERT INTO console_sessions (id, token_hash, user_id, created_at, expires_at, client_ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)", [
        s.id,
        s.tokenHash,
        s.userId,
        s.createdAt,
        s.expiresAt,
        s.clientIp,
        s.userAgent,
      ]);
      await tx.run("UPDATE console_users SET last_sign_in_at = ? WHERE id = ?", [s.createdAt, s.userId]);
    });
  }

  async consoleSession(tokenHash: string): Promise<{ session: ConsoleSessionRow; user: ConsoleUserRow } | undefined> {
    const row = (await this.sql.all(CONSOLE_SESSION_JOIN, [tokenHash]))[0];
    return row ? { session: toConsoleSession(row), user: toConsoleUser(row, "u_") } : undefined;
  }

  async deleteConsoleSession(id: string): Promise<boolean> {
    return (await this.sql.run("DELETE FROM console_sessions WHERE id = ?", [id])) === 1;
  }

  async purgeConsoleSessions(before: number): Promise<number> {
    return this.sql.run("DELETE FROM console_sessions WHERE expires_at < ?", [before]);
  }

  async appendAudit(events: readonly AuditEventRow[], counts: readonly ActivityCount[]): Promise<void> {
    if (events.length === 0 && counts.length === 0) return;
    await this.sql.transaction(async (tx) => {
      // Many rows per statement (a sign-in storm records thousands of events a second); a few
      // fixed row counts, so each statement text is prepared once.
      for (let i = 0; i < events.length; ) {
        const n = AUDIT_ROWS_PER_INSERT.find((rows) => rows <= events.length - i)!;
        const values: unknown[] = [];
        for (const e of events.slice(i, i + n)) values.push(e.id, e.time, e.kind, e.actorType, e.actorId, e.userId, e.ip, e.details);
        await tx.run(auditInsert(n), values);
        i += n;
      }
      for (const c of counts) {
        await tx.run(
          "INSERT INTO activity_counts (minute, kind, count) VALUES (?, ?, ?) ON CONFLICT (minute, kind) DO UPDATE SET count = activity_counts.count + excluded.count",
          [c.minute, c.kind, c.count],
        );
      }
    });
  }

  async listAuditEvents(q: AuditQuery): Promise<AuditEventRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const filter = (condition: string, ...params: unknown[]) => {
      where.push(condition);
      values.push(...params);
    };
    if (q.kinds !== undefined && q.kinds.length > 0) filter(`kind IN (${q.kinds.map(() => "?").join(", ")})`, ...q.kinds);
    if (q.userId !== undefined) filter("user_id = ?", q.userId);
    if (q.actorType !== undefined) filter("actor_type = ?", q.actorType);
    if (q.actorId !== undefined) filter("actor_id = ?", q.actorId);
    if (q.since !== undefined) filter("time >= ?", q.since);
    if (q.until !== undefined) filter("time < ?", q.until);
    if (q.after !== undefined) filter("(time < ? OR (time = ? AND id < ?))", q.after.time, q.after.time, q.after.id);
    const sql = `SELECT ${AUDIT_COLUMNS} FROM audit_events${where.length > 0 ? " WHERE " + where.join(" AND ") : ""} ORDER BY time DESC, id DESC LIMIT ?`;
    return (await this.sql.all(sql, [...values, q.limit])).map(toAuditEvent);
  }

  async purgeAuditEvents(before: number): Promise<number> {
    return this.sql.run("DELETE FROM audit_events WHERE time < ?", [before]);
  }

  async activityCounts(since: number): Promise<ActivityCount[]> {
    const rows = await this.sql.all("SELECT minute, kind, count FROM activity_counts WHERE minute >= ? ORDER BY minute, kind", [since]);
    return rows.map((r) => ({ minute: num(r["minute"]), kind: r["kind"] as string, count: num(r["count"]) }));
  }

  async purgeActivityCounts(before: number): Promise<number> {
    return this.sql.run("DELETE FROM activity_counts WHERE minute < ?", [before]);
  }

  async searchAccounts(s: AccountSearch): Promise<AccountSearchHit[]> {
    const b = (column: string) => this.dialect.bytewise(column);
    if (s.field === "id") {
      // Ids are matched whole: an account id is a UUID, shown and copied in full.
      const rows =
        s.after !== undefined && s.after >= s.query ? [] : await this.sql.all(`SELECT ${A_ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?`, [s.query]);
      return rows.map((r) => ({ account: toAccount(r), key: r["id"] as string }));
    }
    if (s.field === "any") {
      // Exact identities (any of them) or a username prefix, in username order (usernames are unique).
      const range = prefixRange(this.dialect, "a.username", s.query, undefined);
      const after = s.after === undefined ? "" : ` AND ${b("a.username")} > ?`;
      const rows = await this.sql.all(
        `SELECT ${A_ACCOUNT_COLUMNS} FROM accounts a
         WHERE (${range.where} OR a.id = ? OR a.id IN (SELECT account_id FROM identities
           WHERE ${ANY_IDENTITY}))${after}
         ORDER BY ${b("a.username")} LIMIT ?`,
        [
          ...range.values,
          s.query.toLowerCase(),
          ...SEARCHED.flatMap((p) => [p.provider, p.lowerCase ? s.query.toLowerCase() : s.query]),
          ...(s.after === undefined ? [] : [s.after]),
          s.limit,
        ],
      );
      return rows.map((r) => ({ account: toAccount(r), key: r["username"] as string }));
    }
    if (s.field === "username") {
      const range = prefixRange(this.dialect, "a.username", s.query, s.after);
      const rows = await this.sql.all(`SELECT ${A_ACCOUNT_COLUMNS} FROM accounts a WHERE ${range.where} ORDER BY ${b("a.username")} LIMIT ?`, [
        ...range.values,
        s.limit,
      ]);
      return rows.map((r) => ({ account: toAccount(r), key: r["username"] as string }));
    }
    // A prefix of one provider's subjects: a range of the (provider, subject) index.
    const searched = SEARCH_PROVIDERS[s.field];
    const range = prefixRange(this.dialect, "i.subject", searched.lowerCase ? s.query.toLowerCase() : s.query, s.after);
    const rows = await this.sql.all(
      `SELECT ${A_ACCOUNT_COLUMNS}, i.subject AS matched_subject FROM identities i JOIN accounts a ON a.id = i.account_id
       WHERE i.provider = ? AND ${range.where} ORDER BY ${b("i.subject")} LIMIT ?`,
      [searched.provider, ...range.values, s.limit],
    );
    return rows.map((r) => ({ account: toAccount(r), key: r["matched_subject"] as string }));
  }

  async listAccounts(after: AccountListCursor | undefined, limit: number): Promise<AccountRow[]> {
    const rows =
      after === undefined
        ? await this.sql.all(`SELECT ${A_ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.create_time DESC, a.id DESC LIMIT ?`, [limit])
        : await this.sql.all(
            `SELECT ${A_ACCOUNT_COLUMNS} FROM accounts a WHERE a.create_time < ? OR (a.create_time = ? AND a.id < ?) ORDER BY a.create_time DESC, a.id DESC LIMIT ?`,
            [after.createTime, after.createTime, after.id, limit],
          );
    return rows.map(toAccount);
  }

  async identitiesOf(accountIds: readonly string[]): Promise<IdentityRow[]> {
    if (accountIds.length === 0) return [];
    const rows = await this.sql.all(
      `SELECT ${IDENTITY_COLUMNS} FROM identities WHERE account_id IN (${accountIds.map(() => "?").join(", ")}) ORDER BY account_id, seq`,
      accountIds,
    );
    return rows.map(toIdentity);
  }

  async countLiveSessions(nowSec: number): Promise<number> {
    const rows = await this.sql.all("SELECT COUNT(*) AS n FROM sessions WHERE revoked_at IS NULL AND refresh_expires_at_sec > ?", [nowSec]);
    return num(rows[0]!["n"]);
  }

  async countAccounts(): Promise<{ total: number; banned: number }> {
    const rows = await this.sql.all("SELECT COUNT(*) AS total, COUNT(disable_time) AS banned FROM accounts");
    return { total: num(rows[0]!["total"]), banned: num(rows[0]!["banned"]) };
  }
}

/** `column` starts with `prefix` (every non-null value when it is empty), and sorts after `after`. */
function prefixRange(dialect: Pick<SqlDialect, "bytewise">, column: string, prefix: string, after: string | undefined): { where: string; values: unknown[] } {
  const c = dialect.bytewise(column);
  const where = [`${c} >= ?`];
  const values: unknown[] = [prefix];
  const upper = prefixSuccessor(prefix);
  if (upper !== undefined) {
    where.push(`${c} < ?`);
    values.push(upper);
  }
  if (after !== undefined) {
    where.push(`${c} > ?`);
    values.push(after);
  }
  return { where: where.join(" AND "), values };
}
