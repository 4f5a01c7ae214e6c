/** The caller's account, and linking/unlinking identities: thin calls into account/, between their runtime hooks. */
import { deleteAccount, getAccount, updateAccount, type AccountJson } from "../../account/account-view.js";
import { linkCustom, linkDevice, linkEmail, linkSteam, unlinkCustom, unlinkDevice, unlinkEmail, unlinkSteam } from "../../account/link.js";
import type { Core } from "../../core.js";
import { camelKeys, checkAccountSteam, checkEmail, checkIdentityId, checkLinkSteam, checkUpdateAccount } from "../../hooks/hook-payloads.js";
import type { AccountSteam, EmailRequest, HookName, IdentityIdRequest, LinkSteamRequest, UpdateAccountRequest } from "../../hooks/runtime-types.js";
import { withHooks } from "../../hooks/with-hooks.js";
import { parseVars } from "../../session/vars.js";
import type { Caller } from "../../session/verify-access.js";
import { route, type FieldSchema, type RequestContext, type Route } from "../route.js";
import { SYNC_FIELD } from "./query.js";

type Ctx = RequestContext<Caller>;

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const orNull = (v: unknown): string | null => (typeof v === "string" ? v : null);
const orUndefined = (v: string | null): string | undefined => v ?? undefined;

/** A link/unlink call by id (device, custom): `{id}` between the hooks of `name`. */
function byId(name: HookName, op: (core: Core, userId: string, id: string) => Promise<void>) {
  return withHooks<Caller, IdentityIdRequest, void>({
    name,
    request: (ctx: Ctx) => ({ id: str(ctx.body["id"]) }),
    check: checkIdentityId,
    call: (ctx, req) => op(ctx.core, ctx.caller.userId, req.id),
  });
}

/** A link/unlink call by email: `{email, password}` between the hooks of `name`. */
function byEmail(name: HookName, op: (core: Core, userId: string, email: string, password: string) => Promise<void>) {
  return withHooks<Caller, EmailRequest, void>({
    name,
    request: (ctx: Ctx) => ({ email: str(ctx.body["email"]), password: str(ctx.body["password"]) }),
    check: checkEmail,
    call: (ctx, req) => op(ctx.core, ctx.caller.userId, req.email, req.password),
  });
}

/** Nakama's `AccountSteam`: the ticket as `token`; `vars` are accepted and unused outside sign-in. */
const ACCOUNT_STEAM: Record<string, FieldSchema> = {
  token: { type: "string", description: "Steam auth ticket, hex-encoded." },
  vars: { type: "string_map" },
};

function accountSteam(body: Record<string, unknown>): AccountSteam {
  return { token: str(body["token"]), vars: parseVars(body["vars"]) ?? {} };
}

export const accountRoutes: Route[] = [
  route({
    method: "GET",
    path: "/v2/account",
    auth: "bearer",
    tag: "account",
    summary: "The caller's account: user, email, devices, custom_id.",
    response: "Account",
    handler: withHooks<Caller, undefined, AccountJson>({
      name: "GetAccount",
      request: () => undefined,
      call: (ctx) => getAccount(ctx.core, ctx.caller.userId),
      reply: (account) => account,
      data: camelKeys,
    }),
  }),
  route({
    method: "PUT",
    path: "/v2/account",
    auth: "bearer",
    tag: "account",
    summary: "Update the caller's profile; absent fields stay, an empty string clears a field.",
    body: {
      username: { type: "string" },
      display_name: { type: "string" },
      avatar_url: { type: "string" },
      lang_tag: { type: "string" },
      location: { type: "string" },
      timezone: { type: "string" },
    },
    response: "{}",
    handler: withHooks<Caller, UpdateAccountRequest, void>({
      name: "UpdateAccount",
      request: (ctx) => ({
        username: orNull(ctx.body["username"]),
        displayName: orNull(ctx.body["display_name"]),
        avatarUrl: orNull(ctx.body["avatar_url"]),
        langTag: orNull(ctx.body["lang_tag"]),
        location: orNull(ctx.body["location"]),
        timezone: orNull(ctx.body["timezone"]),
      }),
      check: checkUpdateAccount,
      call: (ctx, req) =>
        updateAccount(ctx.core, ctx.caller.userId, {
          username: orUndefined(req.username),
          display_name: orUndefined(req.displayName),
          avatar_url: orUndefined(req.avatarUrl),
          lang_tag: orUndefined(req.langTag),
          location: orUndefined(req.location),
          timezone: orUndefined(req.timezone),
        }),
    }),
  }),
  route({
    method: "DELETE",
    path: "/v2/account",
    auth: "bearer",
    tag: "account",
    summary: "Delete the caller's account with its identities and sessions; every token of it stops working.",
    response: "{}",
    handler: withHooks<Caller, undefined, void>({
      name: "DeleteAccount",
      request: () => undefined,
      call: (ctx) => deleteAccount(ctx.core, ctx.caller.userId),
    }),
  }),
  route({
    method: "POST", path: "/v2/account/link/device", auth: "bearer", tag: "link",
    summary: "Link a device id to the caller's account (409 if another account has it).",
    body: { id: { type: "string" } }, response: "{}",
    handler: byId("LinkDevice", linkDevice),
  }),
  route({
    method: "POST", path: "/v2/account/link/email", auth: "bearer", tag: "link",
    summary: "Link (or replace) the email and password of the caller's account.",
    body: { email: { type: "string" }, password: { type: "string" } }, response: "{}",
    handler: byEmail("LinkEmail", linkEmail),
  }),
  route({
    method: "POST", path: "/v2/account/link/custom", auth: "bearer", tag: "link",
    summary: "Link (or replace) the custom id of the caller's account.",
    body: { id: { type: "string" } }, response: "{}",
    handler: byId("LinkCustom", linkCustom),
  }),
  route({
    method: "POST", path: "/v2/account/link/steam", auth: "bearer", tag: "link",
    summary: "Link the Steam id a Steam auth ticket proves (Nakama's {account: {token}, sync}; 409 if another account has it). docs/steam.md.",
    body: { account: { type: "object", fields: ACCOUNT_STEAM }, sync: SYNC_FIELD }, response: "{}",
    handler: withHooks<Caller, LinkSteamRequest, void>({
      name: "LinkSteam",
      request: (ctx) => ({ account: accountSteam((ctx.body["account"] as Record<string, unknown> | undefined) ?? {}), sync: ctx.body["sync"] === true }),
      check: checkLinkSteam,
      call: (ctx, req) => linkSteam(ctx.core, ctx.caller.userId, req.account.token),
    }),
  }),
  route({
    method: "POST", path: "/v2/account/unlink/device", auth: "bearer", tag: "link",
    summary: "Unlink a device id; refused (400) if it is the account's last identity.",
    body: { id: { type: "string" } }, response: "{}",
    handler: byId("UnlinkDevice", unlinkDevice),
  }),
  route({
    method: "POST", path: "/v2/account/unlink/email", auth: "bearer", tag: "link",
    summary: "Unlink the email; refused (400) if it is the account's last identity.",
    body: { email: { type: "string" }, password: { type: "string" } }, response: "{}",
    handler: byEmail("UnlinkEmail", (core, userId, email) => unlinkEmail(core, userId, email)),
  }),
  route({
    method: "POST", path: "/v2/account/unlink/custom", auth: "bearer", tag: "link",
    summary: "Unlink the custom id; refused (400) if it is the account's last identity.",
    body: { id: { type: "string" } }, response: "{}",
    handler: byId("UnlinkCustom", unlinkCustom),
  }),
  route({
    method: "POST", path: "/v2/account/unlink/steam", auth: "bearer", tag: "link",
    summary: "Unlink the Steam id: the one a ticket proves, or with no token the account's; refused (400) if it is the last identity.",
    body: ACCOUNT_STEAM, response: "{}",
    handler: withHooks<Caller, AccountSteam, void>({
      name: "UnlinkSteam",
      request: (ctx) => accountSteam(ctx.body),
      check: checkAccountSteam,
      call: (ctx, req) => unlinkSteam(ctx.core, ctx.caller.userId, req.token),
    }),
  }),
];
