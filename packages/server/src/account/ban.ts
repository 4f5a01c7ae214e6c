/**
 * Bans. Banning sets `disable_time` and revokes every session of the account at once (tokens
 * refused everywhere, sockets closed with notification -8 "banned"); sign-in and refresh then
 * answer 403. Unbanning clears `disable_time` only: revoked sessions stay revoked.
 */
import type { Core } from "../core.js";
import { notFound } from "../errors.js";
import { revokeAllSessions } from "../session/revocation.js";

export async function banAccount(core: Core, userId: string): Promise<void> {
  const now = core.clock.now();
  if (!(await core.store.setDisableTime(userId, now, now))) throw notFound("Account not found.");
  await revokeAllSessions(core, userId, "banned");
  core.logger.info("account banned", { user_id: userId });
}

export async function unbanAccount(core: Core, userId: string): Promise<void> {
  if (!(await core.store.setDisableTime(userId, null, core.clock.now()))) throw notFound("Account not found.");
  core.logger.info("account unbanned", { user_id: userId });
}
