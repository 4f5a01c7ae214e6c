/**
 * Logout and ending sessions. Revocation is a row update in the store: restart-proof, and checked
 * on every authenticated request and refresh.
 */
import type { Core } from "../core.js";
import { invalidArgument } from "../shared/api-error.js";
import { verifyAccessToken, verifyRefreshToken } from "./claims.js";
import type { Caller } from "./verify-access.js";
import { revokeAllSessions, revokeSession } from "./revocation.js";
import type { AuditActor } from "../audit/audit-events.js";

/**
 * Nakama's `SessionLogout`: with a token and/or refresh token, ends the sessions they belong to
 * (they must be the caller's); with neither, ends every session of the caller. `actor` (default:
 * the player) is who logs out, for the audit log.
 */
export async function logout(
  core: Pick<Core, "audit" | "bus" | "clock" | "keys" | "logger" | "metrics" | "store">,
  caller: Caller,
  body: { token?: string; refreshToken?: string },
  actor?: AuditActor,
): Promise<void> {
  const nowSec = Math.floor(core.clock.now() / 1000);
  const ids = new Set<string>();
  if (body.token) {
    const id = tokenSessionId(() => verifyAccessToken(body.token!, core.keys.access, nowSec), caller);
    if (id === undefined) throw invalidArgument("Session token invalid.");
    ids.add(id);
  }
  if (body.refreshToken) {
    const id = tokenSessionId(() => verifyRefreshToken(body.refreshToken!, core.keys.refresh, nowSec), caller);
    if (id === undefined) throw invalidArgument("Refresh token invalid.");
    ids.add(id);
  }
  if (ids.size === 0) {
    await revokeAllSessions(core, caller.userId, "logout_all", undefined, actor);
    return;
  }
  for (const id of ids) await revokeSession(core, caller.userId, id, "logout", actor);
}

function tokenSessionId(verify: () => { tid: string; uid: string }, caller: Caller): string | undefined {
  try {
    const claims = verify();
    return claims.uid === caller.userId ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}
