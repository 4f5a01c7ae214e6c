/** The console API's JSON (`/v2/console`): what the web console reads. */
import { s, type Infer } from "../schema.js";
import { AccountSchema, SessionInfoSchema } from "./account.js";
import { LicensesSchema, OpenTicketSchema } from "./tickets.js";

const optionalString = s.optional(s.string());

export const ConsoleRoleSchema = s.oneOf(["viewer", "admin"]);
export type ConsoleRole = Infer<typeof ConsoleRoleSchema>;

/** A console user's name and role, as sign-in and `GET /v2/console/session` name them. */
export const ConsoleIdentitySchema = s.object({ username: s.string(), role: ConsoleRoleSchema });
export type ConsoleIdentity = Infer<typeof ConsoleIdentitySchema>;

export const ConsoleSignInSchema = s.object({ token: s.string(), expire_time: s.string(), user: ConsoleIdentitySchema });
export type ConsoleSignIn = Infer<typeof ConsoleSignInSchema>;

export const ConsoleSessionSchema = s.object({ user: ConsoleIdentitySchema });

/** A row of the account search; subjects of providers added later come under their own keys. */
export const AccountSummarySchema = s.openObject(
  {
    id: s.string(),
    username: s.string(),
    display_name: optionalString,
    email: optionalString,
    custom_id: optionalString,
    steam_id: optionalString,
    apple_id: optionalString,
    google_id: optionalString,
    facebook_id: optionalString,
    facebook_instant_game_id: optionalString,
    gamecenter_id: optionalString,
    /** An OpenID Connect identity (`<provider name>:<sub>`) that matched. */
    oidc_id: optionalString,
    /** The device id that matched a device search. */
    device_id: optionalString,
    create_time: s.string(),
    disable_time: optionalString,
  },
  s.string(),
);
export type AccountSummary = Infer<typeof AccountSummarySchema>;

export const AccountSearchSchema = s.object({ accounts: s.array(AccountSummarySchema), next_cursor: optionalString });
export type AccountSearch = Infer<typeof AccountSearchSchema>;

/** The account page: Nakama's account JSON plus what only operators see (each provider's operator fields, the ban). */
export const AccountDetailSchema = s.object({
  account: s.extend(AccountSchema, {
    steam_owner_id: optionalString,
    steam_vac_banned: s.optional(s.boolean()),
    disable_time: optionalString,
    ban_kind: optionalString,
    ban_reason: optionalString,
  }),
  /**
   * Every identity of the account in link order, of every provider, including what Nakama's
   * account JSON cannot show (OpenID Connect identities, `<provider name>:<sub>`).
   */
  identities: s.array(
    s.object({
      /** The provider's name: device, email, custom, steam, apple, google, facebook, facebookinstantgame, gamecenter, oidc. */
      provider: s.string(),
      subject: s.string(),
      create_time: s.string(),
      /** The last sign-in with it (or its link). */
      last_use_time: optionalString,
    }),
  ),
  sessions: s.array(SessionInfoSchema),
  licenses: LicensesSchema,
  tickets: s.array(OpenTicketSchema),
});
export type AccountDetail = Infer<typeof AccountDetailSchema>;

/** Who an audit event names as its actor. */
export const AUDIT_ACTOR_TYPES = ["user", "admin", "cli", "runtime", "system"] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];
export const AuditActorTypeSchema = s.oneOf(AUDIT_ACTOR_TYPES);

export const AuditEventSchema = s.object({
  id: s.string(),
  time: s.string(),
  kind: s.string(),
  actor: s.object({ type: AuditActorTypeSchema, id: optionalString }),
  user_id: optionalString,
  ip: optionalString,
  details: s.map(s.unknown()),
});
export type AuditEventJson = Infer<typeof AuditEventSchema>;

export const AuditPageSchema = s.object({ events: s.array(AuditEventSchema), next_cursor: optionalString });
export type AuditPage = Infer<typeof AuditPageSchema>;

export const ConsoleUserSchema = s.object({
  username: s.string(),
  role: ConsoleRoleSchema,
  create_time: s.string(),
  disabled: s.boolean(),
  disable_time: optionalString,
  last_sign_in_time: optionalString,
});
export type ConsoleUserJson = Infer<typeof ConsoleUserSchema>;

export const ConsoleUserListSchema = s.object({ users: s.array(ConsoleUserSchema) });
/** A new console user; `password` only when the server generated it (shown this once). */
export const ConsoleUserCreatedSchema = s.object({ user: ConsoleUserSchema, password: optionalString });

const FIGURES = { sign_ins: s.integer(), sign_in_failures: s.integer(), refreshes: s.integer(), server_errors: s.integer() };
export const FiguresSchema = s.object(FIGURES);
export type Figures = Infer<typeof FiguresSchema>;

export const DashboardSchema = s.object({
  time: s.string(),
  active_sessions: s.integer(),
  accounts: s.integer(),
  banned_accounts: s.integer(),
  /** The last 60 seconds. */
  per_minute: FiguresSchema,
  /** Per minute for the last hour, oldest first. */
  series: s.array(s.object({ ...FIGURES, minute: s.string() })),
});
export type Dashboard = Infer<typeof DashboardSchema>;

/** `DELETE /v2/console/accounts/{id}/sessions`: how many sessions ended. */
export const EndedSchema = s.object({ ended: s.integer() });
