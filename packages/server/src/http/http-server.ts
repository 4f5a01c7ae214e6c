/**
 * The HTTP transport on plain `node:http`: routing, CORS, credentials, body limits and input
 * checks from each route's declaration, and one place where errors become Nakama-shaped
 * responses. Each request runs with a request id (echoed as `X-Request-Id`, named in every log
 * line) and is counted in the request metrics under its declared route path. Everything else is
 * in the domain modules the routes call.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { ClientInfo, Core } from "../core.js";
import { ApiError, GrpcCode } from "../shared/api-error.js";
import { httpMethodLabel, UNMATCHED_ROUTE, type HttpRouteMetrics } from "../metrics/tessera-metrics.js";
import { REQUEST_ID_HEADER, requestCores, requestIdOf } from "./request-context.js";
import { StoreUnavailableError } from "../store/store.js";
import { authenticateAccessToken } from "../session/verify-access.js";
import { authenticateValidator } from "../tickets/validator-auth.js";
import { authenticateConsoleToken } from "../admin/console-sessions.js";
import type { SignInLimits } from "../limits/sign-in-limits.js";
import { checkBody, parseJsonObject, readBody } from "./body.js";
import { bearerToken, invalidBearer, requireServerKey } from "./credentials.js";
import { FileReply, RawReply, Reply, type Body, type Route } from "./route.js";
import { Router } from "./router.js";

/** Policies the transport applies before a handler runs. */
export interface HttpGuards {
  /** Counts sign-ins (routes with `signIn`); 429 past a limit. */
  signInLimits: SignInLimits;
}

/** On every answer: any origin may read it, and the request id. */
const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "X-Request-Id",
};
const CORS_LIST = headerList(CORS_HEADERS);

/** On preflights only (browsers read them nowhere else): what a cross-origin request may send, cached a day. */
const PREFLIGHT_HEADERS = {
  ...CORS_HEADERS,
  "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept, X-Request-Id",
  "Access-Control-Max-Age": "86400",
};

const USER_AGENT_MAX = 512;

/** One request as the transport follows it: its id (echoed on the answer), what it matched. */
interface Exchange {
  readonly id: string;
  /** `performance.now()` when the request arrived. */
  readonly started: number;
  route: Route | undefined;
  /** The declared path pattern when the path matched but the method did not (405, preflights). */
  pattern: string | undefined;
}

/** How often shedding load is logged at most (ms): once per burst, not once per request. */
const SHEDDING_LOG_INTERVAL_MS = 10_000;

export function createHttpServer(core: Core, routes: readonly Route[], guards: HttpGuards): Server {
  const router = new Router(routes);
  const load: Load = { inFlight: 0, max: core.config.socket.maxConcurrentRequests, shed: 0, loggedAt: 0 };
  const { metrics, logger } = core;
  // Each route's metrics are bound once. Other requests (405s, preflights, unknown paths) are
  // keyed by method label and path pattern, both bounded, whatever the client sends.
  const routeMetrics = new Map<Route, HttpRouteMetrics>();
  for (const r of routes) if (!r.probe) routeMetrics.set(r, metrics.httpRoute(r.method, r.path));
  const otherMetrics = new Map<string, HttpRouteMetrics>();
  const metricsOf = (ex: Exchange, method: string): HttpRouteMetrics => {
    if (ex.route) return routeMetrics.get(ex.route)!;
    const label = httpMethodLabel(method);
    const pattern = ex.pattern ?? UNMATCHED_ROUTE;
    const key = `${label} ${pattern}`;
    let observed = otherMetrics.get(key);
    if (!observed) otherMetrics.set(key, (observed = metrics.httpRoute(label, pattern)));
    return observed;
  };
  const accessLog = core.config.logger.accessLog;
  const coreOf = requestCores(core);

  /** After the answer: request metrics and the access log line. Never throws (it runs outside any handler). */
  const finish = (ex: Exchange, req: IncomingMessage, res: ServerResponse, requestCore: Core): void => {
    try {
      metrics.httpInFlight.dec();
      if (ex.route?.probe) return;
      const seconds = (performance.now() - ex.started) / 1000;
      const method = req.method ?? "GET";
      metricsOf(ex, method).observe(res.statusCode, seconds);
      if (accessLog) {
        const route = ex.route?.path ?? ex.pattern ?? UNMATCHED_ROUTE;
        requestCore.logger.info("request", { method, route, status: res.statusCode, duration_ms: Math.round(seconds * 1e6) / 1e3 });
      }
    } catch (err) {
      logger.error("request metrics failed", { error: err instanceof Error ? err : String(err) });
    }
  };

  const server = createServer((req, res) => {
    const ex: Exchange = { id: requestIdOf(req.headers["x-request-id"]), started: performance.now(), route: undefined, pattern: undefined };
    // Domain code logs through its Core: this request's names the request id on every line.
    const requestCore = coreOf(ex.id);
    metrics.httpInFlight.inc();
    load.inFlight++;
    res.once("close", () => load.inFlight--);
    handle(requestCore, router, guards, load, req, res, ex).then(
      () => finish(ex, req, res, requestCore),
      (err: unknown) => {
        requestCore.logger.error("request failed outside the error handler", { error: err instanceof Error ? err : String(err) });
        if (!res.headersSent) send(res, ex, 500, { code: GrpcCode.INTERNAL, message: "Internal server error." });
        else res.destroy();
        finish(ex, req, res, requestCore);
      },
    );
  });
  server.on("clientError", answerMalformed);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  return server;
}

/**
 * Requests Node's parser refuses (headers too large, malformed request line or headers, a
 * request that took too long) get Nakama's error shape too, instead of Node's empty answers.
 * There is no response object here: the answer is written on the socket, which then closes.
 */
function answerMalformed(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, GrpcCode.INVALID_ARGUMENT, "Request headers too large."]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, GrpcCode.DEADLINE_EXCEEDED, "Request timed out."]
        : [400, GrpcCode.INVALID_ARGUMENT, "Malformed HTTP request."];
  const body = JSON.stringify({ code, message });
  // The answer to a HEAD request has no body (a client would read it as a second answer); the
  // parser gives the bytes it choked on, which start with the method when it failed on the first request.
  const head = err.rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ";
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? "" : body}`,
  );
}

/** Requests being handled now, against `socket.max_concurrent_requests` (0: no limit). */
interface Load {
  inFlight: number;
  readonly max: number;
  /** Requests shed since the last log line. */
  shed: number;
  loggedAt: number;
}

/**
 * Past the limit a request is answered at once with 503 (before its body is read or any store
 * work starts), so memory and latency stay bounded however fast requests arrive.
 */
function shedIfOverloaded(core: Core, load: Load, route: Route): void {
  if (load.max === 0 || load.inFlight <= load.max || route.probe) return;
  load.shed++;
  const now = Date.now();
  if (now - load.loggedAt >= SHEDDING_LOG_INTERVAL_MS) {
    core.logger.warn("overloaded: shedding requests", { in_flight: load.inFlight, limit: load.max, shed: load.shed });
    load.loggedAt = now;
    load.shed = 0;
  }
  throw new ApiError(GrpcCode.UNAVAILABLE, "Server is busy; retry shortly.", { headers: { "Retry-After": "1" } });
}

async function handle(core: Core, router: Router, guards: HttpGuards, load: Load, req: IncomingMessage, res: ServerResponse, ex: Exchange): Promise<void> {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const method = req.method ?? "GET";

  if (method === "OPTIONS") {
    const match = router.match(method, path);
    if (match.kind === "method_not_allowed") ex.pattern = match.path;
    res.writeHead(204, headerList({ ...PREFLIGHT_HEADERS, [REQUEST_ID_HEADER]: ex.id }));
    res.end();
    return;
  }

  let route: Route | undefined;
  try {
    const match = router.match(method, path);
    if (match.kind === "not_found") throw new ApiError(GrpcCode.NOT_FOUND, "Not Found");
    if (match.kind === "method_not_allowed") {
      ex.pattern = match.path;
      throw new ApiError(GrpcCode.UNIMPLEMENTED, "Method Not Allowed", { httpStatus: 405, headers: { Allow: match.allow.join(", ") } });
    }
    route = match.route;
    ex.route = route;
    shedIfOverloaded(core, load, route);
    const client: ClientInfo = { ip: req.socket.remoteAddress ?? null, userAgent: userAgent(req) };
    const query = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));

    let body: Body = {};
    const ctxBase = { core, query, params: match.params, client, req };
    let result: unknown;
    if (route.auth === "bearer") {
      const token = bearerToken(req.headers.authorization);
      const caller = await bearerCaller(() => authenticateAccessToken(core, token));
      body = await requestBody(core, req, route);
      result = await route.handler({ ...ctxBase, caller, body });
    } else if (route.auth === "validator") {
      const token = bearerToken(req.headers.authorization);
      const caller = await bearerCaller(() => authenticateValidator(core, token));
      body = await requestBody(core, req, route);
      result = await route.handler({ ...ctxBase, caller, body });
    } else if (route.auth === "admin") {
      const token = bearerToken(req.headers.authorization);
      const role = route.role;
      const caller = await bearerCaller(() => authenticateConsoleToken(core, token, role));
      body = await requestBody(core, req, route);
      result = await route.handler({ ...ctxBase, caller, body });
    } else {
      if (route.auth === "server_key") requireServerKey(req.headers.authorization, core.config.socket.serverKey);
      // The address is counted before the body is read; the identifier once the body is checked.
      if (route.signIn) await guards.signInLimits.admitClient(client.ip);
      body = await requestBody(core, req, route);
      const identifier = route.signIn?.identifier?.(body, query);
      if (identifier !== undefined) await guards.signInLimits.admitIdentifier(identifier);
      result = await route.handler({ ...ctxBase, caller: undefined, body });
    }
    if (result instanceof FileReply) sendFile(res, ex, result);
    else if (result instanceof Reply) send(res, ex, result.status, result.body, result.headers);
    else if (result instanceof RawReply) sendRaw(res, ex, result);
    else send(res, ex, 200, result ?? {});
  } catch (err) {
    sendError(core, req, res, ex, err, route);
  }
}

/** Runs a bearer check; its 401s carry the Bearer challenge. */
async function bearerCaller<C>(check: () => Promise<C>): Promise<C> {
  try {
    return await check();
  } catch (err) {
    throw err instanceof ApiError && err.code === GrpcCode.UNAUTHENTICATED ? invalidBearer() : err;
  }
}

async function requestBody(core: Core, req: IncomingMessage, route: Route): Promise<Body> {
  if (req.method === "GET" || req.method === "HEAD") return {};
  const raw = await readBody(req, core.config.socket.maxRequestSizeBytes);
  const parsed = parseJsonObject(raw);
  return route.body ? checkBody(parsed, route.body) : {};
}

function userAgent(req: IncomingMessage): string | null {
  const ua = req.headers["user-agent"];
  if (!ua) return null;
  return ua.length > USER_AGENT_MAX ? ua.slice(0, USER_AGENT_MAX) : ua;
}

function sendError(core: Core, req: IncomingMessage, res: ServerResponse, ex: Exchange, err: unknown, route: Route | undefined): void {
  if (err instanceof ApiError) {
    if (err.httpStatus === 413) res.setHeader("Connection", "close");
    let headers = err.headers;
    // Every 401 carries a challenge (RFC 9110 §15.5.2), also those raised by domain code (wrong
    // password, bad refresh token): the scheme is the route's.
    if (err.httpStatus === 401 && headers?.["WWW-Authenticate"] === undefined) {
      headers = {
        ...headers,
        "WWW-Authenticate":
          route?.auth === "bearer" || route?.auth === "validator" || route?.auth === "admin" ? 'Bearer realm="tessera"' : 'Basic realm="tessera"',
      };
    }
    send(res, ex, err.httpStatus, err.toJSON(), headers);
    return;
  }
  if (err instanceof StoreUnavailableError) {
    // The path without its query: a query may hold a secret (the Steam-shaped endpoint's key).
    core.logger.error("database unavailable", { method: req.method, path: req.url?.split("?")[0], error: err.message });
    send(res, ex, 503, { code: GrpcCode.UNAVAILABLE, message: "Service temporarily unavailable: the database cannot be reached." }, { "Retry-After": "1" });
    return;
  }
  core.logger.error("internal error", { method: req.method, path: req.url?.split("?")[0], error: err instanceof Error ? err : String(err) });
  send(res, ex, 500, { code: GrpcCode.INTERNAL, message: "Internal server error." });
}

function sendRaw(res: ServerResponse, ex: Exchange, reply: RawReply): void {
  if (res.headersSent) return;
  res.writeHead(
    200,
    headerList({
      ...CORS_HEADERS,
      ...reply.headers,
      [REQUEST_ID_HEADER]: ex.id,
      "Content-Type": reply.contentType,
      "Content-Length": Buffer.byteLength(reply.body),
    }),
  );
  res.end(reply.body);
}

function send(res: ServerResponse, ex: Exchange, status: number, payload: unknown, headers?: Record<string, string>): void {
  if (res.headersSent) return;
  const text = JSON.stringify(payload);
  const length = String(Buffer.byteLength(text));
  // The common answer (no headers of its own) is built as a list directly.
  const list = headers
    ? headerList({ ...CORS_HEADERS, ...headers, [REQUEST_ID_HEADER]: ex.id, "Content-Type": "application/json", "Content-Length": length })
    : [...CORS_LIST, REQUEST_ID_HEADER, ex.id, "Content-Type", "application/json", "Content-Length", length];
  res.writeHead(status, list);
  res.end(text);
}

function sendFile(res: ServerResponse, ex: Exchange, file: FileReply): void {
  if (res.headersSent) return;
  res.writeHead(file.status, headerList({ ...file.headers, [REQUEST_ID_HEADER]: ex.id, "Content-Length": file.status === 304 ? 0 : file.body.length }));
  res.end(file.status === 304 ? undefined : file.body);
}

/**
 * Headers as the flat `[name, value, …]` list `writeHead` also takes. Node writes such a list
 * several times faster than an object whose names are not lower-case (10 µs less per answer of
 * five headers in a measurement here, a third of a bare server's whole cost; docs/performance.md).
 */
function headerList(headers: Record<string, string | number>): string[] {
  const list: string[] = [];
  for (const name in headers) list.push(name, String(headers[name]));
  return list;
}
