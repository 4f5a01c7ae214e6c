/**
 * A route is declared once: method, path, who may call it, the shape of its input, a summary for
 * the API docs, and a handler that calls domain modules. The HTTP server validates input from the
 * declaration before the handler runs, and the OpenAPI document is generated from the same list.
 */
import type { IncomingMessage } from "node:http";
import type { ClientInfo, Core } from "../core.js";
import type { Caller } from "../session/verify-access.js";
import type { Validator } from "../tickets/validator.js";

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
  /**
   * Marks a sign-in: counted by the sign-in rate limits per client address and, when `identifier`
   * names one from the checked body and query (`device:<id>`, `email:<address>` ...), per identifier.
   */
  signIn?: { identifier?(body: Record<string, unknown>, query: URLSearchParams): string | undefined };
  /** A liveness probe: answered even while the server sheds load. */
  probe?: true;
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
  | (RouteBase & { auth: "validator"; handler(ctx: RequestContext<Validator>): Promise<unknown> });

/** Helper that keeps the handler's context typed by the route's `auth`. */
export function route<R extends Route>(r: R): Route {
  return r;
}
