/**
 * Hourly clean-up of the operator side: expired console sessions, audit events past
 * `audit.retention_days`, and activity counts older than the dashboard shows.
 */
import type { Core } from "../core.js";

const INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The dashboard shows the last hour; two days leave room for looking back after an incident. */
const ACTIVITY_KEEP_MS = 2 * DAY_MS;

/** Runs one clean-up pass; returns what it deleted. */
export async function purgeOperatorData(
  core: Pick<Core, "store" | "clock" | "config">,
): Promise<{ consoleSessions: number; auditEvents: number; activityCounts: number }> {
  const now = core.clock.now();
  const retention = core.config.audit.retentionDays;
  return {
    consoleSessions: await core.store.admin.purgeConsoleSessions(now),
    auditEvents: retention === 0 ? 0 : await core.store.admin.purgeAuditEvents(now - retention * DAY_MS),
    activityCounts: await core.store.admin.purgeActivityCounts(now - ACTIVITY_KEEP_MS),
  };
}

/** Starts the hourly clean-up; returns its stop function. */
export function startAdminMaintenance(core: Pick<Core, "clock" | "config" | "logger" | "store">): () => void {
  const timer = setInterval(() => {
    purgeOperatorData(core).catch((err: unknown) => core.logger.warn("operator data clean-up failed", { error: String(err) }));
  }, INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
