/** `POST /v2/account/authenticate/{device,email,custom,steam,anonymous}`: thin calls into auth/, between their runtime hooks. */
import {
  authenticateAnonymous,
  authenticateCustom,
  authenticateDevice,
  authenticateEmail,
  authenticateSteam,
  type AuthenticateOptions,
  type AuthenticateResult,
} from "../../auth/authenticate.js";
import {
  checkAuthenticateAnonymous,
  checkAuthenticateCustom,
  checkAuthenticateDevice,
  checkAuthenticateEmail,
  checkAuthenticateSteam,
  sessionData,
} from "../../hooks/hook-payloads.js";
import type {
  AuthenticateAnonymousRequest,
  AuthenticateCustomRequest,
  AuthenticateDeviceRequest,
  AuthenticateEmailRequest,
  AuthenticateSteamRequest,
  Vars,
} from "../../hooks/runtime-types.js";
import { withHooks } from "../../hooks/with-hooks.js";
import { parseVars } from "../../session/vars.js";
import { route, type RequestContext, type Route } from "../route.js";
import { AUTHENTICATE_QUERY, SYNC_FIELD, queryBoolean, queryString } from "./query.js";

const VARS = { type: "string_map", description: "Session variables carried in both tokens (vrs)." } as const;
const SESSION_RESPONSE = "Session: {token, refresh_token, created?}";

type Ctx = RequestContext<undefined>;

/** Nakama's authenticate request around `account`: `create` and `username` come from the query. */
function request<A>(ctx: Ctx, account: A): { account: A; create: boolean; username: string } {
  return { account, create: queryBoolean(ctx.query, "create", true), username: queryString(ctx.query, "username") ?? "" };
}

const bodyString = (ctx: Ctx, name: string): string => (ctx.body[name] as string | undefined) ?? "";
const bodyVars = (ctx: Ctx): Vars => parseVars(ctx.body["vars"]) ?? {};

function options(ctx: Ctx, req: { create: boolean; username: string; account: { vars: Vars } }): AuthenticateOptions {
  return { create: req.create, username: req.username === "" ? undefined : req.username, vars: req.account.vars, client: ctx.client };
}

/** Nakama's `Session` JSON: `created` only when true. */
function sessionJson(r: AuthenticateResult): Record<string, unknown> {
  return r.created ? { token: r.token, refresh_token: r.refresh_token, created: true } : { token: r.token, refresh_token: r.refresh_token };
}

/** The sign-in rate limits' identifier: `<kind>:<id>` for a non-empty string field, else none. */
function identifierOf(kind: string, value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? `${kind}:${value}` : undefined;
}

/** Email sign-in names the email (stored lower-case), or without one the username of the query. */
function emailIdentifier(body: Record<string, unknown>, query: URLSearchParams): string | undefined {
  const email = body["email"];
  if (typeof email === "string" && email !== "") return identifierOf("email", email.toLowerCase());
  return identifierOf("username", queryString(query, "username"));
}

/** The parts every authenticate call shares: the answer, the after hook's `Session`, its new session. */
const SESSION_PARTS = {
  reply: sessionJson,
  data: (r: AuthenticateResult) => sessionData(r, r.created),
  issued: (r: AuthenticateResult) => r.token,
};

export const authenticateRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v2/account/authenticate/device",
    auth: "server_key",
    tag: "authenticate",
    summary: "Sign in with a device id (10-128 bytes), creating the account unless create=false.",
    signIn: { identifier: (body) => identifierOf("device", body["id"]) },
    query: AUTHENTICATE_QUERY,
    body: { id: { type: "string", description: "Device id." }, vars: VARS },
    response: SESSION_RESPONSE,
    handler: withHooks<undefined, AuthenticateDeviceRequest, AuthenticateResult>({
      name: "AuthenticateDevice",
      request: (ctx) => request(ctx, { id: bodyString(ctx, "id"), vars: bodyVars(ctx) }),
      check: checkAuthenticateDevice,
      call: (ctx, req) => authenticateDevice(ctx.core, req.account.id, options(ctx, req)),
      ...SESSION_PARTS,
    }),
  }),
  route({
    method: "POST",
    path: "/v2/account/authenticate/email",
    auth: "server_key",
    tag: "authenticate",
    summary: "Sign in with email and password, or with username (query) and password when email is absent.",
    signIn: { identifier: emailIdentifier },
    query: AUTHENTICATE_QUERY,
    body: { email: { type: "string" }, password: { type: "string" }, vars: VARS },
    response: SESSION_RESPONSE,
    handler: withHooks<undefined, AuthenticateEmailRequest, AuthenticateResult>({
      name: "AuthenticateEmail",
      request: (ctx) => request(ctx, { email: bodyString(ctx, "email"), password: bodyString(ctx, "password"), vars: bodyVars(ctx) }),
      check: checkAuthenticateEmail,
      call: (ctx, req) => authenticateEmail(ctx.core, req.account.email, req.account.password, options(ctx, req)),
      ...SESSION_PARTS,
    }),
  }),
  route({
    method: "POST",
    path: "/v2/account/authenticate/custom",
    auth: "server_key",
    tag: "authenticate",
    summary: "Sign in with a custom id (6-128 bytes) from your own identity system.",
    signIn: { identifier: (body) => identifierOf("custom", body["id"]) },
    query: AUTHENTICATE_QUERY,
    body: { id: { type: "string", description: "Custom id." }, vars: VARS },
    response: SESSION_RESPONSE,
    handler: withHooks<undefined, AuthenticateCustomRequest, AuthenticateResult>({
      name: "AuthenticateCustom",
      request: (ctx) => request(ctx, { id: bodyString(ctx, "id"), vars: bodyVars(ctx) }),
      check: checkAuthenticateCustom,
      call: (ctx, req) => authenticateCustom(ctx.core, req.account.id, options(ctx, req)),
      ...SESSION_PARTS,
    }),
  }),
  route({
    method: "POST",
    path: "/v2/account/authenticate/steam",
    auth: "server_key",
    tag: "authenticate",
    summary:
      "Sign in with a Steam auth ticket (hex), checked with Steam's Web API; the Steam id is the identity. 503 when Steam cannot be asked. docs/steam.md.",
    // The Steam id is known only after Steam's check: counted per address only.
    signIn: {},
    query: { ...AUTHENTICATE_QUERY, sync: { type: "boolean", description: SYNC_FIELD.description } },
    body: { token: { type: "string", description: "Steam auth ticket, hex-encoded." }, vars: VARS, sync: SYNC_FIELD },
    response: SESSION_RESPONSE,
    handler: withHooks<undefined, AuthenticateSteamRequest, AuthenticateResult>({
      name: "AuthenticateSteam",
      // Nakama reads `sync` from the query; nakama-js 2.8 sends it in the body: either is accepted.
      request: (ctx) => ({
        ...request(ctx, { token: bodyString(ctx, "token"), vars: bodyVars(ctx) }),
        sync: queryBoolean(ctx.query, "sync", (ctx.body["sync"] as boolean | undefined) ?? false),
      }),
      check: checkAuthenticateSteam,
      call: (ctx, req) => authenticateSteam(ctx.core, req.account.token, options(ctx, req)),
      ...SESSION_PARTS,
    }),
  }),
  route({
    method: "POST",
    path: "/v2/account/authenticate/anonymous",
    auth: "server_key",
    tag: "authenticate",
    summary: "Tessera: create an anonymous account (no identity) and sign it in; keep its refresh token or link an identity.",
    signIn: {},
    query: AUTHENTICATE_QUERY,
    body: { vars: VARS },
    response: SESSION_RESPONSE,
    handler: withHooks<undefined, AuthenticateAnonymousRequest, AuthenticateResult>({
      name: "AuthenticateAnonymous",
      request: (ctx) => request(ctx, { vars: bodyVars(ctx) }),
      check: checkAuthenticateAnonymous,
      call: (ctx, req) => authenticateAnonymous(ctx.core, options(ctx, req)),
      ...SESSION_PARTS,
    }),
  }),
];
