/**
 * Storage of the operator side: console users and their sessions, the audit log with its
 * per-minute activity counts, and the account search and figures the console shows. One
 * implementation in portable SQL (`sql-admin-store.ts`) runs on both backends through their
 * SqlExecutor. Times are unix milliseconds.
 */
import type { AuditActorType, ConsoleRole } from "@tessera/protocol";
import type { AccountRow, IdentityRow } from "./account-row.js";

/**
 * A console user's role, and who did something (an audit event's actor type: a player, a console
 * user, the CLI, a runtime module, or the server itself): the wire contract's names.
 */
export type { AuditActorType, ConsoleRole };

export interface ConsoleUserRow {
  id: string;
  username: string;
  /** argon2id (auth/password.ts). */
  passwordHash: string;
  role: ConsoleRole;
  createdAt: number;
  updatedAt: number;
  /** Set while the user may not sign in; its sessions are deleted when it is set. */
  disabledAt: number | null;
  lastSignInAt: number | null;
}

export interface ConsoleUserPatch {
  role?: ConsoleRole;
  /** A time disables, null enables. */
  disabledAt?: number | null;
  passwordHash?: string;
}

export interface ConsoleSessionRow {
  id: string;
  /** SHA-256 of the opaque token, hex: the token itself is never stored. */
  tokenHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  clientIp: string | null;
  userAgent: string | null;
}

export interface AuditEventRow {
  id: string;
  time: number;
  kind: string;
  actorType: AuditActorType;
  /** The player's id, the console user's name; null for the CLI, runtime and system. */
  actorId: string | null;
  /** The account the event is about, if any (kept after the account is deleted). */
  userId: string | null;
  ip: string | null;
  /** JSON object. */
  details: string;
}

/** Where a page of audit events continues: after this event (newest first). */
export interface AuditCursor {
  time: number;
  id: string;
}

export interface AuditQuery {
  kinds?: readonly string[];
  userId?: string;
  actorType?: AuditActorType;
  actorId?: string;
  /** Inclusive lower bound of `time`. */
  since?: number;
  /** Exclusive upper bound of `time`. */
  until?: number;
  after?: AuditCursor;
  limit: number;
}

/** How many times something happened in one minute, summed over every node. */
export interface ActivityCount {
  /** Start of the minute, unix ms. */
  minute: number;
  kind: string;
  count: number;
}

/** The account field a search matches on. `any`: exact identities or a username prefix. */
export type AccountSearchField =
  | "any"
  | "id"
  | "username"
  | "email"
  | "custom_id"
  | "steam_id"
  | "device"
  | "apple_id"
  | "google_id"
  | "facebook_id"
  | "facebook_instant_game_id"
  | "gamecenter_id"
  | "oidc";

export interface AccountSearch {
  field: AccountSearchField;
  /** A prefix (username, email, custom id, Steam id, device id), an exact UUID (id), or either (any). */
  query: string;
  /** Continue after this sort key (the `key` of the previous page's last hit). */
  after?: string;
  limit: number;
}

export interface AccountSearchHit {
  account: AccountRow;
  /** The value the hits are ordered by: the matched field's value (the username for `any`, the device id for `device`). */
  key: string;
}

/** Where the newest-first account list continues. */
export interface AccountListCursor {
  createTime: number;
  id: string;
}

export interface AdminStore {
  /** Throws StoreConflictError("console_user") when the username is taken. */
  createConsoleUser(user: ConsoleUserRow): Promise<void>;
  consoleUser(username: string): Promise<ConsoleUserRow | undefined>;
  listConsoleUsers(): Promise<ConsoleUserRow[]>;
  /** False if the user does not exist. Disabling also deletes the user's sessions, atomically. */
  updateConsoleUser(id: string, patch: ConsoleUserPatch, now: number): Promise<boolean>;
  /** Deletes a user with its sessions; false if absent. */
  deleteConsoleUser(id: string): Promise<boolean>;
  /** Console users with the admin role that are not disabled. */
  countActiveAdmins(): Promise<number>;

  /** Stores a session and the user's last sign-in time, atomically. */
  createConsoleSession(session: ConsoleSessionRow): Promise<void>;
  /** The session of a token hash with its user, whatever their state (the caller checks expiry and disabling). */
  consoleSession(tokenHash: string): Promise<{ session: ConsoleSessionRow; user: ConsoleUserRow } | undefined>;
  deleteConsoleSession(id: string): Promise<boolean>;
  /** Deletes sessions that expired before `before`; returns how many. */
  purgeConsoleSessions(before: number): Promise<number>;

  /** Appends audit events and adds activity counts, in one transaction. */
  appendAudit(events: readonly AuditEventRow[], counts: readonly ActivityCount[]): Promise<void>;
  /** Events matching the query, newest first (ties by id, descending). */
  listAuditEvents(query: AuditQuery): Promise<AuditEventRow[]>;
  /** Deletes events older than `before`; returns how many. */
  purgeAuditEvents(before: number): Promise<number>;
  /** Activity counts of minutes from `since` on, oldest first. */
  activityCounts(since: number): Promise<ActivityCount[]>;
  purgeActivityCounts(before: number): Promise<number>;

  /** Accounts matching a search, ordered bytewise by their `key`. */
  searchAccounts(search: AccountSearch): Promise<AccountSearchHit[]>;
  /** Every account, newest first. */
  listAccounts(after: AccountListCursor | undefined, limit: number): Promise<AccountRow[]>;
  /** The identities of some accounts (a page of a list or search), each account's in link order. */
  identitiesOf(accountIds: readonly string[]): Promise<IdentityRow[]>;
  /** Sessions neither revoked nor past their refresh expiry. */
  countLiveSessions(nowSec: number): Promise<number>;
  countAccounts(): Promise<{ total: number; banned: number }>;
}
