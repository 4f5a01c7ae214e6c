/**
 * Revoking sessions: the one path every revocation takes (logout, ending a session, reuse
 * detection, single-session, bans, account deletion). The store write makes it hold on every
 * request and across restarts; the bus message lets live sockets of those sessions be closed.
 */
import type { Core } from "../core.js";
import type { RevocationReason } from "../store/store.js";

/** Revokes one session of `userId`; false if it was not live. */
export async function revokeSession(core: Core, userId: string, sessionId: string, reason: RevocationReason): Promise<boolean> {
  const revoked = await core.store.revokeSession(sessionId, reason, core.clock.now());
  if (revoked) await core.bus.publish({ type: "sessions_revoked", userId, sessionIds: [sessionId], reason });
  return revoked;
}

/** Revokes every live session of `userId` (except `exceptId`); returns their ids. */
export async function revokeAllSessions(core: Core, userId: string, reason: RevocationReason, exceptId?: string): Promise<string[]> {
  const ids = await core.store.revokeAccountSessions(userId, reason, core.clock.now(), exceptId);
  if (ids.length > 0) await core.bus.publish({ type: "sessions_revoked", userId, sessionIds: ids, reason });
  return ids;
}
