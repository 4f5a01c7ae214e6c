/**
 * Tessera's ticket API (Steamworks-style auth session tickets), licenses, game-server sign-in,
 * the JWKS of ticket keys and the Steam-Web-API-shaped validation: thin calls into tickets/.
 * Reference: docs/tickets.md.
 */
import { beginAuthSession, endAuthSession, listAuthSessions } from "../../tickets/auth-sessions.js";
import { MAX_POLL_WAIT_MS, pollEvents } from "../../tickets/auth-session-events.js";
import { authenticateGameServer } from "../../tickets/game-servers.js";
import { endLoan, lendLicense, listLicenses } from "../../tickets/licenses.js";
import { authenticateUserTicket } from "../../tickets/steam-compatible-api.js";
import { cancelAllTickets, cancelTicket, issueTicket, listTickets } from "../../tickets/tickets.js";
import { checkUserId } from "../../tickets/auth-sessions.js";
import { route, type RequestContext, type Route } from "../route.js";
import { queryString } from "./query.js";

const str = (ctx: RequestContext<unknown>, name: string): string => (ctx.body[name] as string | undefined) ?? "";

/** Aborts when the client goes away, so a long poll stops waiting for nobody. */
function disconnectSignal(ctx: RequestContext<unknown>): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const socket = ctx.req.socket;
  const abort = () => controller.abort();
  socket.once("close", abort);
  return { signal: controller.signal, done: () => socket.off("close", abort) };
}

const STEAM_QUERY = {
  key: { type: "string", description: "A game server's secret (Steam: the publisher Web API key)." },
  appid: { type: "string", description: "The app id the ticket must be for." },
  ticket: { type: "string", description: "The ticket, hex." },
  identity: { type: "string", description: "Optional: the identity the ticket was issued for; must be the key's game server." },
} as const;

function steamRoute(path: string): Route {
  return route({
    method: "GET",
    path,
    auth: "none",
    tag: "tickets",
    summary: "Steam-Web-API-shaped validation of a Tessera ticket (uses it up): Steam's response shape and error codes.",
    query: STEAM_QUERY,
    response: '{"response":{"params":{result,steamid,ownersteamid,vacbanned,publisherbanned}}} or {"response":{"error":{errorcode,errordesc}}}',
    handler: (ctx) =>
      authenticateUserTicket(ctx.core, {
        key: queryString(ctx.query, "key"),
        appid: queryString(ctx.query, "appid"),
        ticket: queryString(ctx.query, "ticket"),
        identity: queryString(ctx.query, "identity"),
      }),
  });
}

export const ticketRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v2/tickets",
    auth: "bearer",
    tag: "tickets",
    summary: "Get an auth session ticket (Steam's GetAuthSessionTicket) for an optional validator identity: a game server's identity or a player's user id.",
    body: { identity: { type: "string", description: "Only this validator may use the ticket; empty: any." } },
    response: "{handle, ticket (hex), identity, create_time, expire_time}",
    handler: (ctx) => issueTicket(ctx.core, ctx.caller, str(ctx, "identity")),
  }),
  route({
    method: "GET",
    path: "/v2/tickets",
    auth: "bearer",
    tag: "tickets",
    summary: "The caller's open tickets (not cancelled; unused and unexpired, or in use by a validator).",
    response: "{tickets: [{handle, identity, create_time, expire_time, state}]}",
    handler: (ctx) => listTickets(ctx.core, ctx.caller.userId),
  }),
  route({
    method: "DELETE",
    path: "/v2/tickets",
    auth: "bearer",
    tag: "tickets",
    summary: "Cancel every open ticket of the caller; validators holding them get AuthTicketCanceled (6).",
    response: "{canceled}",
    handler: async (ctx) => ({ canceled: await cancelAllTickets(ctx.core, ctx.caller.userId) }),
  }),
  route({
    method: "DELETE",
    path: "/v2/tickets/{handle}",
    auth: "bearer",
    tag: "tickets",
    summary: "Cancel a ticket (Steam's CancelAuthTicket); a validator holding it gets AuthTicketCanceled (6).",
    response: "{}",
    handler: (ctx) => cancelTicket(ctx.core, ctx.caller.userId, ctx.params["handle"]),
  }),
  route({
    method: "POST",
    path: "/v2/tickets/server/authenticate",
    auth: "server_key",
    tag: "tickets",
    summary:
      "A game server signs in with its credential (identity and secret) and gets a validator token; naming its previous token renews it while keeping its auth sessions.",
    signIn: { identifier: (body) => (typeof body["identity"] === "string" && body["identity"] !== "" ? `gameserver:${body["identity"]}` : undefined) },
    body: {
      identity: { type: "string" },
      secret: { type: "string" },
      previous_token: { type: "string", description: "This instance's previous token (expired at most a day ago), to keep its auth sessions and pending events." },
    },
    response: "{token, identity, session_id, expire_time}",
    handler: (ctx) => authenticateGameServer(ctx.core, str(ctx, "identity"), str(ctx, "secret"), str(ctx, "previous_token")),
  }),
  route({
    method: "POST",
    path: "/v2/tickets/auth-sessions",
    auth: "validator",
    tag: "tickets",
    summary:
      "Begin an auth session (Steam's BeginAuthSession): the offline checks answer at once (result 0-5); on OK the validation result and later changes arrive as events (socket or poll).",
    body: {
      ticket: { type: "string", description: "The ticket, hex." },
      user_id: { type: "string", description: "The player the ticket must prove." },
      app_id: { type: "integer", description: "The app the ticket must be for; default this deployment's tickets.app_id." },
    },
    response: "{result, result_name, auth_session?: {id, user_id, create_time}}",
    handler: (ctx) => beginAuthSession(ctx.core, ctx.caller, str(ctx, "ticket"), ctx.body["user_id"] ?? "", ctx.body["app_id"] as number | undefined),
  }),
  route({
    method: "GET",
    path: "/v2/tickets/auth-sessions",
    auth: "validator",
    tag: "tickets",
    summary: "The validator's live auth sessions.",
    response: "{auth_sessions: [{id, user_id, owner_id?, is_borrowed?, response?, response_name?, create_time}]}",
    handler: (ctx) => listAuthSessions(ctx.core, ctx.caller),
  }),
  route({
    method: "POST",
    path: "/v2/tickets/auth-sessions/poll",
    auth: "validator",
    tag: "tickets",
    summary: `Acknowledge handled events and receive the pending ones, waiting up to wait_ms (at most ${MAX_POLL_WAIT_MS}) for one: the pull API for validators without a socket.`,
    body: {
      ack: { type: "string_list", maxItems: 100, description: "Ids of events already handled." },
      wait_ms: { type: "integer", description: `Long-poll wait when nothing is pending, 0-${MAX_POLL_WAIT_MS} (default 0).` },
    },
    response: "{events: [{id, auth_session_id, seq, user_id, owner_id, is_borrowed, response, response_name, ended, create_time}]}",
    handler: async (ctx) => {
      const { signal, done } = disconnectSignal(ctx);
      try {
        return await pollEvents(ctx.core, ctx.caller, (ctx.body["ack"] as string[] | undefined) ?? [], (ctx.body["wait_ms"] as number | undefined) ?? 0, signal);
      } finally {
        done();
      }
    },
  }),
  route({
    method: "DELETE",
    path: "/v2/tickets/auth-sessions/{id}",
    auth: "validator",
    tag: "tickets",
    summary: "End an auth session (Steam's EndAuthSession).",
    response: "{}",
    handler: (ctx) => endAuthSession(ctx.core, ctx.caller, ctx.params["id"]!),
  }),
  route({
    method: "GET",
    path: "/.well-known/jwks.json",
    auth: "none",
    tag: "tickets",
    summary: "The Ed25519 public keys that sign tickets (JWKS, RFC 8037), for validating tickets offline.",
    response: "{keys: [{kty, crv, x, kid, use, alg}]}",
    handler: async (ctx) => ctx.core.tickets.keyring.jwks(),
  }),
  route({
    method: "GET",
    path: "/v2/licenses",
    auth: "bearer",
    tag: "licenses",
    summary: "The caller's license, borrowed licenses and loans, and who owns the copy it plays.",
    response: "{license?, borrowed, lent_to, owns_app, owner_id?, is_borrowed?}",
    handler: (ctx) => listLicenses(ctx.core, ctx.caller.userId),
  }),
  route({
    method: "POST",
    path: "/v2/licenses/loans",
    auth: "bearer",
    tag: "licenses",
    summary: "Lend the caller's app to another player (family sharing): its validators then see the caller as the game owner.",
    body: { borrower_id: { type: "string" } },
    response: "{}",
    handler: (ctx) => lendLicense(ctx.core, ctx.caller.userId, checkUserId(ctx.body["borrower_id"] ?? "")),
  }),
  route({
    method: "DELETE",
    path: "/v2/licenses/loans/{borrower_id}",
    auth: "bearer",
    tag: "licenses",
    summary: "End a loan; the borrower's validators get NoLicenseOrExpired (2) if it has no other license.",
    response: "{}",
    handler: (ctx) => endLoan(ctx.core, ctx.caller.userId, checkUserId(ctx.params["borrower_id"])),
  }),
  steamRoute("/ISteamUserAuth/AuthenticateUserTicket/v1/"),
  steamRoute("/ISteamUserAuth/AuthenticateUserTicket/v1"),
];
