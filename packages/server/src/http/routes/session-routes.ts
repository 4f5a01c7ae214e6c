/** Refresh, logout and Tessera's session listing: thin calls into session/. */
import { parseVars } from "../../session/vars.js";
import { refreshSession } from "../../session/refresh.js";
import { logout } from "../../session/logout.js";
import { endOwnSession, listOwnSessions } from "../../session/session-list.js";
import { route, type Route } from "../route.js";

export const sessionRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v2/account/session/refresh",
    auth: "server_key",
    tag: "session",
    summary:
      "Exchange a refresh token for a new access token AND a new refresh token (rotation). vars absent or {} keeps the session's vars; a non-empty map replaces them.",
    body: { token: { type: "string", description: "The refresh token." }, vars: { type: "string_map" } },
    response: "Session: {token, refresh_token}",
    handler: async (ctx) =>
      refreshSession(ctx.core, { refreshToken: ctx.body["token"] as string | undefined, vars: parseVars(ctx.body["vars"]) }, ctx.client),
  }),
  route({
    method: "POST",
    path: "/v2/session/logout",
    auth: "bearer",
    tag: "session",
    summary: "End the session of the given token and/or refresh token; with neither, end every session of the account.",
    body: { token: { type: "string" }, refresh_token: { type: "string" } },
    response: "{}",
    handler: async (ctx) => {
      await logout(ctx.core, ctx.caller, { token: ctx.body["token"] as string | undefined, refreshToken: ctx.body["refresh_token"] as string | undefined });
      return {};
    },
  }),
  route({
    method: "GET",
    path: "/v2/account/sessions",
    auth: "bearer",
    tag: "session",
    summary: "Tessera: list the caller's live sessions (id, create_time, last_refresh_time, expire_time, client_ip, user_agent, current).",
    response: "{sessions: [...]}",
    handler: async (ctx) => listOwnSessions(ctx.core, ctx.caller),
  }),
  route({
    method: "DELETE",
    path: "/v2/account/sessions/{id}",
    auth: "bearer",
    tag: "session",
    summary: "Tessera: end one of the caller's sessions; its tokens stop working at once.",
    response: "{}",
    handler: async (ctx) => {
      await endOwnSession(ctx.core, ctx.caller, ctx.params["id"]!);
      return {};
    },
  }),
];
