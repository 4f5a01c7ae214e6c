/** Liveness and the API description. */
import { openApiDocument } from "../openapi.js";
import { route, type Route } from "../route.js";

export function metaRoutes(apiRoutes: readonly Route[], version: string): Route[] {
  const meta: Route[] = [
    route({
      method: "GET",
      path: "/healthz",
      auth: "none",
      tag: "meta",
      summary: "Liveness: the process answers.",
      probe: true,
      response: '{"status":"ok"}',
      handler: async () => ({ status: "ok" }),
    }),
  ];
  let document: Record<string, unknown> | undefined;
  const openapi: Route = route({
    method: "GET",
    path: "/openapi.json",
    auth: "none",
    tag: "meta",
    summary: "This OpenAPI 3.1 document.",
    response: "OpenAPI document",
    handler: async (): Promise<unknown> => (document ??= openApiDocument([...apiRoutes, ...meta, openapi], version)),
  });
  return [...meta, openapi];
}
