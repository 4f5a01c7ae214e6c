/**
 * Storage of tickets, validators' auth sessions and their response events, licenses, game-server
 * credentials and ticket signing keys: the part of the Store the `tickets/` domain uses. One
 * implementation in portable SQL (`sql-ticket-store.ts`) runs on both backends through their
 * SqlExecutor. Times are unix milliseconds.
 */

export interface TicketKeyRow {
  /** Key id: base64url of the first 8 bytes of SHA-256 over the raw public key. */
  kid: string;
  /** Raw 32-byte Ed25519 public key, base64url. */
  publicKey: string;
  /** PKCS#8 DER private key, base64. */
  privateKey: string;
  createdAt: number;
  /** When a newer key took over signing; retired keys still verify until purged. */
  retiredAt: number | null;
}

export interface TicketRow {
  id: string;
  accountId: string;
  /** Steam's HAuthTicket: non-zero, unique per account. */
  handle: number;
  /** The player's session (JWT `tid`) the ticket was issued under. */
  sessionId: string;
  /** The one validator identity allowed to use the ticket; "" = any. */
  identity: string;
  appId: number;
  issuedAt: number;
  expiresAt: number;
  canceledAt: number | null;
  usedAt: number | null;
  /** The auth session that consumed the ticket. */
  usedBy: string | null;
}

export type ValidatorKind = "player" | "server";

export interface AuthSessionRow {
  id: string;
  /** The validator's own session: a player's session id, or a game server token's id. */
  validatorSessionId: string;
  /** A player validator's user id, or a game server's identity. */
  validatorIdentity: string;
  validatorKind: ValidatorKind;
  /** The player the ticket proves. */
  userId: string;
  playerSessionId: string;
  ticketId: string;
  appId: number;
  ownerId: string | null;
  /** Latest EAuthSessionResponse; null until the first one. */
  response: number | null;
  /** How many responses were delivered. */
  responseSeq: number;
  createdAt: number;
  endedAt: number | null;
}

export interface AuthSessionEventRow {
  id: string;
  validatorSessionId: string;
  authSessionId: string;
  seq: number;
  /** The event as JSON, exactly as validators receive it. */
  payload: string;
  createdAt: number;
}

export interface LicenseRow {
  accountId: string;
  /** Equal to accountId for an own license; the lender for a borrowed one. */
  ownerId: string;
  grantedAt: number;
  expiresAt: number | null;
}

export interface GameServerRow {
  identity: string;
  id: string;
  /** SHA-256 of the secret, hex. */
  secretHash: string;
  createdAt: number;
}

/** What claiming a ticket for an auth session found. */
export type ClaimResult = "claimed" | "used" | "canceled" | "missing";

export interface AuthSessionResponseChange {
  response: number;
  ownerId: string | null;
  /** End the auth session with this response (every non-OK response is final). */
  end: boolean;
  /** Apply only if no response was delivered yet (the first, asynchronous validation result). */
  onlyFirst: boolean;
}

export interface TicketStore {
  ticketKeys(): Promise<TicketKeyRow[]>;
  /** Stores `key` as the signing key if there is none yet (several nodes may race at first start). */
  addFirstTicketKey(key: TicketKeyRow): Promise<void>;
  /** Retires the signing key and makes `key` the new one, atomically. */
  rotateTicketKey(key: TicketKeyRow, now: number): Promise<void>;
  /** Deletes keys retired before `before`; returns how many. */
  purgeTicketKeys(before: number): Promise<number>;

  /** Throws StoreConflictError("ticket_handle") if the account already has that handle. */
  insertTicket(ticket: TicketRow): Promise<void>;
  getTicket(id: string): Promise<TicketRow | undefined>;
  /** Tickets of an account neither canceled nor (unused and) expired, newest first. */
  listTickets(accountId: string, now: number): Promise<TicketRow[]>;
  /** Unused, uncanceled, unexpired tickets issued under one session. */
  countOpenTickets(sessionId: string, now: number): Promise<number>;
  /** Cancels one ticket; the ticket as it now is, or undefined if unknown or already canceled. */
  cancelTicket(accountId: string, handle: number, now: number): Promise<TicketRow | undefined>;
  /** Marks a ticket used by `authSessionId` if it is neither used nor canceled (single use). */
  claimTicket(id: string, authSessionId: string, now: number): Promise<ClaimResult>;
  /** Deletes tickets that expired before `before` and are not in use by a live auth session. */
  purgeTickets(before: number): Promise<number>;

  /** Throws StoreConflictError("auth_session") if the validator has a live one for that user. */
  createAuthSession(session: AuthSessionRow): Promise<void>;
  getAuthSession(id: string): Promise<AuthSessionRow | undefined>;
  liveAuthSessionsOfValidator(validatorSessionId: string): Promise<AuthSessionRow[]>;
  liveAuthSessionsOfTicket(ticketId: string): Promise<AuthSessionRow[]>;
  /**
   * Live auth sessions touched by these sessions of `userId` ending: those proving the player
   * through one of them, and those a player validator began from one of them.
   */
  liveAuthSessionsOfSessions(userId: string, sessionIds: readonly string[]): Promise<AuthSessionRow[]>;
  /** Every live auth session proving `userId`. */
  liveAuthSessionsOfPlayer(userId: string): Promise<AuthSessionRow[]>;
  /** Live auth sessions still waiting for their first response, begun before `before`. */
  pendingAuthSessions(before: number): Promise<AuthSessionRow[]>;
  /**
   * Records a response and its event atomically; `payload(seq)` builds the event's JSON. Returns
   * the event, or undefined if the auth session had ended (or, with `onlyFirst`, had a response).
   */
  respond(
    id: string,
    change: AuthSessionResponseChange,
    eventId: string,
    payload: (seq: number) => string,
    now: number,
  ): Promise<AuthSessionEventRow | undefined>;
  /** Ends one auth session without a response; false if it was not live. */
  endAuthSession(id: string, now: number): Promise<boolean>;
  /** Events not yet acknowledged by a validator session, oldest first. */
  pendingEvents(validatorSessionId: string, limit: number): Promise<AuthSessionEventRow[]>;
  /** Deletes acknowledged events; returns how many. */
  ackEvents(validatorSessionId: string, eventIds: readonly string[]): Promise<number>;
  /** Deletes auth sessions ended before `before` with their events, and events older than it. */
  purgeAuthSessions(before: number): Promise<number>;

  /** License rows where the account is the holder (own and borrowed). */
  licensesOf(accountId: string): Promise<LicenseRow[]>;
  /** Grants (or renews) an own license. */
  grantLicense(accountId: string, expiresAt: number | null, now: number): Promise<void>;
  /** Revokes an own license and every loan of it; returns the ids of borrowers who lost theirs. */
  revokeLicense(accountId: string): Promise<{ revoked: boolean; borrowers: string[] }>;
  /** Lends the owner's app to a borrower. Throws StoreConflictError("id") if either account is missing. */
  lendLicense(ownerId: string, borrowerId: string, now: number): Promise<void>;
  /** Ends a loan; false if there was none. */
  endLoan(ownerId: string, borrowerId: string): Promise<boolean>;
  /** Loans made by an owner. */
  loansBy(ownerId: string): Promise<LicenseRow[]>;

  /** Throws StoreConflictError("game_server") if the identity exists. */
  createGameServer(server: GameServerRow): Promise<void>;
  gameServer(identity: string): Promise<GameServerRow | undefined>;
  gameServerBySecretHash(secretHash: string): Promise<GameServerRow | undefined>;
  listGameServers(): Promise<GameServerRow[]>;
  deleteGameServer(identity: string): Promise<boolean>;
}
