/** The caller's account, and linking/unlinking the identities of every provider of the registry: thin calls into account/, between their runtime hooks. */
import { deleteAccount, getAccount, updateAccount } from "../../account/account-view.js";
import { linkIdentity, unlinkIdentity } from "../../account/link.js";
import { PROVIDERS, type RegisteredProvider } from "../../auth/providers/registry.js";
import { camelKeys, checkUpdateAccount, credentialCheck, credentialWithParams, routePath, type CredentialRequest } from "../../hooks/hook-payloads.js";
import type { UpdateAccountRequest } from "../../hooks/runtime-types.js";
import { withHooks } from "../../hooks/with-hooks.js";
import type { Caller } from "../../session/verify-access.js";
import { AccountSchema, AccountUpdateSchema, EmptySchema, type AccountJson, type AccountUpdateJson } from "@tessera/protocol";
import { route, type Route } from "../route.js";
import { credentialBody } from "../../auth/providers/credential-schemas.js";

const orNull = (v: string | undefined): string | null => v ?? null;
const orUndefined = (v: string | null): string | undefined => v ?? undefined;

/** `POST /v2/account/{link,unlink}/<provider>`: the provider's credential between the hooks of Link<X> / Unlink<X>. */
function credentialRoute(provider: RegisteredProvider, op: "link" | "unlink"): Route {
  const { wire } = provider;
  const check = credentialCheck(wire, wire[op]);
  const domain = op === "link" ? linkIdentity : unlinkIdentity;
  return route({
    method: "POST",
    path: `/v2/account/${op}/${routePath(wire)}`,
    auth: "bearer",
    tag: "link",
    summary: wire.summaries[op],
    body: credentialBody(wire, wire[op]),
    response: EmptySchema,
    handler: withHooks<Caller, CredentialRequest, void>({
      name: wire.hooks[op],
      // The HTTP body is already checked against the declaration; the hook check reads it into Nakama's request.
      request: (ctx) => check(ctx.body),
      check,
      call: (ctx, req) => domain(ctx.core, provider, ctx.caller.userId, credentialWithParams(wire, req, ctx.params)),
    }),
  });
}

export const accountRoutes: Route[] = [
  route({
    method: "GET",
    path: "/v2/account",
    auth: "bearer",
    tag: "account",
    summary: "The caller's account: user, email, devices, custom_id.",
    response: AccountSchema,
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
    body: AccountUpdateSchema,
    response: EmptySchema,
    handler: withHooks<Caller, UpdateAccountRequest, void, AccountUpdateJson>({
      name: "UpdateAccount",
      request: (ctx) => ({
        username: orNull(ctx.body.username),
        displayName: orNull(ctx.body.display_name),
        avatarUrl: orNull(ctx.body.avatar_url),
        langTag: orNull(ctx.body.lang_tag),
        location: orNull(ctx.body.location),
        timezone: orNull(ctx.body.timezone),
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
    response: EmptySchema,
    handler: withHooks<Caller, undefined, void>({
      name: "DeleteAccount",
      request: () => undefined,
      call: (ctx) => deleteAccount(ctx.core, ctx.caller.userId),
    }),
  }),
  ...PROVIDERS.map((provider) => credentialRoute(provider, "link")),
  ...PROVIDERS.map((provider) => credentialRoute(provider, "unlink")),
];
