/**
 * Starting a session and signing its tokens. A session row is written before tokens are handed
 * out, so every token that exists has a row to be revoked through.
 */
import type { ClientInfo, Core } from "../core.js";
import { Messages, notFound, permissionDenied } from "../shared/api-error.js";
import type { IdentityKey, SessionRow } from "../store/store.js";
import { signAccessToken, signRefreshToken } from "./claims.js";
import type { Vars } from "./vars.js";
import { revokeAllSessions } from "./revocation.js";
import { rowIds } from "../shared/ids.js";

export interface SessionTokens {
  token: string;
  refresh_token: string;
}

/** Creates a session for an account and returns its first token pair. `usedIdentity`: the identity signed in with (its last use is recorded). */
export async function startSession(
  core: Pick<Core, "audit" | "bus" | "clock" | "config" | "keys" | "logger" | "metrics" | "store">,
  account: { id: string; username: string },
  vars: Vars,
  client: ClientInfo,
  usedIdentity?: IdentityKey,
): Promise<SessionTokens> {
  const now = core.clock.now();
  const session = newSessionRow(account, vars, client, now, tokenTimes(core, now));
  if (core.config.session.singleSession) {
    await revokeAllSessions(core, account.id, "single_session");
  }
  await storeSession(core, session, usedIdentity);
  return signSessionTokens(core, session);
}

/**
 * Writes a new session row, for an account that still exists and is not banned: the store checks
 * both in the insert itself. A ban stores `disable_time`, then revokes the account's live
 * sessions; a sign-in that read the account before the ban either finds the ban at its insert,
 * or wrote a row the ban's revocation ends (several nodes, or one PostgreSQL pool, interleave the
 * two freely). An account deleted meanwhile answers 404, not 500.
 */
async function storeSession(core: Pick<Core, "store">, session: SessionRow, usedIdentity?: IdentityKey): Promise<void> {
  const created = await core.store.createSession(session, usedIdentity);
  if (created === "account_missing") throw notFound(Messages.accountNotFound);
  if (created === "account_disabled") throw permissionDenied(Messages.accountBanned);
}

/**
 * Starts a session that has only an access token, issued by the server itself (runtime
 * `nk.authenticateTokenGenerate`) rather than by a sign-in. It has a row like every session, so it
 * is listed and revoked like any other; no refresh token exists for it, and the row lives until
 * the token expires. `single_session` does not apply: this is not a sign-in of the player.
 */
export async function startAccessOnlySession(
  core: Pick<Core, "clock" | "keys" | "store">,
  account: { id: string; username: string },
  vars: Vars,
  expiresAtSec: number,
  client: ClientInfo,
): Promise<{ token: string; exp: number }> {
  const now = core.clock.now();
  const times = { issuedAtSec: Math.floor(now / 1000), tokenExpiresAtSec: expiresAtSec, refreshExpiresAtSec: expiresAtSec };
  const session = newSessionRow(account, vars, client, now, times);
  await storeSession(core, session);
  const claims = { tid: session.id, uid: account.id, usn: account.username, vrs: vars, iat: session.issuedAtSec, exp: expiresAtSec };
  return { token: signAccessToken(claims, core.keys.access), exp: expiresAtSec };
}

type TokenTimes = Pick<SessionRow, "issuedAtSec" | "tokenExpiresAtSec" | "refreshExpiresAtSec">;

function newSessionRow(account: { id: string; username: string }, vars: Vars, client: ClientInfo, now: number, times: TokenTimes): SessionRow {
  return {
    id: rowIds.next(now),
    accountId: account.id,
    createdAt: now,
    lastRefreshAt: null,
    generation: 0,
    rotatedAt: now,
    username: account.username,
    vars,
    ...times,
    clientIp: client.ip,
    userAgent: client.userAgent,
    revokedAt: null,
    revokedReason: null,
  };
}

/** Issue and expiry times (unix seconds) of a token pair issued at `now` (ms). */
export function tokenTimes(core: Pick<Core, "config">, now: number): TokenTimes {
  const nowSec = Math.floor(now / 1000);
  return {
    issuedAtSec: nowSec,
    tokenExpiresAtSec: nowSec + core.config.session.tokenExpirySec,
    refreshExpiresAtSec: nowSec + core.config.session.refreshTokenExpirySec,
  };
}

/** Signs the current generation's tokens of a session. Deterministic: same row, same tokens. */
export function signSessionTokens(core: Pick<Core, "keys">, s: SessionRow): SessionTokens {
  const claims = { tid: s.id, uid: s.accountId, usn: s.username, vrs: s.vars, iat: s.issuedAtSec };
  return {
    token: signAccessToken({ ...claims, exp: s.tokenExpiresAtSec }, core.keys.access),
    refresh_token: signRefreshToken({ ...claims, exp: s.refreshExpiresAtSec, rgn: s.generation }, core.keys.refresh),
  };
}
