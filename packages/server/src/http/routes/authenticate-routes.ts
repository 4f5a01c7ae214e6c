/** `POST /v2/account/authenticate/{device,email,custom,anonymous}`: thin calls into auth/. */
import {
  authenticateAnonymous,
  authenticateCustom,
  authenticateDevice,
  authenticateEmail,
  type AuthenticateOptions,
  type AuthenticateResult,
} from "../../auth/authenticate.js";
import { parseVars } from "../../session/vars.js";
import { route, type RequestContext, type Route } from "../route.js";
import { AUTHENTICATE_QUERY, queryBoolean, queryString } from "./query.js";

const VARS = { type: "string_map", description: "Session variables carried in both tokens (vrs)." } as const;
const SESSION_RESPONSE = "Session: {token, refresh_token, created?}";

function options(ctx: RequestContext<undefined>): AuthenticateOptions {
  return {
    create: queryBoolean(ctx.query, "create", true),
    username: queryString(ctx.query, "username"),
    vars: parseVars(ctx.body["vars"]) ?? {},
    client: ctx.client,
  };
}

/** Nakama's `Session` JSON: `created` only when true. */
function sessionJson(r: AuthenticateResult): Record<string, unknown> {
  return r.created ? { token: r.token, refresh_token: r.refresh_token, created: true } : { token: r.token, refresh_token: r.refresh_token };
}

export const authenticateRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v2/account/authenticate/device",
    auth: "server_key",
    tag: "authenticate",
    summary: "Sign in with a device id (10-128 bytes), creating the account unless create=false.",
    query: AUTHENTICATE_QUERY,
    body: { id: { type: "string", description: "Device id." }, vars: VARS },
    response: SESSION_RESPONSE,
    handler: async (ctx) => sessionJson(await authenticateDevice(ctx.core, ctx.body["id"], options(ctx))),
  }),
  route({
    method: "POST",
    path: "/v2/account/authenticate/email",
    auth: "server_key",
    tag: "authenticate",
    summary: "Sign in with email and password, or with username (query) and password when email is absent.",
    query: AUTHENTICATE_QUERY,
    body: { email: { type: "string" }, password: { type: "string" }, vars: VARS },
    response: SESSION_RESPONSE,
    handler: async (ctx) =>
      sessionJson(await authenticateEmail(ctx.core, (ctx.body["email"] as string | undefined) ?? "", (ctx.body["password"] as string | undefined) ?? "", options(ctx))),
  }),
  route({
    method: "POST",
    path: "/v2/account/authenticate/custom",
    auth: "server_key",
    tag: "authenticate",
    summary: "Sign in with a custom id (6-128 bytes) from your own identity system.",
    query: AUTHENTICATE_QUERY,
    body: { id: { type: "string", description: "Custom id." }, vars: VARS },
    response: SESSION_RESPONSE,
    handler: async (ctx) => sessionJson(await authenticateCustom(ctx.core, ctx.body["id"], options(ctx))),
  }),
  route({
    method: "POST",
    path: "/v2/account/authenticate/anonymous",
    auth: "server_key",
    tag: "authenticate",
    summary: "Tessera: create an anonymous account (no identity) and sign it in; keep its refresh token or link an identity.",
    query: AUTHENTICATE_QUERY,
    body: { vars: VARS },
    response: SESSION_RESPONSE,
    handler: async (ctx) => sessionJson(await authenticateAnonymous(ctx.core, options(ctx))),
  }),
];
