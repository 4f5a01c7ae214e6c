/**
 * Linking identities of any provider to the caller's account (so an anonymous player is never
 * lost) and unlinking them. An identity of another account is a 409; the last identity cannot be
 * unlinked. The provider checks the credential; the rules here are the same for all of them.
 */
import type { Core } from "../core.js";
import { alreadyExists, failedPrecondition, notFound } from "../shared/api-error.js";
import { linkOrConflict, refreshProfile } from "../auth/identity-profile.js";
import { applyAccountProfile } from "../auth/account-profile.js";
import type { Credential, Provider } from "../auth/providers/provider.js";

type LinkCore = Pick<Core, "config" | "store" | "passwords" | "steam" | "social" | "logger" | "clock">;

/** 400 (code 9) for an unlink that would leave the account without any identity. */
export const LAST_IDENTITY_MESSAGE = "Cannot unlink the last identity of an account; link another identity first or the account would be lost.";

/**
 * Links the identity `credential` proves to the account: added for a provider that allows many
 * (devices), replacing the account's current one otherwise; linking the account's own identity
 * again refreshes its profile (and an email's password). A refused player (Steam VAC ban) is
 * turned away with 403 after the refresh.
 */
export async function linkIdentity(core: LinkCore, provider: Provider, userId: string, credential: Credential): Promise<void> {
  const proof = await provider.proveLink(core, credential);
  const owner = await core.store.findAccountByIdentity(proof.identity);
  if (proof.refusal) {
    if (owner?.id === userId) await refreshProfile(core, provider, userId, proof.identity);
    throw proof.refusal;
  }
  // Checked before the password is hashed: a taken identity costs no hash.
  if (owner !== undefined && owner.id !== userId) throw alreadyExists(provider.messages.inUse);
  await linkOrConflict(core, provider, userId, proof.identity, await proof.passwordHash?.());
  if (proof.accountProfile !== undefined && owner === undefined) {
    const account = await core.store.getAccount(userId);
    if (account !== undefined) await applyAccountProfile(core, account, proof.accountProfile, false);
  }
}

/**
 * Unlinks the identity `credential` names, or with none (Steam without a ticket) whatever identity
 * of this provider the account holds; refuses the account's last identity.
 */
export async function unlinkIdentity(core: LinkCore, provider: Provider, userId: string, credential: Credential): Promise<void> {
  const subject = (await provider.unlinkSubject(core, credential)) ?? (await heldSubject(core, provider, userId, credential));
  const opts = provider.holdsPassword ? { clearPassword: true } : undefined;
  const result = await core.store.unlinkIdentity(userId, { provider: provider.name, subject }, core.clock.now(), opts);
  if (result === "not_linked") throw notFound(provider.messages.notLinked);
  if (result === "last_identity") throw failedPrecondition(LAST_IDENTITY_MESSAGE);
}

async function heldSubject(core: Pick<Core, "store">, provider: Provider, userId: string, credential: Credential): Promise<string> {
  const held = (await core.store.listIdentities(userId)).find((i) => i.provider === provider.name && (provider.holds?.(credential, i.subject) ?? true));
  if (held === undefined) throw notFound(provider.messages.notLinked);
  return held.subject;
}
