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
import {
  AuthSessionEventListSchema,
  AuthSessionListSchema,
  BeginAuthSessionSchema,
  CanceledSchema,
  EmptySchema,
  GameServerTokenSchema,
  JwksSchema,
  LicensesSchema,
  OpenTicketListSchema,
  s,
  SteamTicketAnswerSchema,
  TicketSchema,
} from "@tessera/protocol";
import { route, type RequestContext, type Route } from "../route.js";
import { queryString } from "./query.js";

const optionalString = (description?: string) => s.optional(s.string(description === undefined ? undefined : { description }));
const BORROWER_BODY = s.object({ borrower_id: optionalString() });

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
    response: SteamTicketAnswerSchema,
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
    body: s.object({ identity: optionalString("Only this validator may use the ticket; empty: any.") }),
    response: TicketSchema,
    handler: (ctx) => issueTicket(ctx.core, ctx.caller, ctx.body.identity ?? ""),
  }),
  route({
    method: "GET",
    path: "/v2/tickets",
    auth: "bearer",
    tag: "tickets",
    summary: "The caller's open tickets (not cancelled; unused and unexpired, or in use by a validator).",
    response: OpenTicketListSchema,
    handler: (ctx) => listTickets(ctx.core, ctx.caller.userId),
  }),
  route({
    method: "DELETE",
    path: "/v2/tickets",
    auth: "bearer",
    tag: "tickets",
    summary: "Cancel every open ticket of the caller; validators holding them get AuthTicketCanceled (6).",
    response: CanceledSchema,
    handler: async (ctx) => ({ canceled: await cancelAllTickets(ctx.core, ctx.caller.userId) }),
  }),
  route({
    method: "DELETE",
    path: "/v2/tickets/{handle}",
    auth: "bearer",
    tag: "tickets",
    summary: "Cancel a ticket (Steam's CancelAuthTicket); a validator holding it gets AuthTicketCanceled (6).",
    response: EmptySchema,
    handler: (ctx) => cancelTicket(ctx.core, ctx.caller.userId, ctx.params["handle"]),
  }),
  route({
    method: "POST",
    path: "/v2/tickets/server/authenticate",
    auth: "server_key",
    tag: "tickets",
    summary:
      "A game server signs in with its credential (identity and secret) and gets a validator token; naming its previous token renews it while keeping its auth sessions.",
    signIn: { identifier: (body) => (body.identity !== undefined && body.identity !== "" ? `gameserver:${body.identity}` : undefined) },
    body: s.object({
      identity: optionalString(),
      secret: optionalString(),
      previous_token: optionalString("This instance's previous token (expired at most a day ago), to keep its auth sessions and pending events."),
    }),
    response: GameServerTokenSchema,
    handler: (ctx) => authenticateGameServer(ctx.core, ctx.body.identity ?? "", ctx.body.secret ?? "", ctx.body.previous_token ?? ""),
  }),
  route({
    method: "POST",
    path: "/v2/tickets/auth-sessions",
    auth: "validator",
    tag: "tickets",
    summary:
      "Begin an auth session (Steam's BeginAuthSession): the offline checks answer at once (result 0-5); on OK the validation result and later changes arrive as events (socket or poll).",
    body: s.object({
      ticket: optionalString("The ticket, hex."),
      user_id: optionalString("The player the ticket must prove."),
      app_id: s.optional(s.integer({ description: "The app the ticket must be for; default this deployment's tickets.app_id." })),
    }),
    response: BeginAuthSessionSchema,
    handler: (ctx) => beginAuthSession(ctx.core, ctx.caller, ctx.body.ticket ?? "", ctx.body.user_id ?? "", ctx.body.app_id),
  }),
  route({
    method: "GET",
    path: "/v2/tickets/auth-sessions",
    auth: "validator",
    tag: "tickets",
    summary: "The validator's live auth sessions.",
    response: AuthSessionListSchema,
    handler: (ctx) => listAuthSessions(ctx.core, ctx.caller),
  }),
  route({
    method: "POST",
    path: "/v2/tickets/auth-sessions/poll",
    auth: "validator",
    tag: "tickets",
    summary: `Acknowledge handled events and receive the pending ones, waiting up to wait_ms (at most ${MAX_POLL_WAIT_MS}) for one: the pull API for validators without a socket.`,
    body: s.object({
      ack: s.optional(s.array(s.string({ maxLength: 64 }), { maxItems: 100, description: "Ids of events already handled." })),
      wait_ms: s.optional(s.integer({ description: `Long-poll wait when nothing is pending, 0-${MAX_POLL_WAIT_MS} (default 0).` })),
    }),
    response: AuthSessionEventListSchema,
    handler: async (ctx) => {
      const { signal, done } = disconnectSignal(ctx);
      try {
        return await pollEvents(ctx.core, ctx.caller, ctx.body.ack ?? [], ctx.body.wait_ms ?? 0, signal);
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
    response: EmptySchema,
    handler: (ctx) => endAuthSession(ctx.core, ctx.caller, ctx.params["id"]!),
  }),
  route({
    method: "GET",
    path: "/.well-known/jwks.json",
    auth: "none",
    tag: "tickets",
    summary: "The Ed25519 public keys that sign tickets (JWKS, RFC 8037), for validating tickets offline.",
    response: JwksSchema,
    handler: async (ctx) => ctx.core.tickets.keyring.jwks(),
  }),
  route({
    method: "GET",
    path: "/v2/licenses",
    auth: "bearer",
    tag: "licenses",
    summary: "The caller's license, borrowed licenses and loans, and who owns the copy it plays.",
    response: LicensesSchema,
    handler: (ctx) => listLicenses(ctx.core, ctx.caller.userId),
  }),
  route({
    method: "POST",
    path: "/v2/licenses/loans",
    auth: "bearer",
    tag: "licenses",
    summary: "Lend the caller's app to another player (family sharing): its validators then see the caller as the game owner.",
    body: BORROWER_BODY,
    response: EmptySchema,
    handler: (ctx) => lendLicense(ctx.core, ctx.caller.userId, checkUserId(ctx.body.borrower_id ?? "")),
  }),
  route({
    method: "DELETE",
    path: "/v2/licenses/loans/{borrower_id}",
    auth: "bearer",
    tag: "licenses",
    summary: "End a loan; the borrower's validators get NoLicenseOrExpired (2) if it has no other license.",
    response: EmptySchema,
    handler: (ctx) => endLoan(ctx.core, ctx.caller.userId, checkUserId(ctx.params["borrower_id"])),
  }),
  steamRoute("/ISteamUserAuth/AuthenticateUserTicket/v1/"),
  steamRoute("/ISteamUserAuth/AuthenticateUserTicket/v1"),
];
