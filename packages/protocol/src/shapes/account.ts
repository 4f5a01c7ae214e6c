/**
 * Nakama's `Account` JSON (`GET /v2/account`) and Tessera's session JSON. Empty profile fields are
 * omitted; each provider puts its identities in one field (`email`, `devices`, `custom_id` at the
 * top, `steam_id` in `user`); a provider added later adds its own, hence the open shapes.
 */
import { s, type Infer } from "../schema.js";

const optionalString = s.optional(s.string());

export const AccountUserSchema = s.openObject(
  {
    id: s.string(),
    username: s.string(),
    display_name: optionalString,
    avatar_url: optionalString,
    lang_tag: optionalString,
    location: optionalString,
    timezone: optionalString,
    metadata: optionalString,
    steam_id: optionalString,
    apple_id: optionalString,
    google_id: optionalString,
    facebook_id: optionalString,
    facebook_instant_game_id: optionalString,
    gamecenter_id: optionalString,
    /** Present (true) while a realtime socket of the account is open. */
    online: s.optional(s.boolean()),
    create_time: s.string(),
    update_time: s.string(),
  },
  s.unknown(),
);
export type AccountUser = Infer<typeof AccountUserSchema>;

export const AccountSchema = s.openObject(
  {
    user: AccountUserSchema,
    wallet: s.string(),
    email: optionalString,
    devices: s.optional(s.array(s.object({ id: s.string() }))),
    custom_id: optionalString,
    verify_time: optionalString,
  },
  s.unknown(),
  { description: "Nakama's Account: user, wallet and the identity fields of each provider." },
);
export type AccountJson = Infer<typeof AccountSchema>;

/** `PUT /v2/account`: absent fields stay, an empty string clears one. */
export const AccountUpdateSchema = s.object({
  username: optionalString,
  display_name: optionalString,
  avatar_url: optionalString,
  lang_tag: optionalString,
  location: optionalString,
  timezone: optionalString,
});
export type AccountUpdateJson = Infer<typeof AccountUpdateSchema>;

/** Nakama's `Session`: `created` only when the sign-in created the account. */
export const SessionSchema = s.object(
  { token: s.string(), refresh_token: s.string(), created: s.optional(s.boolean()) },
  { description: "Session: the access token and the refresh token." },
);
export type SessionJson = Infer<typeof SessionSchema>;

/** `POST /v2/account/session/refresh`, also Nakama's `SessionRefreshRequest` a before hook may return: `vars` absent or `{}` keeps the session's vars. */
export const SessionRefreshSchema = s.object({ token: s.optional(s.string({ description: "The refresh token." })), vars: s.optional(s.map(s.string())) });
export type SessionRefreshJson = Infer<typeof SessionRefreshSchema>;

/** One live session of the account (`GET /v2/account/sessions`). */
export const SessionInfoSchema = s.object({
  id: s.string(),
  create_time: s.string(),
  last_refresh_time: optionalString,
  expire_time: s.string(),
  client_ip: optionalString,
  user_agent: optionalString,
  /** True for the session whose token made the call. */
  current: s.boolean(),
});
export type SessionInfo = Infer<typeof SessionInfoSchema>;

export const SessionListSchema = s.object({ sessions: s.array(SessionInfoSchema) }, { description: "The caller's live sessions." });
export type SessionList = Infer<typeof SessionListSchema>;
