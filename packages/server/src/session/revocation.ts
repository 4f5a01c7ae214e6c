/**
 * Revoking sessions: the one path every revocation takes (logout, ending a session, reuse
 * detection, single-session, bans, account deletion). The store write makes it hold on every
 * request and across restarts; the bus message lets live sockets of those sessions be closed, and
 * validators following tickets of those sessions get their response.
 */
import type { Core } from "../core.js";
import type { RevocationReason } from "../store/store.js";
import { onSessionsRevoked } from "../tickets/session-changes.js";
import { SYSTEM_ACTOR, userActor, type AuditActor } from "../audit/audit-events.js";

/**
 * Revokes one session of `userId`; false if it was not live. `actor` is who ended it, for the
 * audit log: by default the player for logouts and ended sessions, the server for the rest.
 */
export async function revokeSession(
  core: Pick<Core, "audit" | "bus" | "clock" | "logger" | "metrics" | "store">,
  userId: string,
  sessionId: string,
  reason: RevocationReason,
  actor?: AuditActor,
): Promise<boolean> {
  const revoked = await core.store.revokeSession(sessionId, reason, core.clock.now());
  if (revoked) {
    core.metrics.revoked(reason, 1);
    await announce(core, userId, [sessionId], reason, actor);
  }
  return revoked;
}

/** Revokes every live session of `userId` (except `exceptId`); returns their ids. */
export async function revokeAllSessions(
  core: Pick<Core, "audit" | "bus" | "clock" | "logger" | "metrics" | "store">,
  userId: string,
  reason: RevocationReason,
  exceptId?: string,
  actor?: AuditActor,
): Promise<string[]> {
  const ids = await core.store.revokeAccountSessions(userId, reason, core.clock.now(), exceptId);
  if (ids.length > 0) {
    core.metrics.revoked(reason, ids.length);
    await announce(core, userId, ids, reason, actor);
  }
  return ids;
}

/** Reasons a player causes by default (a logout, ending a listed session, signing in with single_session). */
const BY_PLAYER: ReadonlySet<RevocationReason> = new Set(["logout", "logout_all", "ended", "single_session"]);

/** Audited; sockets of those sessions close (bus); validators of their tickets are told (tickets/). */
async function announce(
  core: Pick<Core, "audit" | "bus" | "clock" | "logger" | "metrics" | "store">,
  userId: string,
  sessionIds: string[],
  reason: RevocationReason,
  actor: AuditActor | undefined,
): Promise<void> {
  core.audit.record({
    kind: "sessions_ended",
    actor: actor ?? (BY_PLAYER.has(reason) ? userActor(userId) : SYSTEM_ACTOR),
    userId,
    details: { reason, session_ids: sessionIds },
  });
  await core.bus.publish({ type: "sessions_revoked", userId, sessionIds, reason });
  try {
    await onSessionsRevoked(core, userId, sessionIds, reason);
  } catch (err) {
    // The revocation itself is stored; a validator that misses this change still sees the
    // player's session gone on its next begin.
    core.logger.warn("could not notify ticket validators of ended sessions", { user_id: userId, error: String(err) });
  }
}
