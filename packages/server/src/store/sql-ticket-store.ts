/**
 * The TicketStore in portable SQL, run by either backend's SqlExecutor. Single use is one
 * conditional UPDATE (`used_at IS NULL AND canceled_at IS NULL`), so concurrent validations of one
 * ticket on any number of nodes have exactly one winner; a response and its event are written in
 * one transaction, and only while the auth session is live.
 */
import { num, numOrNull, type Row } from "./row-mapping.js";
import type { SqlExecutor } from "./sql-executor.js";
import type {
  AuthSessionEventRow,
  AuthSessionResponseChange,
  AuthSessionRow,
  ClaimResult,
  GameServerRow,
  LicenseRow,
  TicketKeyRow,
  TicketRow,
  TicketStore,
  ValidatorKind,
} from "./ticket-store.js";

function toKey(r: Row): TicketKeyRow {
  return {
    kid: r["kid"] as string,
    publicKey: r["public_key"] as string,
    privateKey: r["private_key"] as string,
    createdAt: num(r["created_at"]),
    retiredAt: numOrNull(r["retired_at"]),
  };
}

function toTicket(r: Row): TicketRow {
  return {
    id: r["id"] as string,
    accountId: r["account_id"] as string,
    handle: num(r["handle"]),
    sessionId: r["session_id"] as string,
    identity: r["identity"] as string,
    appId: num(r["app_id"]),
    issuedAt: num(r["issued_at"]),
    expiresAt: num(r["expires_at"]),
    canceledAt: numOrNull(r["canceled_at"]),
    usedAt: numOrNull(r["used_at"]),
    usedBy: (r["used_by"] as string | null) ?? null,
  };
}

function toAuthSession(r: Row): AuthSessionRow {
  return {
    id: r["id"] as string,
    validatorSessionId: r["validator_session_id"] as string,
    validatorIdentity: r["validator_identity"] as string,
    validatorKind: r["validator_kind"] as ValidatorKind,
    userId: r["user_id"] as string,
    playerSessionId: r["player_session_id"] as string,
    ticketId: r["ticket_id"] as string,
    appId: num(r["app_id"]),
    ownerId: (r["owner_id"] as string | null) ?? null,
    response: numOrNull(r["response"]),
    responseSeq: num(r["response_seq"]),
    createdAt: num(r["created_at"]),
    endedAt: numOrNull(r["ended_at"]),
  };
}

function toEvent(r: Row): AuthSessionEventRow {
  return {
    id: r["id"] as string,
    validatorSessionId: r["validator_session_id"] as string,
    authSessionId: r["auth_session_id"] as string,
    seq: num(r["seq"]),
    payload: r["payload"] as string,
    createdAt: num(r["created_at"]),
  };
}

function toLicense(r: Row): LicenseRow {
  return { accountId: r["account_id"] as string, ownerId: r["owner_id"] as string, grantedAt: num(r["granted_at"]), expiresAt: numOrNull(r["expires_at"]) };
}

function toGameServer(r: Row): GameServerRow {
  return { identity: r["identity"] as string, id: r["id"] as string, secretHash: r["secret_hash"] as string, createdAt: num(r["created_at"]) };
}

/** The columns each read selects (named, so PostgreSQL prepares every statement and a new column changes no result). */
const KEY_COLUMNS = "kid, public_key, private_key, created_at, retired_at";
const TICKET_COLUMNS = "id, account_id, handle, session_id, identity, app_id, issued_at, expires_at, canceled_at, used_at, used_by";
const AUTH_SESSION_COLUMNS =
  "id, validator_session_id, validator_identity, validator_kind, user_id, player_session_id, ticket_id, app_id, owner_id, response, response_seq, created_at, ended_at";
const EVENT_COLUMNS = "id, validator_session_id, auth_session_id, seq, payload, created_at";
const LICENSE_COLUMNS = "account_id, owner_id, granted_at, expires_at";
const GAME_SERVER_COLUMNS = "identity, id, secret_hash, created_at";

/** `(?, ?, ?)` for an IN list of `n` values (n ≥ 1). */
const marks = (n: number): string => `(${new Array<string>(n).fill("?").join(", ")})`;

const LIVE_AUTH_SESSION = `SELECT ${AUTH_SESSION_COLUMNS} FROM auth_sessions WHERE ended_at IS NULL`;

/**
 * The fixed statements, built once: the executors key their prepared statements by text, and a
 * text built on every call would be hashed again on every call.
 */
const SQL = {
  ticketKeys: `SELECT ${KEY_COLUMNS} FROM ticket_keys ORDER BY created_at DESC`,
  ticketById: `SELECT ${TICKET_COLUMNS} FROM auth_tickets WHERE id = ?`,
  ticketsOfAccount: `SELECT ${TICKET_COLUMNS} FROM auth_tickets WHERE account_id = ? AND canceled_at IS NULL AND (used_at IS NOT NULL OR expires_at > ?)
       ORDER BY issued_at DESC, id`,
  cancelTicket: `UPDATE auth_tickets SET canceled_at = ? WHERE account_id = ? AND handle = ? AND canceled_at IS NULL RETURNING ${TICKET_COLUMNS}`,
  authSessionById: `SELECT ${AUTH_SESSION_COLUMNS} FROM auth_sessions WHERE id = ?`,
  liveOfValidator: `${LIVE_AUTH_SESSION} AND validator_session_id = ? ORDER BY created_at, id`,
  liveOfTicket: `${LIVE_AUTH_SESSION} AND ticket_id = ?`,
  liveOfPlayer: `${LIVE_AUTH_SESSION} AND user_id = ?`,
  pendingAuthSessions: `${LIVE_AUTH_SESSION} AND response IS NULL AND created_at < ?`,
  pendingEvents: `SELECT ${EVENT_COLUMNS} FROM auth_session_events WHERE validator_session_id = ? ORDER BY created_at, auth_session_id, seq LIMIT ?`,
  licensesOf: `SELECT ${LICENSE_COLUMNS} FROM licenses WHERE account_id = ? ORDER BY granted_at`,
  loansBy: `SELECT ${LICENSE_COLUMNS} FROM licenses WHERE owner_id = ? AND account_id <> owner_id ORDER BY granted_at`,
  gameServer: `SELECT ${GAME_SERVER_COLUMNS} FROM game_servers WHERE identity = ?`,
  gameServerBySecretHash: `SELECT ${GAME_SERVER_COLUMNS} FROM game_servers WHERE secret_hash = ?`,
  listGameServers: `SELECT ${GAME_SERVER_COLUMNS} FROM game_servers ORDER BY identity`,
};

export class SqlTicketStore implements TicketStore {
  constructor(private readonly sql: SqlExecutor) {}

  async ticketKeys(): Promise<TicketKeyRow[]> {
    return (await this.sql.all(SQL.ticketKeys)).map(toKey);
  }

  async addFirstTicketKey(k: TicketKeyRow): Promise<void> {
    // The UNIQUE "active" column lets only one signing key exist; a node that lost the race keeps the winner's.
    await this.sql.run(
      "INSERT INTO ticket_keys (kid, public_key, private_key, created_at, retired_at, active) VALUES (?, ?, ?, ?, NULL, 1) ON CONFLICT DO NOTHING",
      [k.kid, k.publicKey, k.privateKey, k.createdAt],
    );
  }

  async rotateTicketKey(k: TicketKeyRow, now: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.run("UPDATE ticket_keys SET active = NULL, retired_at = ? WHERE active = 1", [now]);
      await tx.run("INSERT INTO ticket_keys (kid, public_key, private_key, created_at, retired_at, active) VALUES (?, ?, ?, ?, NULL, 1)", [
        k.kid,
        k.publicKey,
        k.privateKey,
        k.createdAt,
      ]);
    });
  }

  async purgeTicketKeys(before: number): Promise<number> {
    return this.sql.run("DELETE FROM ticket_keys WHERE retired_at IS NOT NULL AND retired_at < ?", [before]);
  }

  async insertTicket(t: TicketRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO auth_tickets (id, account_id, handle, session_id, identity, app_id, issued_at, expires_at, canceled_at, used_at, used_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [t.id, t.accountId, t.handle, t.sessionId, t.identity, t.appId, t.issuedAt, t.expiresAt, t.canceledAt, t.usedAt, t.usedBy],
    );
  }

  async getTicket(id: string): Promise<TicketRow | undefined> {
    const row = (await this.sql.all(SQL.ticketById, [id]))[0];
    return row ? toTicket(row) : undefined;
  }

  async listTickets(accountId: string, now: number): Promise<TicketRow[]> {
    const rows = await this.sql.all(SQL.ticketsOfAccount, [accountId, now]);
    return rows.map(toTicket);
  }

  async countOpenTickets(sessionId: string, now: number): Promise<number> {
    const rows = await this.sql.all(
      "SELECT COUNT(*) AS n FROM auth_tickets WHERE session_id = ? AND canceled_at IS NULL AND used_at IS NULL AND expires_at > ?",
      [sessionId, now],
    );
    return num(rows[0]?.["n"] ?? 0);
  }

  async cancelTicket(accountId: string, handle: number, now: number): Promise<TicketRow | undefined> {
    const rows = await this.sql.all(SQL.cancelTicket, [now, accountId, handle]);
    return rows[0] ? toTicket(rows[0]) : undefined;
  }

  async claimTicket(id: string, authSessionId: string, now: number): Promise<ClaimResult> {
    const changed = await this.sql.run("UPDATE auth_tickets SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL AND canceled_at IS NULL", [
      now,
      authSessionId,
      id,
    ]);
    if (changed === 1) return "claimed";
    const ticket = await this.getTicket(id);
    if (!ticket) return "missing";
    return ticket.canceledAt !== null ? "canceled" : "used";
  }

  async purgeTickets(before: number): Promise<number> {
    return this.sql.run(
      `DELETE FROM auth_tickets WHERE expires_at < ?
         AND NOT EXISTS (SELECT 1 FROM auth_sessions s WHERE s.ticket_id = auth_tickets.id AND s.ended_at IS NULL)`,
      [before],
    );
  }

  async createAuthSession(s: AuthSessionRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO auth_sessions (id, validator_session_id, validator_identity, validator_kind, user_id, player_session_id, ticket_id, app_id,
         owner_id, response, response_seq, created_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        s.id,
        s.validatorSessionId,
        s.validatorIdentity,
        s.validatorKind,
        s.userId,
        s.playerSessionId,
        s.ticketId,
        s.appId,
        s.ownerId,
        s.response,
        s.responseSeq,
        s.createdAt,
        s.endedAt,
      ],
    );
  }

  async getAuthSession(id: string): Promise<AuthSessionRow | undefined> {
    const row = (await this.sql.all(SQL.authSessionById, [id]))[0];
    return row ? toAuthSession(row) : undefined;
  }

  async liveAuthSessionsOfValidator(validatorSessionId: string): Promise<AuthSessionRow[]> {
    return (await this.sql.all(SQL.liveOfValidator, [validatorSessionId])).map(toAuthSession);
  }

  async liveAuthSessionsOfTicket(ticketId: string): Promise<AuthSessionRow[]> {
    return (await this.sql.all(SQL.liveOfTicket, [ticketId])).map(toAuthSession);
  }

  async liveAuthSessionsOfSessions(userId: string, sessionIds: readonly string[]): Promise<AuthSessionRow[]> {
    if (sessionIds.length === 0) return [];
    const list = marks(sessionIds.length);
    const rows = await this.sql.all(
      `${LIVE_AUTH_SESSION} AND ((user_id = ? AND player_session_id IN ${list}) OR (validator_session_id IN ${list} AND validator_identity = ?))`,
      [userId, ...sessionIds, ...sessionIds, userId],
    );
    return rows.map(toAuthSession);
  }

  async liveAuthSessionsOfPlayer(userId: string): Promise<AuthSessionRow[]> {
    return (await this.sql.all(SQL.liveOfPlayer, [userId])).map(toAuthSession);
  }

  async pendingAuthSessions(before: number): Promise<AuthSessionRow[]> {
    return (await this.sql.all(SQL.pendingAuthSessions, [before])).map(toAuthSession);
  }

  async respond(
    id: string,
    c: AuthSessionResponseChange,
    eventId: string,
    payload: (seq: number) => string,
    now: number,
  ): Promise<AuthSessionEventRow | undefined> {
    return this.sql.transaction(async (tx) => {
      const rows = await tx.all(
        `UPDATE auth_sessions SET response = ?, owner_id = COALESCE(?, owner_id), response_seq = response_seq + 1, ended_at = ?
         WHERE id = ? AND ended_at IS NULL${c.onlyFirst ? " AND response IS NULL" : ""}
         RETURNING validator_session_id, response_seq`,
        [c.response, c.ownerId, c.end ? now : null, id],
      );
      const row = rows[0];
      if (!row) return undefined;
      const event: AuthSessionEventRow = {
        id: eventId,
        validatorSessionId: row["validator_session_id"] as string,
        authSessionId: id,
        seq: num(row["response_seq"]),
        payload: "",
        createdAt: now,
      };
      event.payload = payload(event.seq);
      await tx.run("INSERT INTO auth_session_events (id, validator_session_id, auth_session_id, seq, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)", [
        event.id,
        event.validatorSessionId,
        event.authSessionId,
        event.seq,
        event.payload,
        event.createdAt,
      ]);
      return event;
    });
  }

  async endAuthSession(id: string, now: number): Promise<boolean> {
    return (await this.sql.run("UPDATE auth_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", [now, id])) === 1;
  }

  async pendingEvents(validatorSessionId: string, limit: number): Promise<AuthSessionEventRow[]> {
    const rows = await this.sql.all(SQL.pendingEvents, [validatorSessionId, limit]);
    return rows.map(toEvent);
  }

  async ackEvents(validatorSessionId: string, eventIds: readonly string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    return this.sql.run(`DELETE FROM auth_session_events WHERE validator_session_id = ? AND id IN ${marks(eventIds.length)}`, [
      validatorSessionId,
      ...eventIds,
    ]);
  }

  async purgeAuthSessions(before: number): Promise<number> {
    return this.sql.transaction(async (tx) => {
      await tx.run("DELETE FROM auth_session_events WHERE created_at < ?", [before]);
      return tx.run("DELETE FROM auth_sessions WHERE ended_at IS NOT NULL AND ended_at < ?", [before]);
    });
  }

  async licensesOf(accountId: string): Promise<LicenseRow[]> {
    return (await this.sql.all(SQL.licensesOf, [accountId])).map(toLicense);
  }

  async grantLicense(accountId: string, expiresAt: number | null, now: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO licenses (account_id, owner_id, granted_at, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, owner_id) DO UPDATE SET granted_at = excluded.granted_at, expires_at = excluded.expires_at`,
      [accountId, accountId, now, expiresAt],
    );
  }

  async revokeLicense(accountId: string): Promise<{ revoked: boolean; borrowers: string[] }> {
    return this.sql.transaction(async (tx) => {
      const borrowers = (await tx.all("DELETE FROM licenses WHERE owner_id = ? AND account_id <> ? RETURNING account_id", [accountId, accountId])).map(
        (r) => r["account_id"] as string,
      );
      const revoked = (await tx.run("DELETE FROM licenses WHERE account_id = ? AND owner_id = ?", [accountId, accountId])) === 1;
      return { revoked, borrowers };
    });
  }

  async lendLicense(ownerId: string, borrowerId: string, now: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO licenses (account_id, owner_id, granted_at, expires_at) VALUES (?, ?, ?, NULL)
       ON CONFLICT (account_id, owner_id) DO UPDATE SET granted_at = excluded.granted_at`,
      [borrowerId, ownerId, now],
    );
  }

  async endLoan(ownerId: string, borrowerId: string): Promise<boolean> {
    return (await this.sql.run("DELETE FROM licenses WHERE account_id = ? AND owner_id = ? AND account_id <> owner_id", [borrowerId, ownerId])) === 1;
  }

  async loansBy(ownerId: string): Promise<LicenseRow[]> {
    return (await this.sql.all(SQL.loansBy, [ownerId])).map(toLicense);
  }

  async createGameServer(g: GameServerRow): Promise<void> {
    await this.sql.run("INSERT INTO game_servers (identity, id, secret_hash, created_at) VALUES (?, ?, ?, ?)", [g.identity, g.id, g.secretHash, g.createdAt]);
  }

  async gameServer(identity: string): Promise<GameServerRow | undefined> {
    const row = (await this.sql.all(SQL.gameServer, [identity]))[0];
    return row ? toGameServer(row) : undefined;
  }

  async gameServerBySecretHash(secretHash: string): Promise<GameServerRow | undefined> {
    const row = (await this.sql.all(SQL.gameServerBySecretHash, [secretHash]))[0];
    return row ? toGameServer(row) : undefined;
  }

  async listGameServers(): Promise<GameServerRow[]> {
    return (await this.sql.all(SQL.listGameServers)).map(toGameServer);
  }

  async deleteGameServer(identity: string): Promise<boolean> {
    return (await this.sql.run("DELETE FROM game_servers WHERE identity = ?", [identity])) === 1;
  }
}
