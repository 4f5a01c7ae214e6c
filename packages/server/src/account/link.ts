/**
 * Linking identities to the caller's account (so an anonymous player is never lost) and
 * unlinking them. An identity of another account is a 409; the last identity cannot be unlinked.
 */
import type { Core } from "../core.js";
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from "../shared/api-error.js";
import { checkCustomId, checkDeviceId, checkEmail, checkPassword } from "../auth/identity-rules.js";
import { SteamMessages, admitSteamPlayer, refusePublisherBan, steamTicketOf, verifySteamTicket } from "../auth/steam.js";
import { StoreConflictError, type Identity, type IdentityKind } from "../store/store.js";

const IN_USE: Record<IdentityKind, string> = {
  device: "Device ID already in use.",
  email: "Email is already in use.",
  custom: "Custom ID is already in use.",
  steam: SteamMessages.inUse,
};

const NOT_LINKED: Record<IdentityKind, string> = {
  device: "Device ID is not linked to this account.",
  email: "Email is not linked to this account.",
  custom: "Custom ID is not linked to this account.",
  steam: "Steam ID is not linked to this account.",
};

export async function linkDevice(core: Core, userId: string, id: unknown): Promise<void> {
  await link(core, userId, { kind: "device", id: checkDeviceId(id) });
}

export async function linkCustom(core: Core, userId: string, id: unknown): Promise<void> {
  await link(core, userId, { kind: "custom", id: checkCustomId(id) });
}

export async function linkEmail(core: Core, userId: string, email: string, password: string): Promise<void> {
  if (email === "" || password === "") throw invalidArgument("Email address and password is required.");
  const clean = checkEmail(email);
  checkPassword(password);
  const owner = await core.store.findAccountByIdentity({ kind: "email", email: clean });
  if (owner && owner.id !== userId) throw alreadyExists(IN_USE.email);
  await link(core, userId, { kind: "email", email: clean, passwordHash: await core.passwords.hash(password) });
}

/**
 * Links the Steam id a ticket proves, with its owner and VAC status (linking the account's own
 * Steam id again refreshes them). Publisher bans, and VAC bans when configured, are refused (403).
 */
export async function linkSteam(core: Core, userId: string, token: string): Promise<void> {
  const player = await verifySteamTicket(core, steamTicketOf(core, token));
  refusePublisherBan(core, player);
  await admitSteamPlayer(core, player, await core.store.getAccount(userId));
  await link(core, userId, player.identity);
}

async function link(core: Core, userId: string, identity: Identity): Promise<void> {
  try {
    await core.store.linkIdentity(userId, identity, core.clock.now());
  } catch (err) {
    if (err instanceof StoreConflictError && err.field !== "username" && err.field !== "id") throw alreadyExists(IN_USE[identity.kind]);
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
  await unlink(core, userId, "email", checkEmail(email));
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
  const steamId = (await core.store.getAccount(userId))?.steamId;
  if (steamId === undefined || steamId === null) throw notFound(NOT_LINKED.steam);
  await unlink(core, userId, "steam", steamId);
}

async function unlink(core: Core, userId: string, kind: IdentityKind, id: string): Promise<void> {
  const result = await core.store.unlinkIdentity(userId, { kind, id }, core.clock.now());
  if (result === "not_linked") throw notFound(NOT_LINKED[kind]);
  if (result === "last_identity") {
    throw failedPrecondition("Cannot unlink the last identity of an account; link another identity first or the account would be lost.");
  }
}
