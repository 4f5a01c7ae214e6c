/**
 * Revoking sessions: the one path every revocation takes (logout, ending a session, reuse
 * detection, single-session, bans, account deletion). The store write makes it hold on every
 * request and across restarts; the bus message lets live sockets of those sessions be closed, and
 * validators following tickets of those sessions get their response.
 */
import type { Core } from "../core.js";
import type { RevocationReason } from "../store/store.js";
import { onSessionsRevoked } from "../tickets/session-changes.js";

/** Revokes one session of `userId`; false if it was not live. */
export async function revokeSession(core: Core, userId: string, sessionId: string, reason: RevocationReason): Promise<boolean> {
  const revoked = await core.store.revokeSession(sessionId, reason, core.clock.now());
  if (revoked) {
    core.metrics.revoked(reason, 1);
    await announce(core, userId, [sessionId], reason);
  }
  return revoked;
}

/** Revokes every live session of `userId` (except `exceptId`); returns their ids. */
export async function revokeAllSessions(core: Core, userId: string, reason: RevocationReason, exceptId?: string): Promise<string[]> {
  const ids = await core.store.revokeAccountSessions(userId, reason, core.clock.now(), exceptId);
  if (ids.length > 0) {
    core.metrics.revoked(reason, ids.length);
    await announce(core, userId, ids, reason);
  }
  return ids;
}

/** Sockets of those sessions close (bus); validators of their tickets are told (tickets/). */
async function announce(core: Core, userId: string, sessionIds: string[], reason: RevocationReason): Promise<void> {
  await core.bus.publish({ type: "sessions_revoked", userId, sessionIds, reason });
  try {
    await onSessionsRevoked(core, userId, sessionIds, reason);
  } catch (err) {
    // The revocation itself is stored; a validator that misses this change still sees the
    // player's session gone on its next begin.
    core.logger.warn("could not notify ticket validators of ended sessions", { user_id: userId, error: String(err) });
  }
}
