/**
 * `POST /v2/account/authenticate/<provider>` for every provider of the registry, and Tessera's
 * `/anonymous`: thin calls into auth/authenticate.ts, between their runtime hooks. Paths, hook
 * names and body fields come from each provider's `wire` declaration.
 */
import { authenticate, authenticateAnonymous, type AuthenticateOptions, type AuthenticateResult } from "../../auth/authenticate.js";
import type { RegisteredProvider } from "../../auth/providers/registry.js";
import { PROVIDERS } from "../../auth/providers/registry.js";
import {
  authenticateCheck,
  checkAuthenticateAnonymous,
  credentialWithParams,
  routePath,
  sessionData,
  type AuthenticatePayload,
} from "../../hooks/hook-payloads.js";
import type { AuthenticateAnonymousRequest, Vars } from "../../hooks/runtime-types.js";
import { withHooks } from "../../hooks/with-hooks.js";
import { parseVars } from "../../session/vars.js";
import { route, type RequestContext, type Route } from "../route.js";
import { SessionSchema, s } from "@tessera/protocol";
import { SYNC_DESCRIPTION, signInBody, VARS_FIELD, type SignInBody } from "../../auth/providers/credential-schemas.js";
import { AUTHENTICATE_QUERY, queryBoolean, queryString } from "./query.js";

const ANONYMOUS_BODY = s.object({ vars: VARS_FIELD });

type Ctx = RequestContext<undefined, { vars?: Vars }>;

/** Nakama's authenticate request around `account`: `create` and `username` come from the query. */
function request<A>(ctx: RequestContext<undefined>, account: A): { account: A; create: boolean; username: string } {
  return { account, create: queryBoolean(ctx.query, "create", true), username: queryString(ctx.query, "username") ?? "" };
}

const bodyVars = (ctx: Ctx): Vars => parseVars(ctx.body.vars) ?? {};

function options(ctx: RequestContext<undefined>, req: { create: boolean; username: string; account: { readonly vars: Vars } }): AuthenticateOptions {
  return { create: req.create, username: req.username === "" ? undefined : req.username, vars: req.account.vars, client: ctx.client };
}

/** Nakama's `Session` JSON: `created` only when true. */
function sessionJson(r: AuthenticateResult): Record<string, unknown> {
  return r.created ? { token: r.token, refresh_token: r.refresh_token, created: true } : { token: r.token, refresh_token: r.refresh_token };
}

/** The parts every authenticate call shares: the answer, the after hook's `Session`, its new session. */
const SESSION_PARTS = {
  reply: sessionJson,
  data: (r: AuthenticateResult) => sessionData(r, r.created),
  issued: (r: AuthenticateResult) => r.token,
};

function authenticateRoute(provider: RegisteredProvider): Route {
  const { wire } = provider;
  const check = authenticateCheck(wire);
  return route({
    method: "POST",
    path: `/v2/account/authenticate/${routePath(wire)}`,
    auth: "server_key",
    tag: "authenticate",
    summary: wire.summaries.authenticate,
    signIn: provider.signInIdentifier === undefined ? {} : { identifier: provider.signInIdentifier },
    query: wire.sync ? { ...AUTHENTICATE_QUERY, sync: { type: "boolean", description: SYNC_DESCRIPTION } } : AUTHENTICATE_QUERY,
    body: signInBody(wire),
    response: SessionSchema,
    handler: withHooks<undefined, AuthenticatePayload, AuthenticateResult, SignInBody>({
      name: wire.hooks.authenticate,
      // The HTTP body is already checked against the declaration; the hook check reads it into Nakama's request.
      // Nakama reads `sync` from the query; nakama-js 2.8 sends it in the body: either is accepted.
      request: (ctx) =>
        check({
          ...request(ctx, ctx.body),
          ...(wire.sync ? { sync: queryBoolean(ctx.query, "sync", ctx.body.sync ?? false) } : {}),
        }),
      check,
      call: (ctx, req) => authenticate(ctx.core, provider, credentialWithParams(wire, req, ctx.params), options(ctx, req)),
      ...SESSION_PARTS,
    }),
  });
}

export const authenticateRoutes: Route[] = [
  ...PROVIDERS.map(authenticateRoute),
  route({
    method: "POST",
    path: "/v2/account/authenticate/anonymous",
    auth: "server_key",
    tag: "authenticate",
    summary: "Tessera: create an anonymous account (no identity) and sign it in; keep its refresh token or link an identity.",
    signIn: {},
    query: AUTHENTICATE_QUERY,
    body: ANONYMOUS_BODY,
    response: SessionSchema,
    handler: withHooks<undefined, AuthenticateAnonymousRequest, AuthenticateResult>({
      name: "AuthenticateAnonymous",
      request: (ctx) => request(ctx, { vars: bodyVars(ctx) }),
      check: checkAuthenticateAnonymous,
      call: (ctx, req) => authenticateAnonymous(ctx.core, options(ctx, req)),
      ...SESSION_PARTS,
    }),
  }),
];
