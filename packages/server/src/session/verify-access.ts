/**
 * Checking a bearer access token on every authenticated request: signature, algorithm and expiry,
 * then the session row (through the node's session cache), so logout and revocation hold at once,
 * across restarts.
 */
import type { Core } from "../core.js";
import { Messages, unauthenticated, type ApiError } from "../errors.js";
import type { SessionClaims } from "./claims.js";
import { verifyAccessToken } from "./claims.js";
import { TokenError } from "./jwt.js";
import type { SessionRow } from "../store/store.js";

export interface Caller {
  userId: string;
  username: string;
  sessionId: string;
  vars: Record<string, string>;
  expiresAtSec: number;
}

export const invalidAuthToken = (): ApiError => unauthenticated(Messages.authTokenInvalid);

/** Returns the caller of a valid, unrevoked access token, or throws 401 "Auth token invalid". */
export async function authenticateAccessToken(core: Core, token: string): Promise<Caller> {
  let claims: SessionClaims;
  try {
    claims = verifyAccessToken(token, core.keys.access, Math.floor(core.clock.now() / 1000));
  } catch (err) {
    if (err instanceof TokenError) throw invalidAuthToken();
    throw err;
  }
  const session = await readSession(core, claims.tid);
  if (!session || session.revokedAt !== null || session.accountId !== claims.uid) throw invalidAuthToken();
  return { userId: claims.uid, username: claims.usn, sessionId: claims.tid, vars: claims.vrs, expiresAtSec: claims.exp };
}

/** The session row, from the node's short-lived cache when it has it (session/session-cache.ts). */
async function readSession(core: Core, id: string): Promise<SessionRow | undefined> {
  const cached = core.sessionCache.get(id);
  if (cached) return cached;
  const readAt = core.clock.now();
  const row = await core.store.getSession(id);
  if (row) core.sessionCache.set(row, readAt);
  return row;
}
