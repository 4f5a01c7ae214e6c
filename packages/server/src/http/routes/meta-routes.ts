/** Liveness, readiness and the API description. */
import { checkReadiness } from "../../readiness.js";
import { openApiDocument } from "../openapi.js";
import { Reply, route, type Route } from "../route.js";

export function metaRoutes(apiRoutes: readonly Route[], version: string): Route[] {
  const meta: Route[] = [
    route({
      method: "GET",
      path: "/healthz",
      auth: "none",
      tag: "meta",
      summary: "Liveness: the process answers.",
      response: '{"status":"ok"}',
      handler: async () => ({ status: "ok" }),
    }),
    route({
      method: "GET",
      path: "/readyz",
      auth: "none",
      tag: "meta",
      summary: "Readiness: 200 while the database answers (the bus may be reconnecting: status degraded), 503 otherwise.",
      response: '{"status":"ok"|"degraded"|"unavailable","database":"ok"|"down: <reason>","bus":"ok"|"local"|"redis reconnecting"}',
      handler: async ({ core }) => {
        const { ready, ...body } = await checkReadiness(core);
        return ready ? body : new Reply(503, body, { "Retry-After": "1" });
      },
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
