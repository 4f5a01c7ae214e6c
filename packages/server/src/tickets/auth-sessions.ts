/**
 * The validator's side (Steam's BeginAuthSession / EndAuthSession). Begin runs the offline checks
 * and answers at once with an EBeginAuthSessionResult; on OK it records the auth session and the
 * online validation runs in the background: single use, the validator identity, bans, the
 * player's session, the license. Its result is the first response the validator receives; later
 * changes follow while the auth session lasts (docs/tickets.md has the mapping).
 */
import { randomUUID } from "node:crypto";
import type { Core } from "../core.js";
import { invalidArgument, notFound } from "../shared/api-error.js";
import { rfc3339 } from "../shared/time.js";
import { StoreConflictError, type AccountRow } from "../store/store.js";
import type { AuthSessionRow } from "../store/ticket-store.js";
import { respond, type ResponseOwner } from "./auth-session-events.js";
import { resolveOwnership } from "./licenses.js";
import { AuthSessionResponse, BeginAuthSessionResult, beginResultName, responseName, type AuthSessionJson, type BeginAuthSessionJson } from "@tessera/protocol";
import { fromHex, parseTicket, type ParsedTicket } from "./ticket-format.js";
import type { Validator } from "./validator.js";
import { UUID } from "../shared/ids.js";

const answer = (core: Pick<Core, "metrics">, result: BeginAuthSessionResult, session?: AuthSessionRow): BeginAuthSessionJson => {
  const name = beginResultName(result);
  core.metrics.ticketBegin(name);
  return { result, result_name: name, ...(session ? { auth_session: authSessionJson(session) } : {}) };
};

export function authSessionJson(s: AuthSessionRow): AuthSessionJson {
  return {
    id: s.id,
    user_id: s.userId,
    ...(s.ownerId !== null ? { owner_id: s.ownerId, is_borrowed: s.ownerId !== s.userId } : {}),
    ...(s.response !== null ? { response: s.response, response_name: responseName(s.response as AuthSessionResponse) } : {}),
    create_time: rfc3339(s.createdAt),
  };
}

export function checkUserId(userId: unknown): string {
  if (typeof userId !== "string" || userId === "") throw invalidArgument("User ID is required.");
  const lower = userId.toLowerCase();
  if (!UUID.test(lower)) throw invalidArgument("User ID invalid, must be a UUID.");
  return lower;
}

/**
 * The offline checks of a ticket: its parsed form, or the begin result that refuses it. `userId`
 * undefined skips the user check (the Steam-shaped endpoint names no user).
 */
export async function checkTicketOffline(
  core: Pick<Core, "clock" | "tickets">,
  hex: string,
  userId: string | undefined,
  appId: number,
): Promise<ParsedTicket | BeginAuthSessionResult> {
  const bytes = fromHex(hex);
  if (!bytes) return BeginAuthSessionResult.InvalidTicket;
  const parsed = parseTicket(bytes);
  if (parsed === "version") return BeginAuthSessionResult.InvalidVersion;
  if (parsed === "invalid") return BeginAuthSessionResult.InvalidTicket;
  if (!(await core.tickets.keyring.verify(parsed.keyId, parsed.body, parsed.signature))) return BeginAuthSessionResult.InvalidTicket;
  if (userId !== undefined && parsed.userId !== userId) return BeginAuthSessionResult.InvalidTicket;
  if (parsed.appId !== appId) return BeginAuthSessionResult.GameMismatch;
  if (Math.floor(core.clock.now() / 1000) >= parsed.expiresAtSec) return BeginAuthSessionResult.ExpiredTicket;
  return parsed;
}

/** Steam's BeginAuthSession(ticket, steamID), for this deployment's app unless `appId` says otherwise. */
export async function beginAuthSession(
  core: Pick<Core, "bus" | "clock" | "config" | "logger" | "metrics" | "store" | "tickets">,
  validator: Validator,
  ticketHex: string,
  userIdIn: unknown,
  appIdIn: number | undefined,
): Promise<BeginAuthSessionJson> {
  if (ticketHex === "") throw invalidArgument("Ticket is required.");
  const userId = checkUserId(userIdIn);
  if (appIdIn !== undefined && !(Number.isSafeInteger(appIdIn) && appIdIn >= 0 && appIdIn <= 0xffffffff))
    throw invalidArgument("App ID invalid, must be 0-4294967295.");
  const checked = await checkTicketOffline(core, ticketHex, userId, appIdIn ?? core.config.tickets.appId);
  if (typeof checked === "number") return answer(core, checked);

  const session: AuthSessionRow = {
    id: randomUUID(),
    validatorSessionId: validator.sessionId,
    validatorIdentity: validator.identity,
    validatorKind: validator.kind,
    userId,
    playerSessionId: checked.sessionId,
    ticketId: checked.ticketId,
    appId: checked.appId,
    ownerId: null,
    response: null,
    responseSeq: 0,
    createdAt: core.clock.now(),
    endedAt: null,
  };
  try {
    await core.store.tickets.createAuthSession(session);
  } catch (err) {
    if (err instanceof StoreConflictError && err.field === "auth_session") return answer(core, BeginAuthSessionResult.DuplicateRequest);
    throw err;
  }
  void validateInBackground(core, session, checked, validator);
  return answer(core, BeginAuthSessionResult.OK, session);
}

/** Runs the online validation; past `tickets.validation_timeout_ms` the validator gets VACCheckTimedOut. */
async function validateInBackground(
  core: Pick<Core, "bus" | "clock" | "config" | "logger" | "metrics" | "store">,
  session: AuthSessionRow,
  ticket: ParsedTicket,
  validator: Validator,
): Promise<void> {
  const timedOut = () =>
    respond(core, session, AuthSessionResponse.VACCheckTimedOut, { ownerId: null, borrowed: false }, { onlyFirst: true }).catch((err: unknown) =>
      core.logger.warn("could not record an auth session timeout", { auth_session_id: session.id, error: String(err) }),
    );
  const timer = setTimeout(() => void timedOut(), core.config.tickets.validationTimeoutMs);
  try {
    const [response, owner] = await validate(core, session, ticket, validator);
    clearTimeout(timer);
    await respond(core, session, response, owner, { onlyFirst: true });
  } catch (err) {
    clearTimeout(timer);
    core.logger.warn("ticket validation failed", { auth_session_id: session.id, error: String(err) });
    await timedOut();
  }
}

const NO_OWNER: ResponseOwner = { ownerId: null, borrowed: false };

async function validate(
  core: Pick<Core, "clock" | "config" | "store">,
  session: AuthSessionRow,
  ticket: ParsedTicket,
  validator: Validator,
): Promise<[AuthSessionResponse, ResponseOwner]> {
  // A ticket for another validator is refused without being used up: it still works for its own.
  if (ticket.identity !== "" && ticket.identity !== validator.identity) return [AuthSessionResponse.AuthTicketNetworkIdentityFailure, NO_OWNER];
  const claim = await core.store.tickets.claimTicket(ticket.ticketId, session.id, core.clock.now());
  if (claim === "missing") return [AuthSessionResponse.AuthTicketInvalid, NO_OWNER];
  if (claim === "used") return [AuthSessionResponse.AuthTicketInvalidAlreadyUsed, NO_OWNER];
  if (claim === "canceled") return [AuthSessionResponse.AuthTicketCanceled, NO_OWNER];
  const player = await playerStanding(core, ticket.userId, ticket.sessionId);
  if (player !== AuthSessionResponse.OK) return [player, NO_OWNER];
  const ownership = await resolveOwnership(core, ticket.userId);
  if (!ownership) return [AuthSessionResponse.NoLicenseOrExpired, NO_OWNER];
  return [AuthSessionResponse.OK, { ownerId: ownership.ownerId, borrowed: ownership.borrowed }];
}

/** The response for a player's account and session as they are now: OK, a ban, or why it is offline. */
export async function playerStanding(core: Pick<Core, "clock" | "store">, userId: string, sessionId: string): Promise<AuthSessionResponse> {
  const account = await core.store.getAccount(userId);
  if (!account) return AuthSessionResponse.AuthTicketInvalid;
  if (account.disableTime !== null) return banResponse(account);
  const session = await core.store.getSession(sessionId);
  if (!session || session.accountId !== userId) return AuthSessionResponse.UserNotConnectedToSteam;
  if (session.revokedAt !== null)
    return session.revokedReason === "single_session" ? AuthSessionResponse.LoggedInElseWhere : AuthSessionResponse.UserNotConnectedToSteam;
  if (session.refreshExpiresAtSec <= Math.floor(core.clock.now() / 1000)) return AuthSessionResponse.UserNotConnectedToSteam;
  return AuthSessionResponse.OK;
}

export function banResponse(account: Pick<AccountRow, "banKind">): AuthSessionResponse {
  return account.banKind === "vac" ? AuthSessionResponse.VACBanned : AuthSessionResponse.PublisherIssuedBan;
}

/** Steam's EndAuthSession: the validator stops following this auth session. */
export async function endAuthSession(core: Pick<Core, "clock" | "store">, validator: Validator, id: string): Promise<void> {
  const session = UUID.test(id) ? await core.store.tickets.getAuthSession(id) : undefined;
  if (!session || session.validatorSessionId !== validator.sessionId || session.endedAt !== null) throw notFound("Auth session not found.");
  await core.store.tickets.endAuthSession(id, core.clock.now());
}

/** The validator's live auth sessions. */
export async function listAuthSessions(core: Pick<Core, "store">, validator: Validator): Promise<{ auth_sessions: AuthSessionJson[] }> {
  return { auth_sessions: (await core.store.tickets.liveAuthSessionsOfValidator(validator.sessionId)).map(authSessionJson) };
}

/** Auth sessions whose validation never answered (the node stopped mid-way) get VACCheckTimedOut. */
export async function expireStalledValidations(core: Pick<Core, "bus" | "clock" | "config" | "logger" | "metrics" | "store">): Promise<number> {
  const stalled = await core.store.tickets.pendingAuthSessions(core.clock.now() - core.config.tickets.validationTimeoutMs - 1_000);
  let n = 0;
  for (const s of stalled) if (await respond(core, s, AuthSessionResponse.VACCheckTimedOut, NO_OWNER, { onlyFirst: true })) n++;
  return n;
}
