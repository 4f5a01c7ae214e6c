/** Liveness, readiness, metrics, the API description and the browsable API page. */
import { ApiError, GrpcCode } from "../../shared/api-error.js";
import { EXPOSITION_CONTENT_TYPE } from "../../metrics/exposition.js";
import { checkReadiness } from "../readiness.js";
import { API_PAGE_CSP, API_PAGE_HTML } from "../api-page.js";
import { bearerToken, invalidBearer, keysEqual } from "../credentials.js";
import { openApiDocument } from "../openapi.js";
import { HealthSchema, ReadinessSchema, s } from "@tessera/protocol";
import { RawReply, Reply, route, type Route } from "../route.js";

export function metaRoutes(apiRoutes: readonly Route[], version: string): Route[] {
  const meta: Route[] = [
    route({
      method: "GET",
      path: "/healthz",
      auth: "none",
      tag: "meta",
      probe: true,
      summary: "Liveness: the process answers.",
      response: HealthSchema,
      handler: async () => ({ status: "ok" }),
    }),
    route({
      method: "GET",
      path: "/readyz",
      auth: "none",
      tag: "meta",
      probe: true,
      summary: "Readiness: 200 while the database answers (the bus may be reconnecting: status degraded), 503 otherwise.",
      response: ReadinessSchema,
      handler: async ({ core }) => {
        const { ready, ...body } = await checkReadiness(core);
        return ready ? body : new Reply(503, body, { "Retry-After": "1" });
      },
    }),
    route({
      method: "GET",
      path: "/metrics",
      auth: "none",
      optionalAuth: "metricsToken",
      tag: "meta",
      probe: true,
      produces: "text/plain",
      summary:
        "Prometheus metrics (text format 0.0.4). 404 when metrics.enabled is false; with metrics.token set, it needs Authorization: Bearer <metrics.token>. Reference: docs/operations.md.",
      response: s.string({ description: "Prometheus text exposition format, version 0.0.4" }),
      handler: async ({ core, req }) => {
        if (!core.config.metrics.enabled) throw new ApiError(GrpcCode.NOT_FOUND, "Not Found");
        const token = core.config.metrics.token;
        if (token !== undefined && !keysEqual(bearerToken(req.headers.authorization), token)) throw invalidBearer();
        return new RawReply(EXPOSITION_CONTENT_TYPE, core.metrics.render(), { "Cache-Control": "no-store" });
      },
    }),
    route({
      method: "GET",
      path: "/api",
      auth: "none",
      tag: "meta",
      produces: "text/html",
      summary: "This API as a browsable page: every operation by tag, with a form to try it against this server.",
      response: s.string({ description: "HTML page (self-contained; it reads /openapi.json)" }),
      handler: async () =>
        new RawReply("text/html; charset=utf-8", API_PAGE_HTML, {
          "Content-Security-Policy": API_PAGE_CSP,
          "X-Content-Type-Options": "nosniff",
          "Referrer-Policy": "no-referrer",
        }),
    }),
  ];
  let document: Record<string, unknown> | undefined;
  const openapi: Route = route({
    method: "GET",
    path: "/openapi.json",
    auth: "none",
    tag: "meta",
    summary: "This OpenAPI 3.1 document.",
    response: s.openObject({ openapi: s.string(), info: s.unknown(), paths: s.unknown() }, s.unknown(), { description: "OpenAPI document" }),
    handler: async (): Promise<unknown> => (document ??= openApiDocument([...apiRoutes, ...meta, openapi], version)),
  });
  return [...meta, openapi];
}
