/**
 * The CodeLinkStore in portable SQL, run by either backend's SqlExecutor. Confirming and using a
 * code up are each one conditional UPDATE … RETURNING, so concurrent requests on any number of
 * nodes have exactly one winner.
 */
import type { CodeLinkConfirmation, CodeLinkRow, CodeLinkStore, NewCodeLink } from "./code-link-store.js";
import { num, numOrNull, type Row } from "./row-mapping.js";
import type { SqlExecutor } from "./sql-executor.js";

const COLUMNS = "id, code, challenge, identifier, create_time, expire_time, interval_sec, last_poll_time, confirmed_account_id, confirm_time, consumed_time";

function toCodeLink(r: Row): CodeLinkRow {
  return {
    id: r["id"] as string,
    code: r["code"] as string,
    challenge: r["challenge"] as string,
    identifier: r["identifier"] as string,
    createTime: num(r["create_time"]),
    expireTime: num(r["expire_time"]),
    intervalSec: num(r["interval_sec"]),
    lastPollTime: numOrNull(r["last_poll_time"]),
    confirmedAccountId: (r["confirmed_account_id"] as string | null) ?? null,
    confirmTime: numOrNull(r["confirm_time"]),
    consumedTime: numOrNull(r["consumed_time"]),
  };
}

const LIVE = "expire_time > ? AND consumed_time IS NULL";

/** The fixed statements, built once (the executors key prepared statements by text). */
const SQL = {
  insert: `INSERT INTO code_links (id, code, challenge, identifier, create_time, expire_time, interval_sec) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING id`,
  liveByCode: `SELECT ${COLUMNS} FROM code_links WHERE code = ? AND ${LIVE}`,
  byId: `SELECT ${COLUMNS} FROM code_links WHERE id = ?`,
  confirm: `UPDATE code_links SET confirmed_account_id = ?, confirm_time = ? WHERE code = ? AND ${LIVE} AND confirmed_account_id IS NULL
       RETURNING ${COLUMNS}`,
  recordPoll: "UPDATE code_links SET last_poll_time = ?, interval_sec = ? WHERE id = ? AND consumed_time IS NULL",
  consume: `UPDATE code_links SET consumed_time = ?, last_poll_time = ? WHERE id = ? AND ${LIVE} AND confirmed_account_id IS NOT NULL
       RETURNING ${COLUMNS}`,
  purge: "DELETE FROM code_links WHERE expire_time < ?",
};

export class SqlCodeLinkStore implements CodeLinkStore {
  constructor(private readonly sql: SqlExecutor) {}

  async createCodeLink(row: NewCodeLink): Promise<boolean> {
    const values = [row.id, row.code, row.challenge, row.identifier, row.createTime, row.expireTime, row.intervalSec];
    return (await this.sql.all(SQL.insert, values)).length === 1;
  }

  async findLiveCodeLink(code: string, now: number): Promise<CodeLinkRow | undefined> {
    const row = await this.sql.get(SQL.liveByCode, [code, now]);
    return row === undefined ? undefined : toCodeLink(row);
  }

  async getCodeLink(id: string): Promise<CodeLinkRow | undefined> {
    const row = await this.sql.get(SQL.byId, [id]);
    return row === undefined ? undefined : toCodeLink(row);
  }

  async confirmCodeLink(code: string, accountId: string, now: number): Promise<CodeLinkConfirmation> {
    const updated = (await this.sql.all(SQL.confirm, [accountId, now, code, now]))[0];
    if (updated !== undefined) return { result: "confirmed", row: toCodeLink(updated) };
    const existing = await this.findLiveCodeLink(code, now);
    return existing === undefined ? { result: "unknown" } : { result: "already_confirmed", row: existing };
  }

  async recordCodeLinkPoll(id: string, now: number, intervalSec: number): Promise<void> {
    await this.sql.run(SQL.recordPoll, [now, intervalSec, id]);
  }

  async consumeCodeLink(id: string, now: number): Promise<CodeLinkRow | undefined> {
    const row = (await this.sql.all(SQL.consume, [now, now, id, now]))[0];
    return row === undefined ? undefined : toCodeLink(row);
  }

  async purgeCodeLinks(before: number): Promise<number> {
    return this.sql.run(SQL.purge, [before], { maintenance: true });
  }
}
