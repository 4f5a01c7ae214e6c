/**
 * The OpenAPI 3.1 document, generated from the route declarations (their @tessera/protocol body
 * and response schemas) so it cannot drift from what the server accepts and answers. The
 * realtime socket (`GET /ws`, served by the upgrade handler rather than a route) is described
 * here too, so the document lists every path the server answers.
 */
import { SOCKET_PATH } from "../realtime/handshake.js";
import { ErrorSchema, toJsonSchema } from "@tessera/protocol";
import type { Route } from "./route.js";

type Json = Record<string, unknown>;

const TAGS: Record<string, string> = {
  authenticate: "Sign-in with the server key: a session (access token and refresh token).",
  session: "Refresh with rotation, logout, the player's session list.",
  account: "The signed-in player's account.",
  link: "Linking and unlinking identities.",
  tickets: "Auth session tickets (Steam's model): issue, validate, responses; JWKS and the Steam-shaped endpoint.",
  licenses: "App licenses and family-sharing loans.",
  realtime: "The realtime socket.",
  meta: "Health, metrics and this API's description.",
  console: "The operator console's API: console users, accounts, sessions, bans, licenses, tickets, audit log (docs/console.md).",
};

const REQUEST_ID_HEADER = {
  description: "The request id: the caller's X-Request-Id when it is at most 128 safe characters, otherwise a new UUID. Log lines of the request name it.",
  schema: { type: "string" },
};

/** `post /v2/account/authenticate/device` → `postV2AccountAuthenticateDevice`; a trailing slash is kept as `Slash`. */
function operationId(method: string, path: string): string {
  const words = path
    .replace(/[{}]/g, "")
    .replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase())
    .replace(/\W/g, "");
  return `${method.toLowerCase()}${words}${path.endsWith("/") ? "Slash" : ""}`;
}

/** `schema` with its description, when there is one (no `description: undefined` keys). */
function described(schema: Json, description: string | undefined): Json {
  return description === undefined ? schema : { ...schema, description };
}

function security(r: Route): Json[] {
  switch (r.auth) {
    case "server_key":
      return [{ serverKey: [] }];
    case "bearer":
      return [{ bearer: [] }];
    case "validator":
      return [{ bearer: [] }, { gameServer: [] }];
    case "admin":
      return [{ console: [] }];
    case "none":
      // `{}` first: no credential needed unless the deployment configured one.
      return r.optionalAuth ? [{}, { [r.optionalAuth]: [] }] : [];
  }
}

/** The 200 answer: the route's response schema (its description names the answer), or an object when it declares none. */
function successResponse(r: Route): Json {
  const media = r.produces ?? "application/json";
  const schema = r.response ? toJsonSchema(r.response) : r.produces ? { type: "string" } : { type: "object" };
  return { description: r.response?.description ?? "OK", headers: { "X-Request-Id": REQUEST_ID_HEADER }, content: { [media]: { schema } } };
}

function operation(r: Route): Json {
  const op: Json = {
    summary: r.summary,
    tags: [r.tag],
    operationId: operationId(r.method, r.path),
    security: security(r),
    responses: {
      "200": successResponse(r),
      default: {
        description: "Error: {code, message} with Nakama's HTTP status mapping.",
        headers: { "X-Request-Id": REQUEST_ID_HEADER },
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    },
  };
  const parameters: Json[] = [];
  for (const m of r.path.matchAll(/\{(\w+)\}/g)) parameters.push({ name: m[1], in: "path", required: true, schema: { type: "string" } });
  for (const [name, q] of Object.entries(r.query ?? {}))
    parameters.push(described({ name, in: "query", required: false, schema: { type: q.type } }, q.description));
  if (parameters.length > 0) op["parameters"] = parameters;
  if (r.body) op["requestBody"] = { required: false, content: { "application/json": { schema: toJsonSchema(r.body) } } };
  if (r.auth === "admin") op["x-tessera-role"] = r.role;
  return op;
}

/** `GET /ws`: an HTTP upgrade, answered 101 with a WebSocket, or an HTTP error before any exists. */
function socketOperation(): Json {
  return {
    summary: "The realtime socket (WebSocket upgrade): JSON envelopes, pings, notifications and close codes when the session ends. See docs/realtime.md.",
    tags: ["realtime"],
    operationId: operationId("GET", SOCKET_PATH),
    security: [{ bearer: [] }, { gameServer: [] }, { socketToken: [] }],
    parameters: [
      {
        name: "token",
        in: "query",
        required: false,
        description: "The access token (or a game server's token), unless an Authorization header carries it.",
        schema: { type: "string" },
      },
      { name: "status", in: "query", required: false, description: "Appear online (Nakama's parameter).", schema: { type: "boolean" } },
      { name: "lang", in: "query", required: false, description: "Language tag.", schema: { type: "string" } },
      { name: "format", in: "query", required: false, description: "json (the default); protobuf is refused.", schema: { type: "string", enum: ["json"] } },
    ],
    responses: {
      "101": { description: "Switching Protocols: the WebSocket is open.", headers: { "X-Request-Id": REQUEST_ID_HEADER } },
      default: {
        description: "Refused before any WebSocket exists (401 token, 400 parameters, 503 database or shutdown): {code, message}.",
        headers: { "X-Request-Id": REQUEST_ID_HEADER },
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    },
  };
}

export function openApiDocument(routes: readonly Route[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  (paths[SOCKET_PATH] ??= {})["get"] = socketOperation();
  const used = new Set([...routes.map((r) => r.tag), "realtime"]);
  return {
    openapi: "3.1.0",
    info: {
      title: "Tessera",
      version,
      description:
        "Player authentication and session server, wire-compatible with Nakama's session API. Errors are {code, message} with gRPC codes. Every answer carries an X-Request-Id header.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    // Known tags in this order, then any other a route uses.
    tags: [...new Set([...Object.keys(TAGS), ...used])].filter((name) => used.has(name)).map((name) => described({ name }, TAGS[name])),
    paths,
    components: {
      schemas: { Error: toJsonSchema(ErrorSchema) },
      securitySchemes: {
        serverKey: { type: "http", scheme: "basic", description: "The server key as user name, empty password." },
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A player's access token." },
        gameServer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A game server's token (POST /v2/tickets/server/authenticate)." },
        console: {
          type: "http",
          scheme: "bearer",
          description: "A console user's token (POST /v2/console/authenticate); each route names the role it needs (viewer or admin).",
        },
        socketToken: { type: "apiKey", in: "query", name: "token", description: "The realtime socket also takes the token as a query parameter." },
        metricsToken: { type: "http", scheme: "bearer", description: "metrics.token, when the deployment sets one; otherwise /metrics needs no credential." },
      },
    },
  };
}
