/**
 * A route is declared once: method, path, who may call it, the schemas of its body and its answer
 * (from @tessera/protocol), a summary for the API docs, and a handler that calls domain modules.
 * The HTTP server validates input from the declaration before the handler runs, and the OpenAPI
 * document is generated from the same list.
 */
import type { IncomingMessage } from "node:http";
import type { ClientInfo, Core } from "../core.js";
import type { Caller } from "../session/verify-access.js";
import type { Validator } from "../tickets/validator.js";
import type { ConsoleCaller } from "../admin/console-sessions.js";
import type { ConsoleRole } from "../store/admin-store.js";
import type { ObjectSchema, Schema } from "@tessera/protocol";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** A checked JSON body: the type the route's `body` schema infers. Routes without a body get `{}`. */
export type Body = Record<string, unknown>;

export interface QuerySchema {
  type: "string" | "boolean";
  description?: string;
}

interface RouteBase<B extends Body> {
  method: HttpMethod;
  /** Path with `{name}` parameters, e.g. `/v2/account/sessions/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /**
   * The JSON body (fields checked before the handler runs; undeclared ones dropped, as Nakama's
   * gateway ignores them). The handler's `ctx.body` is typed by it.
   */
  body?: ObjectSchema<B>;
  query?: Record<string, QuerySchema>;
  /** The 200 answer: a JSON schema, or for `produces` routes the text's description; documented in `/openapi.json`. */
  response?: Schema;
  /** The media type of a 200 answer that is not JSON (the handler returns a `RawReply`). */
  produces?: "text/plain" | "text/html";
  /**
   * Called every few seconds by infrastructure (health probes, metrics scrapes): kept out of the
   * request metrics and the access log, so they describe the API's own traffic.
   */
  probe?: boolean;
  /**
   * For `auth: "none"` routes whose handler checks a credential of its own when the deployment
   * configures one (`metrics.token`): the OpenAPI security scheme documenting it.
   */
  optionalAuth?: "metricsToken";
  /**
   * Marks a sign-in: counted by the sign-in rate limits per client address and, when `identifier`
   * names one from the checked body and query (`device:<id>`, `email:<address>` ...), per identifier.
   */
  signIn?: { identifier?(body: B, query: URLSearchParams): string | undefined };
}

export interface RequestContext<C, B extends Body = Body> {
  core: Core;
  caller: C;
  body: B;
  query: URLSearchParams;
  params: Record<string, string>;
  client: ClientInfo;
  req: IncomingMessage;
}

/** A route whose checked body has type `B`. */
export type RouteOf<B extends Body> =
  | (RouteBase<B> & { auth: "server_key" | "none"; handler(ctx: RequestContext<undefined, B>): Promise<unknown> })
  | (RouteBase<B> & { auth: "bearer"; handler(ctx: RequestContext<Caller, B>): Promise<unknown> })
  /** A ticket validator: a player's access token, or a game server's token. */
  | (RouteBase<B> & { auth: "validator"; handler(ctx: RequestContext<Validator, B>): Promise<unknown> })
  /** A console user's token (`/v2/console`), whose role must be `role` or above (viewer < admin). */
  | (RouteBase<B> & { auth: "admin"; role: ConsoleRole; handler(ctx: RequestContext<ConsoleCaller, B>): Promise<unknown> });

/** Any route, as the server and the OpenAPI document list them. */
export type Route = RouteOf<Body>;

/**
 * Declares a route: the handler's context is typed by the route's `auth` (its caller) and `body`
 * schema (its checked body), so handlers read fields without casts.
 *
 * @example
 * route({ method: "POST", path: "/v2/tickets", auth: "bearer", tag: "tickets", summary: "…",
 *   body: s.object({ identity: s.optional(s.string()) }), response: TicketSchema,
 *   handler: (ctx) => issueTicket(ctx.core, ctx.caller, ctx.body.identity ?? "") });
 */
export function route<B extends Body = Record<string, never>>(r: RouteOf<B>): Route {
  return r;
}

/**
 * A handler's answer with its own status, for answers that are not errors in Nakama's shape
 * (readiness: 503 with the state of each dependency). Any other return value is a 200.
 */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers?: Record<string, string>,
  ) {}
}

/** A file's bytes with their own headers (the web console's static files), instead of JSON. */
export class FileReply {
  constructor(
    readonly status: number,
    readonly body: Buffer,
    readonly headers: Record<string, string>,
  ) {}
}

/** A 200 answer that is not JSON (`/metrics`, the API page): the body as is, with its content type. */
export class RawReply {
  constructor(
    readonly contentType: string,
    readonly body: string,
    readonly headers?: Record<string, string>,
  ) {}
}
