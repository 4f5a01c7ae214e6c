/**
 * Tessera's Steam rules on top of the Web API answer (docs/steam.md), shared by sign-in and
 * linking: whether Steam is configured, the ticket's format, Steam's verdict as API errors, and
 * what Steam says about the player beyond `steamid` (borrowed game, VAC and publisher bans).
 */
import type { Core } from "../core.js";
import { Messages, alreadyExists, failedPrecondition, invalidArgument, permissionDenied, unauthenticated, unavailable } from "../shared/api-error.js";
import { StoreConflictError, type AccountRow, type IdentityProfile, type NewIdentity } from "../store/store.js";
import { SteamUnavailableError, type SteamTicketVerdict, type SteamWebApi } from "./steam-web-api-client.js";

/** A Steam id (decimal SteamID64) with what Steam said about it at this sign-in or link. */
export interface SteamIdentity {
  id: string;
  /** The game owner's Steam id when the game is borrowed (family sharing); null when the player owns it. */
  ownerId: string | null;
  /** A VAC ban in this game. */
  vacBanned: boolean;
}

/** The `steam` identity stored for a Steam id: Steam's owner and VAC status are its profile. */
export function steamIdentity(steam: SteamIdentity): NewIdentity {
  return { provider: "steam", subject: steam.id, profile: { owner_id: steam.ownerId, vac_banned: steam.vacBanned } };
}

/** The owner and VAC status recorded in a `steam` identity's profile. */
export function steamStatusOf(profile: IdentityProfile): { ownerId: string | null; vacBanned: boolean } {
  const owner = profile["owner_id"];
  return { ownerId: typeof owner === "string" ? owner : null, vacBanned: profile["vac_banned"] === true };
}

/** What one Steam ticket proved: the identity to sign in or link, and the publisher ban. */
export interface SteamPlayer {
  identity: SteamIdentity;
  publisherBanned: boolean;
}

/** Tickets are binary, hex-encoded; 4096 bytes is several times the largest ticket Steam issues. */
export const MAX_STEAM_TICKET_HEX = 8192;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

export const SteamMessages = {
  notConfigured: "Steam authentication is not configured.",
  tokenRequired: "Steam access token is required.",
  ticketInvalid: "Steam ticket invalid, must be an even number of hexadecimal digits.",
  ticketTooLong: `Steam ticket invalid, must be at most ${MAX_STEAM_TICKET_HEX} hexadecimal digits.`,
  notAuthenticated: "Could not authenticate Steam profile.",
  vacBanned: "Steam account is VAC banned in this game.",
  inUse: "Steam ID is already in use.",
} as const;

/** The Steam Web API of this server, or 400 "not configured" (Nakama's code 9). */
export function configuredSteam(core: Core): SteamWebApi {
  if (core.steam === undefined) throw failedPrecondition(SteamMessages.notConfigured);
  return core.steam;
}

/** Checks the client's `token` (the hex ticket) before Steam is asked; Steam must be configured. */
export function steamTicketOf(core: Core, token: unknown): string {
  configuredSteam(core);
  if (typeof token !== "string" || token === "") throw invalidArgument(SteamMessages.tokenRequired);
  if (token.length > MAX_STEAM_TICKET_HEX) throw invalidArgument(SteamMessages.ticketTooLong);
  if (!HEX.test(token)) throw invalidArgument(SteamMessages.ticketInvalid);
  return token;
}

/**
 * Asks Steam about a ticket checked by `steamTicketOf`. A refused ticket is 401 (Nakama's message);
 * Steam giving no verdict is 503 (code 14) and an error in the log: the player may be genuine, so
 * it is never reported as a bad ticket.
 */
export async function verifySteamTicket(core: Core, ticket: string): Promise<SteamPlayer> {
  let verdict: SteamTicketVerdict;
  try {
    verdict = await configuredSteam(core).authenticateUserTicket(ticket);
  } catch (err) {
    if (!(err instanceof SteamUnavailableError)) throw err;
    core.logger.error("Steam Web API unavailable", { code: err.code, reason: err.reason, api_url: core.config.social.steam.apiUrl });
    throw unavailable(`Steam is unavailable (${err.reason}); try again later.`);
  }
  if (!verdict.valid) {
    core.logger.info("Steam refused a ticket", { reason: verdict.reason });
    throw unauthenticated(SteamMessages.notAuthenticated);
  }
  const { steamId, ownerSteamId, vacBanned, publisherBanned } = verdict;
  return {
    identity: { id: steamId, ownerId: ownerSteamId === steamId ? null : ownerSteamId, vacBanned },
    publisherBanned,
  };
}

/** A publisher ban refuses sign-in and linking outright (403), before anything is created or written. */
export function refusePublisherBan(core: Core, player: SteamPlayer): void {
  if (!player.publisherBanned) return;
  core.logger.info("Steam sign-in refused: publisher ban", { steam_id: player.identity.id });
  throw permissionDenied(Messages.accountBanned);
}

/**
 * Records what Steam said (owner, VAC) on `account` when it holds this Steam id, then applies
 * `social.steam.refuse_vac_banned`. Recording first keeps the account's status current even when
 * the player is turned away.
 */
export async function admitSteamPlayer(core: Core, player: SteamPlayer, account: AccountRow | undefined): Promise<void> {
  const { identity } = player;
  const held = account === undefined ? undefined : (await core.store.listIdentities(account.id)).find((i) => i.provider === "steam" && i.subject === identity.id);
  const recorded = held === undefined ? undefined : steamStatusOf(held.profile);
  if (account !== undefined && recorded !== undefined && (recorded.ownerId !== identity.ownerId || recorded.vacBanned !== identity.vacBanned)) {
    try {
      await core.store.linkIdentity(account.id, steamIdentity(identity), { replace: true }, core.clock.now());
    } catch (err) {
      // The Steam id moved to another account between the lookup and this write.
      if (err instanceof StoreConflictError && err.field === "identity") throw alreadyExists(SteamMessages.inUse);
      throw err;
    }
  }
  if (identity.vacBanned && core.config.social.steam.refuseVacBanned) {
    core.logger.info("Steam sign-in refused: VAC ban (social.steam.refuse_vac_banned)", { steam_id: identity.id });
    throw permissionDenied(SteamMessages.vacBanned);
  }
}
