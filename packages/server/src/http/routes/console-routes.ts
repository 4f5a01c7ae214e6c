/**
 * The console API under `/v2/console` (where Nakama serves its console's): console sign-in, the
 * dashboard, account search and the account page, operator actions on accounts, the audit log
 * and console users. Thin calls into admin/ and the domain functions players use, with the
 * console user as the audit actor. Reference: docs/console.md.
 */
import { ACCOUNT_SEARCH_FIELDS, accountDetail, searchAccounts } from "../../admin/accounts.js";
import { listAuditEvents } from "../../admin/audit-view.js";
import { consoleSessionJson, signInConsole, signOutConsole } from "../../admin/console-sessions.js";
import { createConsoleUser, deleteConsoleUser, listConsoleUsers, updateConsoleUser } from "../../admin/console-users.js";
import { dashboard } from "../../admin/dashboard.js";
import { cancelTicketsOf, endAllSessions, parseRfc3339 } from "../../admin/operator-actions.js";
import { pageLimit } from "../../admin/page-cursor.js";
import { deleteAccount } from "../../account/account-view.js";
import { banAccount, unbanAccount } from "../../account/ban.js";
import { adminActor } from "../../audit/audit-events.js";
import type { ConsoleCaller } from "../../admin/console-sessions.js";
import { endSession } from "../../session/session-list.js";
import { checkUserId } from "../../tickets/auth-sessions.js";
import { endLoan, grantLicense, lendLicense, revokeLicense } from "../../tickets/licenses.js";
import {
  AccountDetailSchema,
  AccountSearchSchema,
  AuditPageSchema,
  CanceledSchema,
  ConsoleSessionSchema,
  ConsoleSignInSchema,
  ConsoleUserCreatedSchema,
  ConsoleUserListSchema,
  ConsoleUserSchema,
  DashboardSchema,
  EmptySchema,
  EndedSchema,
  s,
} from "@tessera/protocol";
import { route, type QuerySchema, type RequestContext, type Route } from "../route.js";
import { queryString } from "./query.js";

const TAG = "console";

const optionalString = (description?: string) => s.optional(s.string(description === undefined ? undefined : { description }));

/** The account of the path's `{id}`. */
const accountId = (ctx: RequestContext<ConsoleCaller>): string => checkUserId(ctx.params["id"]);
const actor = (ctx: RequestContext<ConsoleCaller>) => adminActor(ctx.caller.username);

const PAGE_QUERY: Record<string, QuerySchema> = {
  cursor: { type: "string", description: "next_cursor of the previous page." },
  limit: { type: "string", description: "Rows per page, 1-100 (default 50)." },
};

export const consoleRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v2/console/authenticate",
    auth: "none",
    tag: TAG,
    summary:
      'Console sign-in with a console user\'s username and password (never the server key); refusals all answer 401 "Invalid credentials." and are audited.',
    // Counted by the sign-in rate limits like a player's sign-in: per address, and per console username.
    signIn: { identifier: (body) => (body.username !== undefined && body.username !== "" ? `console:${body.username}` : undefined) },
    body: s.object({ username: optionalString(), password: optionalString() }),
    response: ConsoleSignInSchema,
    handler: (ctx) => signInConsole(ctx.core, ctx.body.username, ctx.body.password, ctx.client),
  }),
  route({
    method: "POST",
    path: "/v2/console/authenticate/logout",
    auth: "admin",
    role: "viewer",
    tag: TAG,
    summary: "End this console session; its token is refused from now on.",
    response: EmptySchema,
    handler: (ctx) => signOutConsole(ctx.core, ctx.caller, ctx.client),
  }),
  route({
    method: "GET",
    path: "/v2/console/session",
    auth: "admin",
    role: "viewer",
    tag: TAG,
    summary: "Who is signed in to the console, with which role.",
    response: ConsoleSessionSchema,
    handler: async (ctx) => consoleSessionJson(ctx.caller),
  }),
  route({
    method: "GET",
    path: "/v2/console/dashboard",
    auth: "admin",
    role: "viewer",
    tag: TAG,
    summary:
      "Live figures: live sessions, accounts, bans; sign-ins, refused sign-ins, refreshes and server errors over the last 60 s and per minute for the last hour.",
    response: DashboardSchema,
    handler: (ctx) => dashboard(ctx.core),
  }),
  route({
    method: "GET",
    path: "/v2/console/accounts",
    auth: "admin",
    role: "viewer",
    tag: TAG,
    summary: `Search accounts. Without q: all, newest first. field any (default): a username prefix or any identity exactly; id: an exact user id; ${ACCOUNT_SEARCH_FIELDS.filter((f) => f !== "any" && f !== "id").join(", ")}: a prefix of it.`,
    query: {
      q: { type: "string", description: "What to search for." },
      field: { type: "string", description: `One of ${ACCOUNT_SEARCH_FIELDS.join(", ")}.` },
      ...PAGE_QUERY,
    },
    response: AccountSearchSchema,
    handler: (ctx) =>
      searchAccounts(ctx.core, {
        query: queryString(ctx.query, "q"),
        field: queryString(ctx.query, "field"),
        cursor: queryString(ctx.query, "cursor"),
        limit: pageLimit(queryString(ctx.query, "limit")),
      }),
  }),
  route({
    method: "GET",
    path: "/v2/console/accounts/{id}",
    auth: "admin",
    role: "viewer",
    tag: TAG,
    summary: "An account with its identities, ban, live sessions, licenses and open tickets.",
    response: AccountDetailSchema,
    handler: (ctx) => accountDetail(ctx.core, ctx.params["id"]),
  }),
  route({
    method: "DELETE",
    path: "/v2/console/accounts/{id}",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Delete an account for good: identities, sessions (its tokens are refused at once), licenses. Its audit trail stays.",
    response: EmptySchema,
    handler: (ctx) => deleteAccount(ctx.core, accountId(ctx), actor(ctx)),
  }),
  route({
    method: "DELETE",
    path: "/v2/console/accounts/{id}/sessions",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "End every live session of the account: its tokens are refused at once, its sockets close.",
    response: EndedSchema,
    handler: (ctx) => endAllSessions(ctx.core, accountId(ctx), actor(ctx)),
  }),
  route({
    method: "DELETE",
    path: "/v2/console/accounts/{id}/sessions/{session_id}",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "End one session of the account: its tokens are refused at once, its sockets close.",
    response: EmptySchema,
    handler: (ctx) => endSession(ctx.core, accountId(ctx), ctx.params["session_id"]!, actor(ctx)),
  }),
  route({
    method: "POST",
    path: "/v2/console/accounts/{id}/ban",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Ban the account (every session ends; sign-in and refresh answer 403). kind publisher (default) or vac decides what ticket validators are told.",
    body: s.object({
      kind: optionalString("publisher (default) or vac."),
      reason: optionalString("Kept for operators, at most 512 characters."),
    }),
    response: EmptySchema,
    handler: (ctx) => {
      const { reason } = ctx.body;
      return banAccount(ctx.core, accountId(ctx), { kind: ctx.body.kind || undefined, reason: reason ? reason : null }, actor(ctx));
    },
  }),
  route({
    method: "POST",
    path: "/v2/console/accounts/{id}/unban",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Lift the account's ban: it can sign in again (sessions the ban ended stay ended).",
    response: EmptySchema,
    handler: (ctx) => unbanAccount(ctx.core, accountId(ctx), actor(ctx)),
  }),
  route({
    method: "POST",
    path: "/v2/console/accounts/{id}/license",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Grant (or renew) the account's own license of the app, optionally until expire_time.",
    body: s.object({ expire_time: optionalString("RFC 3339; absent: no expiry.") }),
    response: EmptySchema,
    handler: (ctx) => grantLicense(ctx.core, accountId(ctx), parseRfc3339(ctx.body.expire_time, "expire_time"), actor(ctx)),
  }),
  route({
    method: "DELETE",
    path: "/v2/console/accounts/{id}/license",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Revoke the account's own license and every loan of it; validators of players left without one get NoLicenseOrExpired.",
    response: EmptySchema,
    handler: (ctx) => revokeLicense(ctx.core, accountId(ctx), actor(ctx)),
  }),
  route({
    method: "POST",
    path: "/v2/console/accounts/{id}/loans",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Lend the account's app to another account (family sharing).",
    body: s.object({ borrower_id: optionalString() }),
    response: EmptySchema,
    handler: (ctx) => lendLicense(ctx.core, accountId(ctx), checkUserId(ctx.body.borrower_id ?? ""), actor(ctx)),
  }),
  route({
    method: "DELETE",
    path: "/v2/console/accounts/{id}/loans/{borrower_id}",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "End a loan of the account's app.",
    response: EmptySchema,
    handler: (ctx) => endLoan(ctx.core, accountId(ctx), checkUserId(ctx.params["borrower_id"]), actor(ctx)),
  }),
  route({
    method: "DELETE",
    path: "/v2/console/accounts/{id}/tickets",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Cancel the account's open tickets; validators holding them get AuthTicketCanceled (6).",
    response: CanceledSchema,
    handler: (ctx) => cancelTicketsOf(ctx.core, accountId(ctx), actor(ctx)),
  }),
  route({
    method: "GET",
    path: "/v2/console/audit",
    auth: "admin",
    role: "viewer",
    tag: TAG,
    summary:
      "The audit log, newest first: sign-ins, refused sign-ins, refresh reuse, ended sessions, bans, deletions, license changes, console sign-ins and operator actions.",
    query: {
      kind: { type: "string", description: "Comma-separated event kinds (docs/console.md)." },
      user_id: { type: "string", description: "Events about this account." },
      actor: { type: "string", description: "user, admin, cli, runtime or system, optionally with :<id> (admin:alice)." },
      since: { type: "string", description: "RFC 3339, inclusive." },
      until: { type: "string", description: "RFC 3339, exclusive." },
      ...PAGE_QUERY,
    },
    response: AuditPageSchema,
    handler: (ctx) =>
      listAuditEvents(ctx.core, {
        kind: queryString(ctx.query, "kind"),
        user_id: queryString(ctx.query, "user_id"),
        actor: queryString(ctx.query, "actor"),
        since: queryString(ctx.query, "since"),
        until: queryString(ctx.query, "until"),
        cursor: queryString(ctx.query, "cursor"),
        limit: pageLimit(queryString(ctx.query, "limit")),
      }),
  }),
  route({
    method: "GET",
    path: "/v2/console/users",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Console users (without their passwords).",
    response: ConsoleUserListSchema,
    handler: (ctx) => listConsoleUsers(ctx.core),
  }),
  route({
    method: "POST",
    path: "/v2/console/users",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Create a console user. Without a password one is generated and returned (only here).",
    body: s.object({
      username: optionalString(),
      role: optionalString("admin or viewer (default)."),
      password: optionalString("At least 12 characters; absent: generated."),
    }),
    response: ConsoleUserCreatedSchema,
    handler: (ctx) => createConsoleUser(ctx.core, { username: ctx.body.username, role: ctx.body.role, password: ctx.body.password }, actor(ctx)),
  }),
  route({
    method: "PUT",
    path: "/v2/console/users/{username}",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary:
      "Change a console user's role, disable or enable it, or set its password; disabling and a new password end its sessions at once. One enabled admin always remains.",
    body: s.object({ role: optionalString(), disabled: s.optional(s.boolean()), password: optionalString() }),
    response: ConsoleUserSchema,
    handler: (ctx) =>
      updateConsoleUser(ctx.core, ctx.params["username"], { role: ctx.body.role, disabled: ctx.body.disabled, password: ctx.body.password }, actor(ctx)),
  }),
  route({
    method: "DELETE",
    path: "/v2/console/users/{username}",
    auth: "admin",
    role: "admin",
    tag: TAG,
    summary: "Delete a console user and its sessions; one enabled admin always remains.",
    response: EmptySchema,
    handler: (ctx) => deleteConsoleUser(ctx.core, ctx.params["username"], actor(ctx)),
  }),
];
