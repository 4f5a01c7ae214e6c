/**
 * The OpenAPI 3.1 document, generated from the route declarations so it cannot drift from what
 * the server accepts.
 */
import type { FieldSchema, Route } from "./route.js";

const ERROR_SCHEMA = {
  type: "object",
  properties: { code: { type: "integer", description: "gRPC status code" }, message: { type: "string" } },
  required: ["code", "message"],
};

/** `post /v2/account/authenticate/device` → `postV2AccountAuthenticateDevice`; a trailing slash is kept as `Slash`. */
function operationId(r: Route): string {
  const words = r.path.replace(/[{}]/g, "").replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\W/g, "");
  return `${r.method.toLowerCase()}${words}${r.path.endsWith("/") ? "Slash" : ""}`;
}

function objectSchema(fields: Record<string, FieldSchema>, description?: string): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(fields)) properties[name] = fieldSchema(f);
  return description === undefined ? { type: "object", properties } : { type: "object", properties, description };
}

function fieldSchema(f: FieldSchema): Record<string, unknown> {
  switch (f.type) {
    case "string_map":
      return { type: "object", additionalProperties: { type: "string" }, description: f.description };
    case "object":
      return objectSchema(f.fields, f.description);
    case "string_list":
      return { type: "array", items: { type: "string", maxLength: 64 }, maxItems: f.maxItems, description: f.description };
    default:
      return { type: f.type, description: f.description };
  }
}

export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId: operationId(r),
      responses: {
        "200": { description: r.response ?? "OK", content: { "application/json": { schema: { type: "object" } } } },
        default: { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      },
    };
    if (r.auth === "server_key") op["security"] = [{ serverKey: [] }];
    else if (r.auth === "bearer") op["security"] = [{ bearer: [] }];
    else if (r.auth === "validator") op["security"] = [{ bearer: [] }, { gameServer: [] }];
    else if (r.auth === "admin") {
      op["security"] = [{ console: [] }];
      op["x-tessera-role"] = r.role;
    }
    else op["security"] = [];
    const parameters: unknown[] = [];
    for (const m of r.path.matchAll(/\{(\w+)\}/g)) parameters.push({ name: m[1], in: "path", required: true, schema: { type: "string" } });
    for (const [name, q] of Object.entries(r.query ?? {})) {
      parameters.push({ name, in: "query", required: false, description: q.description, schema: { type: q.type } });
    }
    if (parameters.length > 0) op["parameters"] = parameters;
    if (r.body) {
      op["requestBody"] = { required: false, content: { "application/json": { schema: objectSchema(r.body) } } };
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tessera",
      version,
      description: "Player authentication and session server, wire-compatible with Nakama's session API. Errors are {code, message} with gRPC codes.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        serverKey: { type: "http", scheme: "basic", description: "The server key as user name, empty password." },
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A player's access token." },
        gameServer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A game server's token (POST /v2/tickets/server/authenticate)." },
        console: { type: "http", scheme: "bearer", description: "A console user's token (POST /v2/console/authenticate); each route names the role it needs (viewer or admin)." },
      },
    },
  };
}
