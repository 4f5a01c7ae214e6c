/** Tessera's ticket API JSON (Steam's model): tickets, auth sessions and their events, licenses, game-server tokens. */
import { s, type Infer } from "../schema.js";

const optionalString = s.optional(s.string());

/** `POST /v2/tickets`: a ticket for one validator identity ("" for any). */
export const TicketSchema = s.object({
  /** Steam's HAuthTicket: non-zero, unique among the player's tickets. */
  handle: s.integer(),
  /** The ticket bytes, hex. */
  ticket: s.string(),
  identity: s.string(),
  create_time: s.string(),
  expire_time: s.string(),
});
export type TicketJson = Infer<typeof TicketSchema>;

/** One of the player's open tickets: "issued" (not used yet) or "in_use" (a validator began an auth session with it). */
export const OpenTicketSchema = s.object({
  handle: s.integer(),
  identity: s.string(),
  create_time: s.string(),
  expire_time: s.string(),
  state: s.oneOf(["issued", "in_use"]),
});
export type OpenTicketJson = Infer<typeof OpenTicketSchema>;

export const OpenTicketListSchema = s.object({ tickets: s.array(OpenTicketSchema) });
export type OpenTicketList = Infer<typeof OpenTicketListSchema>;

/** A validator's auth session; `response` is the latest, absent while the validation runs. */
export const AuthSessionSchema = s.object({
  id: s.string(),
  user_id: s.string(),
  owner_id: optionalString,
  is_borrowed: s.optional(s.boolean()),
  response: s.optional(s.integer()),
  response_name: optionalString,
  create_time: s.string(),
});
export type AuthSessionJson = Infer<typeof AuthSessionSchema>;

export const AuthSessionListSchema = s.object({ auth_sessions: s.array(AuthSessionSchema) });
export type AuthSessionList = Infer<typeof AuthSessionListSchema>;

/** `POST /v2/tickets/auth-sessions`: the begin result, and the auth session only when it is OK (0). */
export const BeginAuthSessionSchema = s.object({ result: s.integer(), result_name: s.string(), auth_session: s.optional(AuthSessionSchema) });
export type BeginAuthSessionJson = Infer<typeof BeginAuthSessionSchema>;

/** A response for one of the validator's auth sessions: over its socket (notification code -102) and from the pull API. */
export const AuthSessionEventSchema = s.object({
  /** Acknowledge this id on a later poll once handled. */
  id: s.string(),
  auth_session_id: s.string(),
  /** 1 for the validation result, then 2, 3 … for later changes. */
  seq: s.integer(),
  /** The player the ticket proves (Steam's steamID). */
  user_id: s.string(),
  /** Who owns the app: the player, or the lender of a borrowed license (Steam's ownerSteamID). */
  owner_id: s.string(),
  is_borrowed: s.boolean(),
  response: s.integer(),
  response_name: s.string(),
  /** True when this response ended the auth session (every response but OK does). */
  ended: s.boolean(),
  create_time: s.string(),
});
export type AuthSessionEventJson = Infer<typeof AuthSessionEventSchema>;

export const AuthSessionEventListSchema = s.object({ events: s.array(AuthSessionEventSchema) });
export type AuthSessionEventList = Infer<typeof AuthSessionEventListSchema>;

export const LicenseSchema = s.object({ owner_id: s.string(), create_time: s.string(), expire_time: optionalString });
export type LicenseJson = Infer<typeof LicenseSchema>;

/** `GET /v2/licenses`: own license, borrowed ones, loans, and who owns the copy the player plays now. */
export const LicensesSchema = s.object({
  license: s.optional(LicenseSchema),
  borrowed: s.array(LicenseSchema),
  lent_to: s.array(s.object({ user_id: s.string(), create_time: s.string() })),
  owns_app: s.boolean(),
  owner_id: optionalString,
  is_borrowed: s.optional(s.boolean()),
});
export type LicensesJson = Infer<typeof LicensesSchema>;

/** `POST /v2/tickets/server/authenticate`: a game server's validator token. */
export const GameServerTokenSchema = s.object({ token: s.string(), identity: s.string(), session_id: s.string(), expire_time: s.string() });
export type GameServerTokenJson = Infer<typeof GameServerTokenSchema>;

/** `DELETE /v2/tickets`: how many open tickets were cancelled. */
export const CanceledSchema = s.object({ canceled: s.integer() });

/** The Ed25519 public keys that sign tickets (JWKS, RFC 8037). */
export const JwksSchema = s.object({
  keys: s.array(s.object({ kty: s.oneOf(["OKP"]), crv: s.oneOf(["Ed25519"]), x: s.string(), kid: s.string(), use: s.oneOf(["sig"]), alg: s.oneOf(["EdDSA"]) })),
});
export type Jwks = Infer<typeof JwksSchema>;

/** Steam's `ISteamUserAuth/AuthenticateUserTicket` answer: `params` on success, `error` otherwise. */
export const SteamTicketAnswerSchema = s.object({
  response: s.object({
    params: s.optional(
      s.object({ result: s.oneOf(["OK"]), steamid: s.string(), ownersteamid: s.string(), vacbanned: s.boolean(), publisherbanned: s.boolean() }),
    ),
    error: s.optional(s.object({ errorcode: s.integer(), errordesc: s.string() })),
  }),
});
