/**
 * Steam (docs/steam.md): the client's `token` is a Steam auth ticket (hex) that Steam's Web API
 * (`Core.steam`, auth/steam-web-api-client.ts) turns into the player's SteamID64, the subject.
 * The profile keeps what Steam said beyond `steamid`: the game's owner when the player borrows it
 * (family sharing) and the VAC status, refreshed at every sign-in and link. Publisher bans are
 * refused outright; VAC bans when `social.steam.refuse_vac_banned` is set.
 */
import { Messages, failedPrecondition, invalidArgument, permissionDenied, unauthenticated } from "../../shared/api-error.js";
import { providerUnavailable } from "../social/provider-check.js";
import type { IdentityProfile, IdentityRow, NewIdentity } from "../../store/store.js";
import { SteamUnavailableError, type SteamTicketVerdict, type SteamWebApi } from "../steam-web-api-client.js";
import { field, type LinkProof, type Provider, type ProviderCore } from "./provider.js";

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

export const steamProvider: Provider<"steam"> = {
  name: "steam",
  wire: {
    path: "steam",
    hooks: { authenticate: "AuthenticateSteam", link: "LinkSteam", unlink: "UnlinkSteam" },
    fields: { token: { description: "Steam auth ticket, hex-encoded." } },
    sync: true,
    link: { kind: "account_and_sync" },
    // Nakama's `AccountSteam`; an empty token unlinks whatever Steam id the account holds.
    unlink: { kind: "fields", vars: true },
    summaries: {
      authenticate:
        "Sign in with a Steam auth ticket (hex), checked with Steam's Web API; the Steam id is the identity. 503 when Steam cannot be asked. docs/steam.md.",
      link: "Link the Steam id a Steam auth ticket proves (Nakama's {account: {token}, sync}; 409 if another account has it). docs/steam.md.",
      unlink: "Unlink the Steam id: the one a ticket proves, or with no token the account's; refused (400) if it is the last identity.",
    },
  },
  perAccount: "one",
  messages: { inUse: SteamMessages.inUse, notLinked: "Steam ID is not linked to this account." },
  accountField: { shape: "subject", in: "user", key: "steam_id" },
  console: { searchField: "steam_id", summaryKey: "steam_id" },
  operatorFields: steamOperatorFields,
  // No signInIdentifier: the Steam id is known only after Steam's check, so sign-ins count per address only.

  checkSignIn(core, credential) {
    const ticket = steamTicketOf(core, field(credential, "token"));
    return { prove: () => proveTicket(core, ticket) };
  },
  proveLink: (core, credential) => proveTicket(core, steamTicketOf(core, field(credential, "token"))),
  async unlinkSubject(core, credential) {
    const token = field(credential, "token");
    if (token === "") return undefined;
    return (await verifySteamTicket(core, steamTicketOf(core, token))).subject;
  },
};

/** The Steam Web API of this server, or 400 "not configured" (Nakama's code 9). */
function configuredSteam(core: ProviderCore): SteamWebApi {
  if (core.steam === undefined) throw failedPrecondition(SteamMessages.notConfigured);
  return core.steam;
}

/** Checks the client's `token` (the hex ticket) before Steam is asked; Steam must be configured. */
function steamTicketOf(core: ProviderCore, token: string): string {
  configuredSteam(core);
  if (token === "") throw invalidArgument(SteamMessages.tokenRequired);
  if (token.length > MAX_STEAM_TICKET_HEX) throw invalidArgument(SteamMessages.ticketTooLong);
  if (!HEX.test(token)) throw invalidArgument(SteamMessages.ticketInvalid);
  return token;
}

/**
 * Asks Steam about a ticket checked by `steamTicketOf`. A refused ticket is 401 (Nakama's message);
 * Steam giving no verdict is 503 (code 14) and an error in the log: the player may be genuine, so
 * it is never reported as a bad ticket.
 */
async function verifySteamTicket(core: ProviderCore, ticket: string): Promise<NewIdentity & { publisherBanned: boolean; vacBanned: boolean }> {
  let verdict: SteamTicketVerdict;
  try {
    verdict = await configuredSteam(core).authenticateUserTicket(ticket);
  } catch (err) {
    if (!(err instanceof SteamUnavailableError)) throw err;
    core.logger.error("Steam Web API unavailable", { code: err.code, reason: err.reason, api_url: core.config.social.steam.apiUrl });
    throw providerUnavailable("Steam", err.reason);
  }
  if (!verdict.valid) {
    core.logger.info("Steam refused a ticket", { reason: verdict.reason });
    throw unauthenticated(SteamMessages.notAuthenticated);
  }
  const { steamId, ownerSteamId, vacBanned, publisherBanned } = verdict;
  // The owner is kept only when it is someone else: the player borrows the game.
  const profile = { owner_id: ownerSteamId === steamId ? null : ownerSteamId, vac_banned: vacBanned };
  return { provider: "steam", subject: steamId, profile, publisherBanned, vacBanned };
}

/**
 * What a ticket proves for a sign-in or a link. A publisher ban refuses it outright (403), before
 * anything is created or written; a VAC ban with `social.steam.refuse_vac_banned` is a refusal
 * that still records the status on an account already holding the Steam id, so it stays current.
 */
async function proveTicket(core: ProviderCore, ticket: string): Promise<LinkProof> {
  const { publisherBanned, vacBanned, ...identity } = await verifySteamTicket(core, ticket);
  if (publisherBanned) {
    core.logger.info("Steam sign-in refused: publisher ban", { steam_id: identity.subject });
    throw permissionDenied(Messages.accountBanned);
  }
  if (vacBanned && core.config.social.steam.refuseVacBanned) {
    core.logger.info("Steam sign-in refused: VAC ban (social.steam.refuse_vac_banned)", { steam_id: identity.subject });
    return { identity, refusal: permissionDenied(SteamMessages.vacBanned) };
  }
  return { identity };
}

/** The owner and VAC status recorded in a `steam` identity's profile. */
export function steamStatusOf(profile: IdentityProfile): { ownerId: string | null; vacBanned: boolean } {
  const owner = profile["owner_id"];
  return { ownerId: typeof owner === "string" && owner !== "" ? owner : null, vacBanned: profile["vac_banned"] === true };
}

/** The console's account page: the game's owner when borrowed, and the VAC status Steam last reported. */
function steamOperatorFields(identity: IdentityRow): Readonly<Record<string, string | boolean>> {
  const { ownerId, vacBanned } = steamStatusOf(identity.profile);
  return { ...(ownerId !== null ? { steam_owner_id: ownerId } : {}), steam_vac_banned: vacBanned };
}
