/**
 * Linking identities to the caller's account (so an anonymous player is never lost) and
 * unlinking them. An identity of another account is a 409; the last identity cannot be unlinked.
 */
import type { Core } from "../core.js";
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from "../shared/api-error.js";
import { checkCustomId, checkDeviceId, checkEmail, checkPassword } from "../auth/identity-rules.js";
import { SteamMessages, admitSteamPlayer, refusePublisherBan, steamIdentity, steamTicketOf, verifySteamTicket } from "../auth/steam.js";
import { StoreConflictError, type NewIdentity } from "../store/store.js";

/** The identity providers linked here (the `provider` of their identities). */
type LinkedProvider = "device" | "email" | "custom" | "steam";

const IN_USE: Record<LinkedProvider, string> = {
  device: "Device ID already in use.",
  email: "Email is already in use.",
  custom: "Custom ID is already in use.",
  steam: SteamMessages.inUse,
};

const NOT_LINKED: Record<LinkedProvider, string> = {
  device: "Device ID is not linked to this account.",
  email: "Email is not linked to this account.",
  custom: "Custom ID is not linked to this account.",
  steam: "Steam ID is not linked to this account.",
};

/** A device is added: an account may have many. */
export async function linkDevice(core: Core, userId: string, id: unknown): Promise<void> {
  await link(core, userId, "device", { provider: "device", subject: checkDeviceId(id), profile: {} }, { replace: false });
}

/** A custom id replaces the account's current one. */
export async function linkCustom(core: Core, userId: string, id: unknown): Promise<void> {
  await link(core, userId, "custom", { provider: "custom", subject: checkCustomId(id), profile: {} }, { replace: true });
}

export async function linkEmail(core: Core, userId: string, email: string, password: string): Promise<void> {
  if (email === "" || password === "") throw invalidArgument("Email address and password is required.");
  const clean = checkEmail(email);
  checkPassword(password);
  const owner = await core.store.findAccountByIdentity({ provider: "email", subject: clean });
  if (owner && owner.id !== userId) throw alreadyExists(IN_USE.email);
  // The email replaces the current one; the password is the account's.
  await link(core, userId, "email", { provider: "email", subject: clean, profile: {} }, { replace: true, passwordHash: await core.passwords.hash(password) });
}

/**
 * Links the Steam id a ticket proves, with its owner and VAC status (linking the account's own
 * Steam id again refreshes them). Publisher bans, and VAC bans when configured, are refused (403).
 */
export async function linkSteam(core: Core, userId: string, token: string): Promise<void> {
  const player = await verifySteamTicket(core, steamTicketOf(core, token));
  refusePublisherBan(core, player);
  await admitSteamPlayer(core, player, await core.store.getAccount(userId));
  await link(core, userId, "steam", steamIdentity(player.identity), { replace: true });
}

async function link(core: Core, userId: string, provider: LinkedProvider, identity: NewIdentity, opts: { replace: boolean; passwordHash?: string }): Promise<void> {
  try {
    await core.store.linkIdentity(userId, identity, opts, core.clock.now());
  } catch (err) {
    if (err instanceof StoreConflictError && err.field === "identity") throw alreadyExists(IN_USE[provider]);
    throw err;
  }
}

export async function unlinkDevice(core: Core, userId: string, id: unknown): Promise<void> {
  await unlink(core, userId, "device", checkDeviceId(id));
}

export async function unlinkCustom(core: Core, userId: string, id: unknown): Promise<void> {
  await unlink(core, userId, "custom", checkCustomId(id));
}

export async function unlinkEmail(core: Core, userId: string, email: string): Promise<void> {
  if (email === "") throw invalidArgument("Email address is required.");
  // The password goes with the email.
  await unlink(core, userId, "email", checkEmail(email), { clearPassword: true });
}

/**
 * Unlinks the account's Steam id. With a ticket, only the Steam id it proves (Steam is asked);
 * without one (`""`, as Nakama allows), whatever Steam id the account holds, without asking Steam.
 */
export async function unlinkSteam(core: Core, userId: string, token: string): Promise<void> {
  if (token !== "") {
    const player = await verifySteamTicket(core, steamTicketOf(core, token));
    await unlink(core, userId, "steam", player.identity.id);
    return;
  }
  const steamId = (await core.store.listIdentities(userId)).find((i) => i.provider === "steam")?.subject;
  if (steamId === undefined) throw notFound(NOT_LINKED.steam);
  await unlink(core, userId, "steam", steamId);
}

async function unlink(core: Core, userId: string, provider: LinkedProvider, subject: string, opts?: { clearPassword: boolean }): Promise<void> {
  const result = await core.store.unlinkIdentity(userId, { provider, subject }, core.clock.now(), opts);
  if (result === "not_linked") throw notFound(NOT_LINKED[provider]);
  if (result === "last_identity") {
    throw failedPrecondition("Cannot unlink the last identity of an account; link another identity first or the account would be lost.");
  }
}
