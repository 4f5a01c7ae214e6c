/**
 * Rows as both stores return them (the same column names in SQLite and PostgreSQL) to the Store
 * interface's row types. PostgreSQL BIGINTs arrive as numbers because the store registers a parser.
 */
import type { AccountRow, BanKind, IdentityProfile, IdentityRow, RevocationReason, RevokedSession, SessionAccount, SessionRow } from "./store.js";

export type Row = Record<string, unknown>;

/** A number column (PostgreSQL BIGINTs are parsed to numbers; COUNT(*) too). */
export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function toAccount(r: Row): AccountRow {
  return {
    id: r["id"] as string,
    username: r["username"] as string,
    displayName: r["display_name"] as string | null,
    avatarUrl: r["avatar_url"] as string | null,
    langTag: r["lang_tag"] as string,
    location: r["location"] as string | null,
    timezone: r["timezone"] as string | null,
    metadata: r["metadata"] as string,
    passwordHash: r["password_hash"] as string | null,
    createTime: r["create_time"] as number,
    updateTime: r["update_time"] as number,
    verifyTime: r["verify_time"] as number | null,
    disableTime: r["disable_time"] as number | null,
    banKind: (r["ban_kind"] as BanKind | null | undefined) ?? null,
    banReason: (r["ban_reason"] as string | null | undefined) ?? null,
  };
}

/** The columns of `identities` every identity read selects (`toIdentity`). */
export const IDENTITY_COLUMNS = "provider, subject, account_id, create_time, last_use_time, profile";

export function toIdentity(r: Row): IdentityRow {
  return {
    provider: r["provider"] as string,
    subject: r["subject"] as string,
    accountId: r["account_id"] as string,
    createTime: num(r["create_time"]),
    lastUseTime: num(r["last_use_time"]),
    profile: parseProfile(r["profile"] as string),
  };
}

/** The columns of `accounts` every account read selects (named, so PostgreSQL prepares every statement). */
export const ACCOUNT_COLUMN_LIST = [
  "id",
  "username",
  "display_name",
  "avatar_url",
  "lang_tag",
  "location",
  "timezone",
  "metadata",
  "password_hash",
  "create_time",
  "update_time",
  "verify_time",
  "disable_time",
  "ban_kind",
  "ban_reason",
] as const;
export const ACCOUNT_COLUMNS = ACCOUNT_COLUMN_LIST.join(", ");
/** The same, of the account aliased `a` in a join. */
export const A_ACCOUNT_COLUMNS = ACCOUNT_COLUMN_LIST.map((c) => `a.${c}`).join(", ");

/** The columns of `sessions` every session read selects, in table order. */
export const SESSION_COLUMN_LIST = [
  "id",
  "account_id",
  "created_at",
  "last_refresh_at",
  "generation",
  "rotated_at",
  "username",
  "vars",
  "issued_at_sec",
  "token_expires_at_sec",
  "refresh_expires_at_sec",
  "client_ip",
  "user_agent",
  "revoked_at",
  "revoked_reason",
] as const;
export const SESSION_COLUMNS = SESSION_COLUMN_LIST.join(", ");
/** The same, of the session aliased `s` in a join. */
export const S_SESSION_COLUMNS = SESSION_COLUMN_LIST.map((c) => `s.${c}`).join(", ");

/**
 * Identities aggregated into one JSON array of `[provider, subject, create_time, last_use_time,
 * profile]` arrays (a column of an account read, so the account and its identities are one
 * statement): SQLite hands the array over as text, PostgreSQL's json as parsed.
 */
export function identitiesFromJson(accountId: string, value: unknown): IdentityRow[] {
  const tuples = (typeof value === "string" ? JSON.parse(value) : value) as [string, string, number, number, string][];
  return tuples.map(([provider, subject, createTime, lastUseTime, profile]) => ({
    provider,
    subject,
    accountId,
    createTime: Number(createTime),
    lastUseTime: Number(lastUseTime),
    profile: parseProfile(profile),
  }));
}

function parseProfile(text: string): IdentityProfile {
  return JSON.parse(text) as IdentityProfile;
}

export function toSession(r: Row): SessionRow {
  return {
    id: r["id"] as string,
    accountId: r["account_id"] as string,
    createdAt: r["created_at"] as number,
    lastRefreshAt: r["last_refresh_at"] as number | null,
    generation: r["generation"] as number,
    rotatedAt: r["rotated_at"] as number,
    username: r["username"] as string,
    vars: JSON.parse(r["vars"] as string) as Record<string, string>,
    issuedAtSec: r["issued_at_sec"] as number,
    tokenExpiresAtSec: r["token_expires_at_sec"] as number,
    refreshExpiresAtSec: r["refresh_expires_at_sec"] as number,
    clientIp: r["client_ip"] as string | null,
    userAgent: r["user_agent"] as string | null,
    revokedAt: r["revoked_at"] as number | null,
    revokedReason: r["revoked_reason"] as string | null,
  };
}

/** A session row read with its account's `account_username` and `account_disable_time` (NULL username: no account). */
export function toSessionWithAccount(r: Row): { session: SessionRow; account: SessionAccount | undefined } {
  const username = r["account_username"] as string | null;
  return {
    session: toSession(r),
    account: username === null ? undefined : { username, disableTime: r["account_disable_time"] as number | null },
  };
}

export function toRevokedSession(r: Row): RevokedSession {
  return {
    id: r["id"] as string,
    accountId: r["account_id"] as string,
    revokedAt: r["revoked_at"] as number,
    // Written only by revocation.ts; a reason added by a newer node passes through as text.
    reason: r["revoked_reason"] as RevocationReason,
  };
}
