/**
 * Session listing for players: their live sessions (device, times, address) and ending one.
 */
import type { SessionInfo } from "@tessera/protocol";
import type { Core } from "../core.js";
import { notFound } from "../shared/api-error.js";
import type { SessionRow } from "../store/store.js";
import { rfc3339 } from "../shared/time.js";
import type { Caller } from "./verify-access.js";
import { revokeSession } from "./revocation.js";
import type { AuditActor } from "../audit/audit-events.js";
import { UUID } from "../shared/ids.js";

/** The caller's live sessions, newest first. */
export async function listOwnSessions(core: Pick<Core, "clock" | "store">, caller: Caller): Promise<{ sessions: SessionInfo[] }> {
  const rows = await core.store.listSessions(caller.userId, Math.floor(core.clock.now() / 1000));
  return { sessions: rows.map((s) => sessionInfo(s, caller.sessionId)) };
}

/**
 * Ends one of the caller's sessions; 404 if it is not a live session of theirs. Session ids are
 * UUIDs; anything else names no session (and never reaches the database).
 */
export async function endOwnSession(
  core: Pick<Core, "audit" | "bus" | "clock" | "logger" | "metrics" | "store">,
  caller: Caller,
  sessionId: string,
): Promise<void> {
  await endSession(core, caller.userId, sessionId);
}

/** Ends one session of `userId` (by default the player acts; operators pass themselves); 404 if it is not a live session of that account. */
export async function endSession(
  core: Pick<Core, "audit" | "bus" | "clock" | "logger" | "metrics" | "store">,
  userId: string,
  sessionId: string,
  actor?: AuditActor,
): Promise<void> {
  const session = UUID.test(sessionId) ? await core.store.getSession(sessionId) : undefined;
  if (!session || session.accountId !== userId || session.revokedAt !== null) throw notFound("Session not found.");
  await revokeSession(core, userId, sessionId, "ended", actor);
}

export function sessionInfo(s: SessionRow, currentId: string | undefined): SessionInfo {
  const info: SessionInfo = {
    id: s.id,
    create_time: rfc3339(s.createdAt),
    expire_time: rfc3339(s.refreshExpiresAtSec * 1000),
    current: s.id === currentId,
  };
  if (s.lastRefreshAt !== null) info.last_refresh_time = rfc3339(s.lastRefreshAt);
  if (s.clientIp) info.client_ip = s.clientIp;
  if (s.userAgent) info.user_agent = s.userAgent;
  return info;
}
