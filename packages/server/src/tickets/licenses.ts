/**
 * Licenses: an account's right to play this deployment's app. An own license has the account as
 * owner; family sharing lends the owner's app to a borrower, and validators then see the lender
 * as the game owner with `is_borrowed` true. With `tickets.require_license` false (the default)
 * every account owns the app implicitly; explicit rows still win (a borrower is reported as
 * borrowing). A Steam player whose game Steam reports as borrowed (`ownersteamid`, recorded at
 * Steam sign-in) borrows from the Tessera account linked to that Steam id, when there is one. Revoking a license or ending a loan sends NoLicenseOrExpired to the validators of
 * players left without one.
 */
import type { Core } from "../core.js";
import { failedPrecondition, invalidArgument, notFound } from "../shared/api-error.js";
import { rfc3339 } from "../shared/time.js";
import type { LicenseRow } from "../store/ticket-store.js";
import { respond } from "./auth-session-events.js";
import { AuthSessionResponse, type LicenseJson, type LicensesJson } from "@tessera/protocol";
import { SYSTEM_ACTOR, userActor, type AuditActor } from "../audit/audit-events.js";

export interface Ownership {
  ownerId: string;
  borrowed: boolean;
}

const valid = (row: LicenseRow, now: number): boolean => row.expiresAt === null || row.expiresAt > now;

/** Who owns the copy `userId` plays, or undefined when it has no license (only with require_license). */
export async function resolveOwnership(core: Pick<Core, "clock" | "config" | "store">, userId: string): Promise<Ownership | undefined> {
  const now = core.clock.now();
  const rows = (await core.store.tickets.licensesOf(userId)).filter((r) => valid(r, now));
  if (rows.some((r) => r.ownerId === userId)) return { ownerId: userId, borrowed: false };
  for (const loan of rows) {
    if (await holdsOwnLicense(core, loan.ownerId, now)) return { ownerId: loan.ownerId, borrowed: true };
  }
  const steamLender = await steamFamilyOwner(core, userId);
  if (steamLender !== undefined && (await holdsOwnLicense(core, steamLender, now))) return { ownerId: steamLender, borrowed: true };
  return core.config.tickets.requireLicense ? undefined : { ownerId: userId, borrowed: false };
}

/**
 * Steam family sharing: at the player's last Steam sign-in or link, Steam named another owner of
 * the game (`ownersteamid`). If that Steam id belongs to a Tessera account, it is the lender.
 */
async function steamFamilyOwner(core: Pick<Core, "store">, userId: string): Promise<string | undefined> {
  const steam = (await core.store.listIdentities(userId)).find((i) => i.provider === "steam");
  // The `steam` identity's profile holds Steam's `ownersteamid` when it differed (auth/providers/steam.ts).
  const ownerId = steam?.profile["owner_id"];
  if (steam === undefined || typeof ownerId !== "string" || ownerId === "" || ownerId === steam.subject) return undefined;
  const owner = await core.store.findAccountByIdentity({ provider: "steam", subject: ownerId });
  return owner && owner.id !== userId ? owner.id : undefined;
}

async function holdsOwnLicense(core: Pick<Core, "config" | "store">, userId: string, now: number): Promise<boolean> {
  if (!core.config.tickets.requireLicense) return true;
  return (await core.store.tickets.licensesOf(userId)).some((r) => r.ownerId === userId && valid(r, now));
}

async function requireAccount(core: Pick<Core, "store">, userId: string, what: string): Promise<void> {
  if (!(await core.store.getAccount(userId))) throw notFound(`${what} account not found.`);
}

/** Grants (or renews) an own license; `expiresAt` (unix ms) makes it expire. `actor` is recorded in the audit log. */
export async function grantLicense(
  core: Pick<Core, "audit" | "clock" | "logger" | "store">,
  userId: string,
  expiresAt: number | null = null,
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<void> {
  if (expiresAt !== null && (!Number.isSafeInteger(expiresAt) || expiresAt <= core.clock.now())) throw invalidArgument("License expiry must be in the future.");
  await requireAccount(core, userId, "User");
  await core.store.tickets.grantLicense(userId, expiresAt, core.clock.now());
  core.audit.record({ kind: "license_granted", actor, userId, details: expiresAt === null ? {} : { expire_time: rfc3339(expiresAt) } });
  core.logger.info("license granted", { user_id: userId });
}

/** Revokes an own license and its loans; validators of players left without a license are told. */
export async function revokeLicense(
  core: Pick<Core, "audit" | "bus" | "clock" | "config" | "logger" | "metrics" | "store">,
  userId: string,
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<void> {
  const { revoked, borrowers } = await core.store.tickets.revokeLicense(userId);
  if (!revoked && borrowers.length === 0) throw notFound("License not found.");
  core.audit.record({ kind: "license_revoked", actor, userId, details: { loans_ended: borrowers.length } });
  core.logger.info("license revoked", { user_id: userId, loans_ended: borrowers.length });
  for (const id of [userId, ...borrowers]) await recheckOwnership(core, id);
}

/** Lends the owner's app to a borrower (family sharing); by default the owner acts. */
export async function lendLicense(
  core: Pick<Core, "audit" | "clock" | "config" | "logger" | "store">,
  ownerId: string,
  borrowerId: string,
  actor: AuditActor = userActor(ownerId),
): Promise<void> {
  if (ownerId === borrowerId) throw invalidArgument("An account cannot lend to itself.");
  await requireAccount(core, ownerId, "Owner");
  await requireAccount(core, borrowerId, "Borrower");
  if (!(await holdsOwnLicense(core, ownerId, core.clock.now()))) throw failedPrecondition("The owner has no license to lend.");
  await core.store.tickets.lendLicense(ownerId, borrowerId, core.clock.now());
  core.audit.record({ kind: "license_lent", actor, userId: ownerId, details: { borrower_id: borrowerId } });
  core.logger.info("license lent", { owner_id: ownerId, borrower_id: borrowerId });
}

/** Ends a loan; the borrower's validators are told if it is left without a license. */
export async function endLoan(
  core: Pick<Core, "audit" | "bus" | "clock" | "config" | "logger" | "metrics" | "store">,
  ownerId: string,
  borrowerId: string,
  actor: AuditActor = userActor(ownerId),
): Promise<void> {
  if (!(await core.store.tickets.endLoan(ownerId, borrowerId))) throw notFound("Loan not found.");
  core.audit.record({ kind: "license_loan_ended", actor, userId: ownerId, details: { borrower_id: borrowerId } });
  core.logger.info("license loan ended", { owner_id: ownerId, borrower_id: borrowerId });
  await recheckOwnership(core, borrowerId);
}

export async function listLicenses(core: Pick<Core, "clock" | "config" | "store">, userId: string): Promise<LicensesJson> {
  await requireAccount(core, userId, "User");
  const now = core.clock.now();
  const rows = await core.store.tickets.licensesOf(userId);
  const json = (r: LicenseRow): LicenseJson => ({
    owner_id: r.ownerId,
    create_time: rfc3339(r.grantedAt),
    ...(r.expiresAt !== null ? { expire_time: rfc3339(r.expiresAt) } : {}),
  });
  const own = rows.find((r) => r.ownerId === userId && valid(r, now));
  const ownership = await resolveOwnership(core, userId);
  return {
    ...(own ? { license: json(own) } : {}),
    borrowed: rows.filter((r) => r.ownerId !== userId && valid(r, now)).map(json),
    lent_to: (await core.store.tickets.loansBy(userId)).map((r) => ({ user_id: r.accountId, create_time: rfc3339(r.grantedAt) })),
    owns_app: ownership !== undefined,
    ...(ownership ? { owner_id: ownership.ownerId, is_borrowed: ownership.borrowed } : {}),
  };
}

/** After a license change: validators of a player who no longer owns the app get NoLicenseOrExpired. */
async function recheckOwnership(core: Pick<Core, "bus" | "clock" | "config" | "logger" | "metrics" | "store">, userId: string): Promise<void> {
  if (await resolveOwnership(core, userId)) return;
  for (const session of await core.store.tickets.liveAuthSessionsOfPlayer(userId)) {
    await respond(core, session, AuthSessionResponse.NoLicenseOrExpired, { ownerId: null, borrowed: false });
  }
}
