/**
 * The console dashboard's live figures: live sessions and accounts from the store, and sign-ins,
 * refused sign-ins, refreshes and server errors per minute from the activity counts every node
 * adds to (audit/audit-log.ts). Rates are over the last 60 seconds: the current minute plus the
 * part of the previous minute that is still inside the window.
 */
import type { Dashboard, Figures } from "@tessera/protocol";
import type { Core } from "../core.js";
import { ACTIVITY_KINDS, type ActivityKind } from "../audit/audit-events.js";

const MINUTE_MS = 60_000;
/** Minutes the series covers, the current one included. */
const SERIES_MINUTES = 60;

const FIGURE_NAMES: Record<ActivityKind, "sign_ins" | "sign_in_failures" | "refreshes" | "server_errors"> = {
  sign_in: "sign_ins",
  sign_in_failed: "sign_in_failures",
  refresh: "refreshes",
  server_error: "server_errors",
};

const zero = (): Figures => ({ sign_ins: 0, sign_in_failures: 0, refreshes: 0, server_errors: 0 });

export async function dashboard(core: Pick<Core, "store" | "audit" | "clock">): Promise<Dashboard> {
  await core.audit.flush();
  const now = core.clock.now();
  const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const first = current - (SERIES_MINUTES - 1) * MINUTE_MS;
  const byMinute = new Map<number, Figures>();
  for (let m = first; m <= current; m += MINUTE_MS) byMinute.set(m, zero());
  for (const c of await core.store.admin.activityCounts(first)) {
    const figures = byMinute.get(c.minute);
    if (figures && (ACTIVITY_KINDS as readonly string[]).includes(c.kind)) figures[FIGURE_NAMES[c.kind as ActivityKind]] += c.count;
  }
  const previousWeight = 1 - (now - current) / MINUTE_MS;
  const perMinute = zero();
  const thisMinute = byMinute.get(current)!;
  const lastMinute = byMinute.get(current - MINUTE_MS)!;
  for (const name of Object.keys(perMinute) as (keyof Figures)[]) perMinute[name] = Math.round(thisMinute[name] + lastMinute[name] * previousWeight);
  const [sessions, accounts] = await Promise.all([core.store.admin.countLiveSessions(Math.floor(now / 1000)), core.store.admin.countAccounts()]);
  return {
    time: new Date(now).toISOString(),
    active_sessions: sessions,
    accounts: accounts.total,
    banned_accounts: accounts.banned,
    per_minute: perMinute,
    series: [...byMinute].map(([minute, figures]) => ({ minute: new Date(minute).toISOString(), ...figures })),
  };
}
