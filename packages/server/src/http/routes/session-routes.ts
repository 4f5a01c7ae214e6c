/** Refresh, logout and Tessera's session listing: thin calls into session/, between their runtime hooks. */
import { camelKeys, checkDeleteSession, checkSessionLogout, checkSessionRefresh, sessionData } from "../../hooks/hook-payloads.js";
import type { DeleteSessionRequest, SessionLogoutRequest, SessionRefreshRequest } from "../../hooks/runtime-types.js";
import { withHooks } from "../../hooks/with-hooks.js";
import { parseVars } from "../../session/vars.js";
import { refreshSession } from "../../session/refresh.js";
import { logout } from "../../session/logout.js";
import { endOwnSession, listOwnSessions } from "../../session/session-list.js";
import type { SessionTokens } from "../../session/issue.js";
import type { Caller } from "../../session/verify-access.js";
import {
  EmptySchema,
  s,
  SessionListSchema,
  SessionRefreshSchema,
  SessionSchema,
  type Infer,
  type SessionInfo,
  type SessionRefreshJson,
} from "@tessera/protocol";
import { route, type Route } from "../route.js";

const LOGOUT_BODY = s.object({ token: s.optional(s.string()), refresh_token: s.optional(s.string()) });

export const sessionRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v2/account/session/refresh",
    auth: "server_key",
    tag: "session",
    summary:
      "Exchange a refresh token for a new access token AND a new refresh token (rotation). vars absent or {} keeps the session's vars; a non-empty map replaces them.",
    body: SessionRefreshSchema,
    response: SessionSchema,
    handler: withHooks<undefined, SessionRefreshRequest, SessionTokens, SessionRefreshJson>({
      name: "SessionRefresh",
      request: (ctx) => ({ token: ctx.body.token ?? "", vars: parseVars(ctx.body.vars) ?? {} }),
      check: checkSessionRefresh,
      call: (ctx, req) => refreshSession(ctx.core, { refreshToken: req.token, vars: req.vars }, ctx.client),
      reply: (tokens) => tokens,
      data: (tokens) => sessionData(tokens, false),
      issued: (tokens) => tokens.token,
    }),
  }),
  route({
    method: "POST",
    path: "/v2/session/logout",
    auth: "bearer",
    tag: "session",
    summary: "End the session of the given token and/or refresh token; with neither, end every session of the account.",
    body: LOGOUT_BODY,
    response: EmptySchema,
    handler: withHooks<Caller, SessionLogoutRequest, void, Infer<typeof LOGOUT_BODY>>({
      name: "SessionLogout",
      request: (ctx) => ({ token: ctx.body.token ?? "", refreshToken: ctx.body.refresh_token ?? "" }),
      check: checkSessionLogout,
      call: (ctx, req) => logout(ctx.core, ctx.caller, { token: req.token, refreshToken: req.refreshToken }),
    }),
  }),
  route({
    method: "GET",
    path: "/v2/account/sessions",
    auth: "bearer",
    tag: "session",
    summary: "Tessera: list the caller's live sessions (id, create_time, last_refresh_time, expire_time, client_ip, user_agent, current).",
    response: SessionListSchema,
    handler: withHooks<Caller, undefined, { sessions: SessionInfo[] }>({
      name: "ListSessions",
      request: () => undefined,
      call: (ctx) => listOwnSessions(ctx.core, ctx.caller),
      reply: (list) => list,
      data: camelKeys,
    }),
  }),
  route({
    method: "DELETE",
    path: "/v2/account/sessions/{id}",
    auth: "bearer",
    tag: "session",
    summary: "Tessera: end one of the caller's sessions; its tokens stop working at once.",
    response: EmptySchema,
    handler: withHooks<Caller, DeleteSessionRequest, void>({
      name: "DeleteSession",
      request: (ctx) => ({ sessionId: ctx.params["id"]! }),
      check: checkDeleteSession,
      call: (ctx, req) => endOwnSession(ctx.core, ctx.caller, req.sessionId),
    }),
  }),
];
