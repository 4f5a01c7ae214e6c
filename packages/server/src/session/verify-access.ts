/**
 * Checking a bearer access token on every authenticated request: signature, algorithm and expiry,
 * then the session row (through the node's session cache), so logout and revocation hold at once,
 * across restarts.
 */
import type { Core } from "../core.js";
import { Messages, unauthenticated, type ApiError } from "../shared/api-error.js";
import type { SessionClaims } from "./claims.js";
import { verifyAccessToken } from "./claims.js";
import { TokenError } from "./jwt.js";

export interface Caller {
  userId: string;
  username: string;
  sessionId: string;
  vars: Record<string, string>;
  expiresAtSec: number;
}

export const invalidAuthToken = (): ApiError => unauthenticated(Messages.authTokenInvalid);

/** Returns the caller of a valid, unrevoked access token, or throws 401 "Auth token invalid". */
export async function authenticateAccessToken(core: Pick<Core, "clock" | "keys" | "sessionCache" | "store">, token: string): Promise<Caller> {
  let claims: SessionClaims;
  try {
    claims = verifyAccessToken(token, core.keys.access, Math.floor(core.clock.now() / 1000));
  } catch (err) {
    if (err instanceof TokenError) throw invalidAuthToken();
    throw err;
  }
  if ((await liveSessionAccount(core, claims.tid)) !== claims.uid) throw invalidAuthToken();
  return { userId: claims.uid, username: claims.usn, sessionId: claims.tid, vars: claims.vrs, expiresAtSec: claims.exp };
}

/** Whether the session is live and whose it is: from the node's short-lived cache when it knows (session/session-cache.ts). */
async function liveSessionAccount(core: Pick<Core, "clock" | "sessionCache" | "store">, id: string): Promise<string | undefined> {
  const cached = core.sessionCache.accountOf(id);
  if (cached !== undefined) return cached;
  const readAt = core.clock.now();
  const session = await core.store.getSession(id);
  if (!session || session.revokedAt !== null) return undefined;
  core.sessionCache.remember(id, session.accountId, readAt);
  return session.accountId;
}
