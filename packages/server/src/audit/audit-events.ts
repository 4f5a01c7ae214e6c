/**
 * The audit log's vocabulary: who acts (actors), what happened (event kinds, stable strings that
 * filters and dashboards match on) and what is counted per minute (activity kinds). docs/console.md
 * lists every kind with its details.
 */
import type { AuditActorType } from "../store/admin-store.js";

/** Who did it: a player (by user id), a console user (by name), the CLI, a runtime module or the server. */
export interface AuditActor {
  type: AuditActorType;
  id: string | null;
}

export const userActor = (userId: string): AuditActor => ({ type: "user", id: userId });
export const adminActor = (username: string): AuditActor => ({ type: "admin", id: username });
export const CLI_ACTOR: AuditActor = Object.freeze({ type: "cli", id: null });
export const RUNTIME_ACTOR: AuditActor = Object.freeze({ type: "runtime", id: null });
export const SYSTEM_ACTOR: AuditActor = Object.freeze({ type: "system", id: null });

export const AUDIT_KINDS = [
  /** A player signed in: `{provider, created}`. */
  "sign_in",
  /** A sign-in refused for a wrong password or a ban: `{provider, reason}`. */
  "sign_in_failed",
  /** A signed-out device asked for a Code-Link sign-in code (actor: system; the device's address): `{code_link_session_id, identifier}`. */
  "code_link_generated",
  /** A player confirmed a Code-Link code; the waiting device signs in as them: `{code_link_session_id, identifier}`. */
  "code_link_confirmed",
  /** A rotated-out refresh token came back after the grace window; its session was revoked: `{session_id, generation, current}`. */
  "refresh_reuse_detected",
  /** Sessions ended (logout, ended from a list, reuse, single_session, ban, deletion): `{reason, session_ids}`. */
  "sessions_ended",
  /** `{kind, reason}` */
  "account_banned",
  "account_unbanned",
  "account_deleted",
  /** `{expire_time?}` */
  "license_granted",
  /** `{loans_ended}` */
  "license_revoked",
  /** Subject: the owner. `{borrower_id}` */
  "license_lent",
  /** Subject: the owner. `{borrower_id}` */
  "license_loan_ended",
  /** An operator cancelled a player's open tickets: `{count}`. */
  "tickets_canceled",
  /** `{kid}` */
  "ticket_key_rotated",
  /** A console user signed in (actor: that user). */
  "console_sign_in",
  /** `{username, reason}`: unknown_user, wrong_password or disabled. */
  "console_sign_in_failed",
  "console_sign_out",
  /** `{username, role}` */
  "console_user_created",
  /** `{username, role?, disabled?}` */
  "console_user_updated",
  /** `{username}` */
  "console_user_deleted",
] as const;

export type AuditKind = (typeof AUDIT_KINDS)[number];

export function isAuditKind(kind: string): kind is AuditKind {
  return (AUDIT_KINDS as readonly string[]).includes(kind);
}

/** One event as domain code records it; the log adds the id and the time. */
export interface AuditEvent {
  kind: AuditKind;
  actor: AuditActor;
  /** The account the event is about. */
  userId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** What the dashboard counts per minute, summed over every node. */
export const ACTIVITY_KINDS = ["sign_in", "sign_in_failed", "refresh", "server_error"] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];
