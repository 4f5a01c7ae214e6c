/**
 * The one storage interface. Domain modules reach the database only through it; each backend
 * (`sqlite/`, `postgres/`) is a sibling folder implementing it. Every method is async so a
 * networked backend fits the same shape; every multi-row change is atomic in the backend.
 */
import type { TicketStore } from "./ticket-store.js";
import type { AdminStore } from "./admin-store.js";
import type { CodeLinkStore } from "./code-link-store.js";

// The account and identity rows are their own file so the store's parts (admin-store.ts) can
// name them without importing this file back.
export type { AccountRow, BanKind, IdentityKey, IdentityProfile, IdentityRow, NewIdentity } from "./account-row.js";
import type { AccountRow, BanKind, IdentityKey, IdentityRow, NewIdentity } from "./account-row.js";

export interface Ban {
  kind: BanKind;
  reason: string | null;
}

export interface NewAccount {
  id: string;
  username: string;
  createTime: number;
  /** The password of an account created with an email identity; absent or null: none. */
  passwordHash?: string | null;
}

export interface AccountPatch {
  username?: string;
  displayName?: string;
  avatarUrl?: string;
  langTag?: string;
  location?: string;
  timezone?: string;
}

/** What `createSession` did: wrote the row, or refused it for the account's sake. */
export type SessionCreation = "created" | "account_missing" | "account_disabled";

/** What a refresh needs of the session's account. */
export interface SessionAccount {
  username: string;
  disableTime: number | null;
}

export interface SessionRow {
  /** The JWT `tid`: one sign-in of one account on one device. */
  id: string;
  accountId: string;
  createdAt: number;
  lastRefreshAt: number | null;
  /** Refresh rotation generation: the `rgn` of the current refresh token. */
  generation: number;
  /** When the current generation was issued (ms); the previous one's grace window starts here. */
  rotatedAt: number;
  /** Claims of the current generation's tokens, so a duplicate refresh gets identical tokens. */
  username: string;
  /** The session variables (session/vars.ts checks them); the store keeps them as given. */
  vars: Record<string, string>;
  issuedAtSec: number;
  tokenExpiresAtSec: number;
  refreshExpiresAtSec: number;
  clientIp: string | null;
  userAgent: string | null;
  revokedAt: number | null;
  revokedReason: string | null;
}

/** The fields a rotation replaces; applied only if the session is still at `fromGeneration`. */
export type SessionRotation = Pick<
  SessionRow,
  "generation" | "rotatedAt" | "username" | "vars" | "issuedAtSec" | "tokenExpiresAtSec" | "refreshExpiresAtSec" | "clientIp" | "userAgent"
>;

export type RevocationReason = "logout" | "logout_all" | "ended" | "refresh_reuse" | "single_session" | "banned" | "deleted";

/** A revoked session as the cluster's database poll reads it (`cluster/revocation-poll.ts`). */
export interface RevokedSession {
  id: string;
  accountId: string;
  /** Unix ms, from the clock of the node that revoked it. */
  revokedAt: number;
  reason: RevocationReason;
}

/** Where a page of `listRevokedSessions` continues: after this row. */
export interface RevokedSessionCursor {
  revokedAt: number;
  id: string;
}

/** A unique value is taken: which one. */
export class StoreConflictError extends Error {
  /**
   * `identity`: another account holds the identity; `provider` names whose (a device, an email …),
   * so the caller answers with that provider's message.
   */
  constructor(
    readonly field: "username" | "identity" | "id" | "ticket_handle" | "auth_session" | "game_server" | "console_user",
    readonly provider?: string,
  ) {
    super(`unique constraint: ${field}${provider === undefined ? "" : ` (${provider})`}`);
    this.name = "StoreConflictError";
  }
}

/** The backend cannot be reached or failed; the request may succeed later (HTTP 503). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

export type UnlinkResult = "unlinked" | "not_linked" | "last_identity";

export interface Store {
  /** Tickets, auth sessions, licenses, game-server credentials and ticket keys. */
  readonly tickets: TicketStore;
  /** Console users and sessions, the audit log and activity counts, account search (the operator side). */
  readonly admin: AdminStore;
  /** Code-Link sign-in codes (docs/code-link.md). */
  readonly codeLinks: CodeLinkStore;

  /**
   * Creates an account with an optional first identity, atomically. Throws StoreConflictError
   * ("username", "id", or "identity" with the identity's provider).
   */
  createAccount(account: NewAccount, identity: NewIdentity | undefined): Promise<AccountRow>;
  getAccount(id: string): Promise<AccountRow | undefined>;
  /** The account holding an identity. */
  findAccountByIdentity(key: IdentityKey): Promise<AccountRow | undefined>;
  findAccountByUsername(username: string): Promise<AccountRow | undefined>;
  /** An account's identities, of every provider, in link order. */
  listIdentities(accountId: string): Promise<IdentityRow[]>;
  /** The account and its identities (in link order) in one read: what `GET /v2/account` shows. */
  getAccountWithIdentities(id: string): Promise<{ account: AccountRow; identities: IdentityRow[] } | undefined>;
  /** Throws StoreConflictError("username"). Returns false if the account does not exist. */
  updateAccount(id: string, patch: AccountPatch, now: number): Promise<boolean>;
  /** Deletes an account with its identities and sessions (so its tokens stop working). False if absent. */
  deleteAccount(id: string): Promise<boolean>;
  /** Sets (with the ban's kind and reason) or clears `disable_time`. Returns false if the account does not exist. */
  setDisableTime(id: string, disableTime: number | null, now: number, ban?: Ban): Promise<boolean>;
  /**
   * Links an identity to an account, in one transaction that also sets the account's update time.
   * `replace`: the account's other identities of the same provider go (an account has one email,
   * custom id, Steam id); otherwise it is added (devices). The account's own identity again: its
   * profile and last use are refreshed (Steam's owner and VAC status). `passwordHash` given: set
   * on the account. Held by another account: StoreConflictError("identity", provider).
   */
  linkIdentity(accountId: string, identity: NewIdentity, opts: { replace: boolean; passwordHash?: string | null }, now: number): Promise<void>;
  /**
   * Unlinks, refusing to remove the account's last identity (all providers counted);
   * `clearPassword` also removes the account's password (an email goes with it).
   */
  unlinkIdentity(accountId: string, key: IdentityKey, now: number, opts?: { clearPassword?: boolean }): Promise<UnlinkResult>;

  /**
   * Writes a new session row if its account exists and is not disabled, checked in the same
   * statement as the insert: a ban stores `disable_time` and then revokes the live sessions, so a
   * sign-in racing it either is refused here or wrote a row the revocation finds. Throws
   * StoreConflictError("id") when the id is taken. `usedIdentity`: the identity the player signed
   * in with, whose last use is set in the same write.
   */
  createSession(session: SessionRow, usedIdentity?: IdentityKey): Promise<SessionCreation>;
  getSession(id: string): Promise<SessionRow | undefined>;
  /** A session row with its account's username and ban state in one read (what a refresh checks). */
  getSessionWithAccount(id: string): Promise<{ session: SessionRow; account: SessionAccount | undefined } | undefined>;
  /** Compare-and-swap rotation: true if the session was at `fromGeneration`, not revoked, and is now rotated. */
  rotateSession(id: string, fromGeneration: number, rotation: SessionRotation, now: number): Promise<boolean>;
  /** Revokes one session; false if it does not exist or was already revoked. */
  revokeSession(id: string, reason: RevocationReason, now: number): Promise<boolean>;
  /** Revokes every live session of an account, except `exceptId`; returns the ids revoked. */
  revokeAccountSessions(accountId: string, reason: RevocationReason, now: number, exceptId?: string): Promise<string[]>;
  /** Live (not revoked, refresh not expired) sessions of an account, newest first. */
  listSessions(accountId: string, nowSec: number): Promise<SessionRow[]>;
  /** Deletes sessions whose refresh token expired before `nowSec`; returns how many. */
  purgeExpiredSessions(nowSec: number): Promise<number>;
  /**
   * Sessions revoked at or after `since` (unix ms), oldest first (ties by id), at most `limit`;
   * `after` continues past the last row of the previous page. Read by the cluster's database poll.
   */
  listRevokedSessions(since: number, after: RevokedSessionCursor | undefined, limit: number): Promise<RevokedSession[]>;

  /** Resolves when the database answers a trivial query; throws StoreUnavailableError otherwise (readiness). */
  ping(): Promise<void>;

  /** Schema version after migrations. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
