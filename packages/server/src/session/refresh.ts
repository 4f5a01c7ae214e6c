/**
 * Refresh with rotation and reuse detection (RFC 9700 §4.14.2). Each refresh token carries its
 * generation (`rgn`). Presenting the current generation rotates the session (compare-and-swap in
 * the store, so concurrent refreshes have exactly one winner). Presenting the generation just
 * rotated out, within `session.refresh_reuse_grace_sec` of the rotation, returns the current
 * tokens again — identical bytes, since signing is deterministic — so a client's parallel
 * refreshes all succeed and leave one usable refresh token. Any other stale generation is reuse:
 * the whole session is revoked.
 */
import type { ClientInfo, Core } from "../core.js";
import { Messages, invalidArgument, notFound, permissionDenied, unauthenticated } from "../shared/api-error.js";
import type { SessionRow } from "../store/store.js";
import { verifyRefreshToken, type RefreshClaims } from "./claims.js";
import { signSessionTokens, tokenTimes, type SessionTokens } from "./issue.js";
import { TokenError } from "./jwt.js";
import type { Vars } from "./vars.js";
import { revokeSession } from "./revocation.js";
import { SYSTEM_ACTOR } from "../audit/audit-events.js";

/** How many times a lost compare-and-swap is re-evaluated before giving up (never reached in practice). */
const MAX_ATTEMPTS = 5;

export interface RefreshRequest {
  refreshToken: string | undefined;
  /** Absent or `{}`: keep the session's vars. Non-empty: replace them wholesale. */
  vars: Vars | undefined;
}

export async function refreshSession(
  core: Pick<Core, "audit" | "bus" | "clock" | "config" | "keys" | "logger" | "metrics" | "store">,
  req: RefreshRequest,
  client: ClientInfo,
): Promise<SessionTokens> {
  if (req.refreshToken === undefined || req.refreshToken === "") throw invalidArgument(Messages.refreshTokenRequired);
  const invalid = (outcome: "invalid" | "reuse_detected" = "invalid") => {
    core.metrics.refresh(outcome);
    return unauthenticated(Messages.refreshTokenInvalid);
  };
  const banned = () => {
    core.metrics.refresh("banned");
    return permissionDenied(Messages.accountBanned);
  };

  let claims: RefreshClaims;
  try {
    claims = verifyRefreshToken(req.refreshToken, core.keys.refresh, Math.floor(core.clock.now() / 1000));
  } catch (err) {
    if (err instanceof TokenError) throw invalid();
    throw err;
  }

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // The session and its account in one read.
    const found = await core.store.getSessionWithAccount(claims.tid);
    if (!found || found.session.accountId !== claims.uid) throw invalid();
    const { session, account } = found;
    if (session.revokedAt !== null) {
      // A ban revokes every session; while it lasts, say so (403) rather than "invalid", so the
      // client can tell the player. Once lifted, the revoked session stays refused.
      if (session.revokedReason === "banned" && account?.disableTime != null) throw banned();
      throw invalid();
    }

    const now = core.clock.now();
    if (claims.rgn === session.generation) {
      if (!account) throw notFound(Messages.accountNotFound);
      if (account.disableTime !== null) throw banned();

      const next: SessionRow = {
        ...session,
        generation: session.generation + 1,
        rotatedAt: now,
        username: account.username,
        vars: req.vars !== undefined && Object.keys(req.vars).length > 0 ? req.vars : session.vars,
        ...tokenTimes(core, now),
        clientIp: client.ip,
        userAgent: client.userAgent,
        lastRefreshAt: now,
      };
      if (await core.store.rotateSession(session.id, session.generation, next, now)) {
        core.audit.count("refresh");
        core.metrics.refresh("rotated");
        return signSessionTokens(core, next);
      }
      continue; // Lost the race: re-read and answer as a duplicate.
    }

    const graceMs = core.config.session.refreshReuseGraceSec * 1000;
    if (claims.rgn === session.generation - 1 && now - session.rotatedAt <= graceMs) {
      if (account?.disableTime != null) throw banned();
      core.metrics.refresh("grace_duplicate");
      return signSessionTokens(core, session);
    }

    if (claims.rgn < session.generation) {
      core.audit.record({
        kind: "refresh_reuse_detected",
        actor: SYSTEM_ACTOR,
        userId: session.accountId,
        ip: client.ip,
        details: { session_id: session.id, generation: claims.rgn, current: session.generation },
      });
      await revokeSession(core, session.accountId, session.id, "refresh_reuse");
      core.logger.warn("refresh token reuse detected; session revoked", {
        session_id: session.id,
        user_id: session.accountId,
        generation: claims.rgn,
        current: session.generation,
      });
      throw invalid("reuse_detected");
    }
    throw invalid();
  }
  throw invalid();
}
