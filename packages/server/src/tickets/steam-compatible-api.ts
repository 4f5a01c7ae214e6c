/**
 * Steam's `ISteamUserAuth/AuthenticateUserTicket/v1` served for Tessera tickets, so game-server
 * code written against Steam's Web API validates Tessera tickets by changing the host. `key` is a
 * game server's secret; `identity`, when given, must be that game server's identity. One call
 * validates and uses up the ticket (no auth session follows). Answers are Steam's shapes:
 * `{"response":{"params":{...}}}` or `{"response":{"error":{"errorcode","errordesc"}}}`; the error
 * code table is in docs/tickets.md.
 */
import { randomUUID } from "node:crypto";
import type { Core } from "../core.js";
import { ApiError, GrpcCode, invalidArgument } from "../shared/api-error.js";
import { checkTicketOffline, playerStanding } from "./auth-sessions.js";
import { gameServerByKey } from "./game-servers.js";
import { resolveOwnership } from "./licenses.js";
import { AuthSessionResponse, BeginAuthSessionResult } from "@tessera/protocol";

export type SteamAnswer =
  | { response: { params: { result: "OK"; steamid: string; ownersteamid: string; vacbanned: boolean; publisherbanned: boolean } } }
  | { response: { error: { errorcode: number; errordesc: string } } };

export const STEAM_ERRORS = {
  invalidParameter: [3, "Invalid parameter"],
  invalidTicket: [101, "Invalid ticket"],
  otherApp: [102, "Ticket for other app"],
  alreadyUsed: [103, "Ticket has already been used"],
  expired: [104, "Ticket has expired"],
  canceled: [105, "Ticket was canceled"],
  otherIdentity: [106, "Ticket is for another identity"],
  notConnected: [107, "User is not signed in"],
  elsewhere: [108, "User signed in elsewhere"],
  noLicense: [109, "User does not own the app"],
} as const satisfies Record<string, readonly [number, string]>;

const error = ([errorcode, errordesc]: readonly [number, string]): SteamAnswer => ({ response: { error: { errorcode, errordesc } } });

const BEGIN_ERRORS: Partial<Record<BeginAuthSessionResult, readonly [number, string]>> = {
  [BeginAuthSessionResult.InvalidTicket]: STEAM_ERRORS.invalidTicket,
  [BeginAuthSessionResult.InvalidVersion]: STEAM_ERRORS.invalidTicket,
  [BeginAuthSessionResult.GameMismatch]: STEAM_ERRORS.otherApp,
  [BeginAuthSessionResult.ExpiredTicket]: STEAM_ERRORS.expired,
};

const STANDING_ERRORS: Partial<Record<AuthSessionResponse, readonly [number, string]>> = {
  [AuthSessionResponse.AuthTicketInvalid]: STEAM_ERRORS.invalidTicket,
  [AuthSessionResponse.UserNotConnectedToSteam]: STEAM_ERRORS.notConnected,
  [AuthSessionResponse.LoggedInElseWhere]: STEAM_ERRORS.elsewhere,
};

export interface SteamQuery {
  key: string | undefined;
  appid: string | undefined;
  ticket: string | undefined;
  identity: string | undefined;
}

export async function authenticateUserTicket(core: Pick<Core, "clock" | "config" | "metrics" | "store" | "tickets">, q: SteamQuery): Promise<SteamAnswer> {
  const answer = await validate(core, q);
  core.metrics.ticketWebApiValidation("params" in answer.response ? "OK" : String(answer.response.error.errorcode));
  return answer;
}

async function validate(core: Pick<Core, "clock" | "config" | "store" | "tickets">, q: SteamQuery): Promise<SteamAnswer> {
  // Steam answers a missing or wrong key with 403 before looking at anything else.
  const validator = q.key ? await gameServerByKey(core, q.key) : undefined;
  if (validator === undefined) throw new ApiError(GrpcCode.PERMISSION_DENIED, "Forbidden: key is not a valid game server secret.");
  if (q.identity !== undefined && q.identity !== "" && q.identity !== validator) {
    throw new ApiError(GrpcCode.PERMISSION_DENIED, "Forbidden: identity does not match the key's game server.");
  }
  if (q.appid === undefined || q.appid === "") throw invalidArgument("Required parameter 'appid' is missing.");
  if (q.ticket === undefined || q.ticket === "") throw invalidArgument("Required parameter 'ticket' is missing.");
  if (!/^\d{1,10}$/.test(q.appid) || Number(q.appid) > 0xffffffff) return error(STEAM_ERRORS.invalidParameter);
  if (!/^[0-9a-fA-F]+$/.test(q.ticket)) return error(STEAM_ERRORS.invalidParameter);

  const ticket = await checkTicketOffline(core, q.ticket, undefined, Number(q.appid));
  if (typeof ticket === "number") return error(BEGIN_ERRORS[ticket] ?? STEAM_ERRORS.invalidTicket);
  if (ticket.identity !== "" && ticket.identity !== validator) return error(STEAM_ERRORS.otherIdentity);

  const claim = await core.store.tickets.claimTicket(ticket.ticketId, `web-api:${randomUUID()}`, core.clock.now());
  if (claim === "missing") return error(STEAM_ERRORS.invalidTicket);
  if (claim === "used") return error(STEAM_ERRORS.alreadyUsed);
  if (claim === "canceled") return error(STEAM_ERRORS.canceled);

  // As Steam does, a banned player's ticket still answers OK with the ban flags set.
  const standing = await playerStanding(core, ticket.userId, ticket.sessionId);
  const vacbanned = standing === AuthSessionResponse.VACBanned;
  const publisherbanned = standing === AuthSessionResponse.PublisherIssuedBan;
  const refused = STANDING_ERRORS[standing];
  if (refused) return error(refused);
  const ownership = await resolveOwnership(core, ticket.userId);
  if (!ownership) return error(STEAM_ERRORS.noLicense);
  return { response: { params: { result: "OK", steamid: ticket.userId, ownersteamid: ownership.ownerId, vacbanned, publisherbanned } } };
}
