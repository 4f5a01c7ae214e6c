/**
 * Periodic upkeep of the tickets domain on every node (each step is safe to run on several nodes
 * at once): validations left unanswered by a stopped node time out, and expired tickets, ended
 * auth sessions with their events, and long-retired signing keys are deleted.
 */
import type { Core } from "../core.js";
import { expireStalledValidations } from "./auth-sessions.js";

/** How long ended auth sessions, and events nobody acknowledged, are kept. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
const STALL_CHECK_MS = 5_000;
const PURGE_EVERY_MS = 60 * 60 * 1000;

export function startTicketMaintenance(core: Pick<Core, "bus" | "clock" | "config" | "logger" | "metrics" | "store">): () => void {
  const warn = (what: string) => (err: unknown) => core.logger.warn(`ticket maintenance: ${what} failed`, { error: String(err) });
  const stalls = setInterval(
    () => void expireStalledValidations(core).catch(warn("timing out stalled validations")),
    Math.min(STALL_CHECK_MS, core.config.tickets.validationTimeoutMs),
  );
  const purge = setInterval(() => void purgeTickets(core).catch(warn("purge")), PURGE_EVERY_MS);
  stalls.unref();
  purge.unref();
  return () => {
    clearInterval(stalls);
    clearInterval(purge);
  };
}

export async function purgeTickets(core: Pick<Core, "clock" | "config" | "store">): Promise<void> {
  const now = core.clock.now();
  await core.store.tickets.purgeTickets(now - 60 * 60 * 1000);
  await core.store.tickets.purgeAuthSessions(now - RETENTION_MS);
  // A retired key verifies tickets it signed until they expire; keep it a day beyond that.
  await core.store.tickets.purgeTicketKeys(now - core.config.tickets.ticketExpirySec * 1000 - RETENTION_MS);
}
