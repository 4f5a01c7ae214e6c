/** How the console writes times, actors and audit events. */
import type { AuditEvent } from "./api.js";

export function time(iso: string | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function actor(a: AuditEvent["actor"]): string {
  return a.id ? `${a.type}:${a.id}` : a.type;
}

/** The audit log's event kinds (docs/console.md), with what the console calls them. */
export const AUDIT_KINDS: readonly (readonly [string, string])[] = [
  ["sign_in", "Sign-in"],
  ["sign_in_failed", "Refused sign-in"],
  ["refresh_reuse_detected", "Refresh token reuse"],
  ["sessions_ended", "Sessions ended"],
  ["code_link_generated", "Sign-in code generated"],
  ["code_link_confirmed", "Sign-in code confirmed"],
  ["account_banned", "Banned"],
  ["account_unbanned", "Unbanned"],
  ["account_deleted", "Account deleted"],
  ["license_granted", "License granted"],
  ["license_revoked", "License revoked"],
  ["license_lent", "License lent"],
  ["license_loan_ended", "Loan ended"],
  ["tickets_canceled", "Tickets cancelled"],
  ["ticket_key_rotated", "Ticket key rotated"],
  ["console_sign_in", "Console sign-in"],
  ["console_sign_in_failed", "Refused console sign-in"],
  ["console_sign_out", "Console sign-out"],
  ["console_user_created", "Console user created"],
  ["console_user_updated", "Console user changed"],
  ["console_user_deleted", "Console user deleted"],
];

export function kindLabel(kind: string): string {
  return AUDIT_KINDS.find(([k]) => k === kind)?.[1] ?? kind;
}

/** `key: value` pairs of an event's details, lists joined. */
export function details(d: Record<string, unknown>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${Array.isArray(v) ? v.join(", ") : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`)
    .join("; ");
}
