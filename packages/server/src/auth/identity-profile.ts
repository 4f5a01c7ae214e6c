/**
 * Keeping an identity's profile (what its provider said: Steam's owner and VAC status, later an
 * Apple email) current at every sign-in and link, shared by auth/authenticate.ts and account/link.ts.
 */
import type { Core } from "../core.js";
import { alreadyExists } from "../shared/api-error.js";
import { StoreConflictError, type IdentityProfile, type NewIdentity } from "../store/store.js";
import type { Provider } from "./providers/provider.js";

export function sameProfile(a: IdentityProfile, b: IdentityProfile): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/**
 * Writes `identity`'s profile on `accountId` when the account holds the identity with another
 * profile. Identities without a profile (device, email, custom) cost nothing: no read, no write.
 */
export async function refreshProfile(core: Pick<Core, "store" | "clock">, provider: Provider, accountId: string, identity: NewIdentity): Promise<void> {
  if (Object.keys(identity.profile).length === 0) return;
  const held = (await core.store.listIdentities(accountId)).find((i) => i.provider === identity.provider && i.subject === identity.subject);
  if (held === undefined || sameProfile(held.profile, identity.profile)) return;
  await linkOrConflict(core, provider, accountId, identity, undefined);
}

/**
 * Links `identity` to the account (replacing the account's identity of a one-per-account provider,
 * adding another of a many-per-account one); another account holding it is a 409 with the
 * provider's message, also when it moved there since it was looked up.
 */
export async function linkOrConflict(
  core: Pick<Core, "store" | "clock">,
  provider: Provider,
  accountId: string,
  identity: NewIdentity,
  passwordHash: string | undefined,
): Promise<void> {
  try {
    const opts = passwordHash === undefined ? { replace: provider.perAccount === "one" } : { replace: provider.perAccount === "one", passwordHash };
    await core.store.linkIdentity(accountId, identity, opts, core.clock.now());
  } catch (err) {
    if (err instanceof StoreConflictError && err.field === "identity") throw alreadyExists(provider.messages.inUse);
    throw err;
  }
}
