/**
 * When player sessions end (logout, ban, single-session, reuse detection, deletion), validators
 * following tickets of those sessions get the matching response, and auth sessions those sessions
 * had begun as validators end. Called by `session/revocation.ts` after the revocation is stored.
 */
import type { Core } from "../core.js";
import type { RevocationReason } from "../store/store.js";
import { respond } from "./auth-session-events.js";
import { banResponse } from "./auth-sessions.js";
import { AuthSessionResponse } from "@tessera/protocol";

/** The response a validator gets when the player's session ended for `reason` (ban handled apart). */
const RESPONSE_FOR: Record<Exclude<RevocationReason, "banned">, AuthSessionResponse> = {
  logout: AuthSessionResponse.UserNotConnectedToSteam,
  logout_all: AuthSessionResponse.UserNotConnectedToSteam,
  ended: AuthSessionResponse.UserNotConnectedToSteam,
  refresh_reuse: AuthSessionResponse.UserNotConnectedToSteam,
  deleted: AuthSessionResponse.UserNotConnectedToSteam,
  single_session: AuthSessionResponse.LoggedInElseWhere,
};

export async function onSessionsRevoked(
  core: Pick<Core, "bus" | "clock" | "logger" | "metrics" | "store">,
  userId: string,
  sessionIds: readonly string[],
  reason: RevocationReason,
): Promise<void> {
  const touched = await core.store.tickets.liveAuthSessionsOfSessions(userId, sessionIds);
  if (touched.length === 0) return;
  const ended = new Set(sessionIds);
  let response: AuthSessionResponse | undefined;
  for (const session of touched) {
    if (session.userId === userId && ended.has(session.playerSessionId)) {
      if (response === undefined) {
        if (reason === "banned") {
          const account = await core.store.getAccount(userId);
          response = account ? banResponse(account) : AuthSessionResponse.PublisherIssuedBan;
        } else response = RESPONSE_FOR[reason];
      }
      await respond(core, session, response, { ownerId: null, borrowed: false });
    } else {
      // The validator itself signed out: nobody is left to receive responses.
      await core.store.tickets.endAuthSession(session.id, core.clock.now());
    }
  }
}
