/**
 * Bans. Banning sets `disable_time` and revokes every session of the account at once (tokens
 * refused everywhere, sockets closed with notification -8 "banned"); sign-in and refresh then
 * answer 403. Unbanning clears `disable_time` only: revoked sessions stay revoked.
 */
import type { Core } from "../core.js";
import { invalidArgument, notFound } from "../shared/api-error.js";
import { revokeAllSessions } from "../session/revocation.js";
import { SYSTEM_ACTOR, type AuditActor } from "../audit/audit-events.js";

/**
 * Bans an account. `kind` "publisher" (default) or "vac" decides what ticket validators are told
 * (PublisherIssuedBan or VACBanned); any other kind is refused, as it comes from callers' input.
 * `reason` is kept for operators. `actor` is who banned, for the audit log.
 */
export async function banAccount(
  core: Core,
  userId: string,
  ban: { kind?: string | undefined; reason?: string | null | undefined } = {},
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<void> {
  const now = core.clock.now();
  const kind = ban.kind ?? "publisher";
  if (kind !== "publisher" && kind !== "vac") throw invalidArgument('Ban kind must be "publisher" or "vac".');
  const reason = ban.reason ?? null;
  if (reason !== null && (typeof reason !== "string" || reason.length > 512)) throw invalidArgument("Ban reason must be a string of at most 512 characters.");
  if (!(await core.store.setDisableTime(userId, now, now, { kind, reason }))) throw notFound("Account not found.");
  core.audit.record({ kind: "account_banned", actor, userId, details: { kind, reason } });
  await revokeAllSessions(core, userId, "banned", undefined, actor);
  core.logger.info("account banned", { user_id: userId, kind });
}

export async function unbanAccount(core: Core, userId: string, actor: AuditActor = SYSTEM_ACTOR): Promise<void> {
  if (!(await core.store.setDisableTime(userId, null, core.clock.now()))) throw notFound("Account not found.");
  core.audit.record({ kind: "account_unbanned", actor, userId });
  core.logger.info("account unbanned", { user_id: userId });
}
