/**
 * Operator actions that need more than one domain call: each checks the account, calls the
 * domain function players and runtime modules use too, and leaves an audit entry naming the
 * operator. Single calls (ban, unban, delete, end one session, licenses) are made by the routes
 * and the CLI directly, with the operator as the actor.
 */
import type { Core } from "../core.js";
import { invalidArgument, notFound } from "../shared/api-error.js";
import { revokeAllSessions } from "../session/revocation.js";
import { cancelAllTickets } from "../tickets/tickets.js";
import type { AuditActor } from "../audit/audit-events.js";

async function requireAccount(core: Pick<Core, "store">, userId: string): Promise<void> {
  if (!(await core.store.getAccount(userId))) throw notFound("Account not found.");
}

/** Ends every live session of an account (its tokens are refused at once, its sockets close). */
export async function endAllSessions(
  core: Pick<Core, "audit" | "bus" | "clock" | "logger" | "metrics" | "store">,
  userId: string,
  actor: AuditActor,
): Promise<{ ended: number }> {
  await requireAccount(core, userId);
  return { ended: (await revokeAllSessions(core, userId, "logout_all", undefined, actor)).length };
}

/** Cancels the account's open tickets; validators holding them get AuthTicketCanceled. */
export async function cancelTicketsOf(
  core: Pick<Core, "audit" | "bus" | "clock" | "logger" | "metrics" | "store">,
  userId: string,
  actor: AuditActor,
): Promise<{ canceled: number }> {
  await requireAccount(core, userId);
  const canceled = await cancelAllTickets(core, userId);
  core.audit.record({ kind: "tickets_canceled", actor, userId, details: { count: canceled } });
  return { canceled };
}

/** An RFC 3339 time (`2030-01-01T00:00:00Z`) as unix ms; absent or empty: null. */
export function parseRfc3339(value: unknown, setting: string): number | null {
  if (value === undefined || value === null || value === "") return null;
  const ms = typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalidArgument(`Invalid ${setting}: expected an RFC 3339 time such as 2030-01-31T12:00:00Z.`);
  return ms;
}
