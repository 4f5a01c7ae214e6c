/**
 * What a provider said about the player (name, picture, a verified email) applied to an account
 * when a sign-in creates it or a link adds the provider, as Nakama does, but only where the
 * account has nothing: a display name or avatar the player set, and an email the account
 * already has, are never overwritten. The email becomes the account's email identity without a
 * password (an email sign-in with it fails until a password is linked), skipped when another
 * account holds the address.
 */
import type { Core } from "../core.js";
import { StoreConflictError, type AccountPatch, type AccountRow } from "../store/store.js";
import { checkEmail } from "./identity-rules.js";
import type { AccountProfile } from "./providers/provider.js";

type ProfileCore = Pick<Core, "store" | "clock" | "logger">;

/** Applies `profile` to a new or linking account; returns the account as it now is. */
export async function applyAccountProfile(core: ProfileCore, account: AccountRow, profile: AccountProfile | undefined, isNew: boolean): Promise<AccountRow> {
  if (profile === undefined) return account;
  const patch: AccountPatch = {};
  if (profile.displayName !== undefined && !account.displayName) patch.displayName = profile.displayName;
  if (profile.avatarUrl !== undefined && !account.avatarUrl) patch.avatarUrl = profile.avatarUrl;
  let updated = account;
  if (Object.keys(patch).length > 0 && (await core.store.updateAccount(account.id, patch, core.clock.now()))) {
    updated = {
      ...account,
      ...(patch.displayName === undefined ? {} : { displayName: patch.displayName }),
      ...(patch.avatarUrl === undefined ? {} : { avatarUrl: patch.avatarUrl }),
    };
  }
  if (profile.verifiedEmail !== undefined) await importEmail(core, account.id, profile.verifiedEmail, isNew);
  return updated;
}

async function importEmail(core: ProfileCore, accountId: string, email: string, isNew: boolean): Promise<void> {
  let subject: string;
  try {
    subject = checkEmail(email);
  } catch {
    return; // Not an address Tessera would accept from a player either.
  }
  if (!isNew && (await core.store.listIdentities(accountId)).some((i) => i.provider === "email")) return;
  try {
    await core.store.linkIdentity(accountId, { provider: "email", subject, profile: {} }, { replace: false }, core.clock.now());
  } catch (err) {
    if (!(err instanceof StoreConflictError) || err.field !== "identity") throw err;
    core.logger.info("Provider email not imported: another account holds it", { user_id: accountId });
  }
}
