/**
 * A route is declared once: method, path, who may call it, the shape of its input, a summary for
 * the API docs, and a handler that calls domain modules. The HTTP server validates input from the
 * declaration before the handler runs, and the OpenAPI document is generated from the same list.
 */
import type { IncomingMessage } from "node:http";
import type { ClientInfo, Core } from "../core.js";
import type { Caller } from "../session/verify-access.js";
import type { Validator } from "../tickets/validator.js";
import type { ConsoleCaller } from "../admin/console-sessions.js";
import type { ConsoleRole } from "../store/admin-store.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** A body field: strings, booleans, whole numbers, string-to-string maps (vars), or an object of such fields. */
export type FieldSchema =
  | { type: "string"; description?: string }
  | { type: "boolean"; description?: string }
  | { type: "integer"; description?: string }
  | { type: "string_map"; description?: string }
  /** A list of at most `maxItems` strings of at most 64 characters (ids). */
  | { type: "string_list"; maxItems: number; description?: string }

  | { type: "object"; fields: Record<string, FieldSchema>; description?: string };

export interface QuerySchema {
  type: "string" | "boolean";
  description?: string;
}

interface RouteBase {
  method: HttpMethod;
  /** Path with `{name}` parameters, e.g. `/v2/account/sessions/{id}`. */
  path: string;
  summary: string;
  tag: string;
  body?: Record<string, FieldSchema>;
  query?: Record<string, QuerySchema>;
  /** Describes the JSON answer for the API docs. */
  response?: string;
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
  signIn?: { identifier?(body: Record<string, unknown>, query: URLSearchParams): string | undefined };
}

export interface RequestContext<C> {
  core: Core;
  caller: C;
  body: Record<string, unknown>;
  query: URLSearchParams;
  params: Record<string, string>;
  client: ClientInfo;
  req: IncomingMessage;
}

export type Route =
  | (RouteBase & { auth: "server_key" | "none"; handler(ctx: RequestContext<undefined>): Promise<unknown> })
  | (RouteBase & { auth: "bearer"; handler(ctx: RequestContext<Caller>): Promise<unknown> })
  /** A ticket validator: a player's access token, or a game server's token. */
  | (RouteBase & { auth: "validator"; handler(ctx: RequestContext<Validator>): Promise<unknown> })
  /** A console user's token (`/v2/console`), whose role must be `role` or above (viewer < admin). */
  | (RouteBase & { auth: "admin"; role: ConsoleRole; handler(ctx: RequestContext<ConsoleCaller>): Promise<unknown> });

/** Helper that keeps the handler's context typed by the route's `auth`. */
export function route<R extends Route>(r: R): Route {
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
