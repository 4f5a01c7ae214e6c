/**
 * Observability: the metrics registry's text format, `GET /metrics` read with a strict parser
 * while the tests act (sign-ins, refresh outcomes, revocations, tickets, sockets, HTTP routes,
 * store operations), its access settings, request ids and the JSON log format.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { loadConfig } from "../../src/config/config.js";
import { safetyFindings } from "../../src/config/safety.js";
import { createLogger, requestLogger } from "../../src/shared/logger.js";
import { MetricsRegistry } from "../../src/metrics/registry.js";
import { claimsOf, recordingLogger, startTestServer, type Api, type TestServer } from "../support/harness.js";
import { passes } from "../support/eventually.js";
import { assertUnauthorized, deviceId, ok } from "../support/expect.js";
import { parseExposition, sampleValue, samplesOf, type Exposition } from "../support/prometheus.js";
import { WatchedSocket } from "../support/watched-socket.js";

const SECRET = "metrics-test-game-server-secret-0000001";

async function scrape(api: Api, bearer?: string): Promise<Exposition> {
  const res = await fetch(api.url + "/metrics", bearer === undefined ? {} : { headers: { Authorization: `Bearer ${bearer}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  return parseExposition(await res.text());
}

/** Scrapes until `check` passes (asynchronous effects: ticket validation, socket close), for at most 5 s. */
function scrapeUntil(api: Api, check: (e: Exposition) => void): Promise<void> {
  return passes(async () => check(await scrape(api)), { timeoutMs: 5_000, intervalMs: 50 });
}

describe("metrics registry", () => {
  it("writes counters, gauges and histograms in the text format, escaping help and label values", () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: "t_events_total", help: "Events, with a \\ backslash\nand a new line.", labelNames: ["kind"] });
    c.inc({ kind: 'a "quoted" \\ value\nover two lines' });
    c.inc({ kind: "plain" }, 2.5);
    registry.gauge({ name: "t_level", help: "A level." }).set({}, -3);
    const h = registry.histogram({ name: "t_seconds", help: "Durations.", labelNames: ["op"], buckets: [0.1, 1] });
    h.observe({ op: "x" }, 0.05);
    h.observe({ op: "x" }, 0.1);
    h.observe({ op: "x" }, 0.5);
    h.observe({ op: "x" }, 7);
    assert.equal(
      registry.render(),
      [
        "# HELP t_events_total Events, with a \\\\ backslash\\nand a new line.",
        "# TYPE t_events_total counter",
        't_events_total{kind="a \\"quoted\\" \\\\ value\\nover two lines"} 1',
        't_events_total{kind="plain"} 2.5',
        "# HELP t_level A level.",
        "# TYPE t_level gauge",
        "t_level -3",
        "# HELP t_seconds Durations.",
        "# TYPE t_seconds histogram",
        't_seconds_bucket{op="x",le="0.1"} 2',
        't_seconds_bucket{op="x",le="1"} 3',
        't_seconds_bucket{op="x",le="+Inf"} 4',
        't_seconds_sum{op="x"} 7.65',
        't_seconds_count{op="x"} 4',
        "",
      ].join("\n"),
    );
    const parsed = parseExposition(registry.render());
    assert.equal(sampleValue(parsed, "t_events_total", { kind: 'a "quoted" \\ value\nover two lines' }), 1);
  });

  it("refuses bad declarations and a counter going down", () => {
    const registry = new MetricsRegistry();
    registry.counter({ name: "t_total", help: "x" });
    assert.throws(() => registry.counter({ name: "t_total", help: "again" }), /declared twice/);
    registry.histogram({ name: "t_h", help: "x", buckets: [1] });
    assert.throws(() => registry.gauge({ name: "t_h_count", help: "collides with the histogram's count" }), /declared twice/);
    assert.throws(() => registry.counter({ name: "bad-name", help: "x" }), /invalid metric name/);
    assert.throws(() => registry.counter({ name: "t_ok", help: "x", labelNames: ["__reserved"] }), /invalid label name/);
    assert.throws(() => registry.histogram({ name: "t_h2", help: "x", labelNames: ["le"], buckets: [1] }), /reserved/);
    assert.throws(() => registry.histogram({ name: "t_h3", help: "x", buckets: [1, 1] }), /ascending/);
    const c = registry.counter({ name: "t_up_total", help: "x" });
    assert.throws(() => c.inc({}, -1), RangeError);
  });
});

describe("GET /metrics", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ "tickets.game_servers": JSON.stringify([{ identity: "eu-west-1", secret: SECRET }]) });
  });
  after(() => t.close());

  it("parses as the Prometheus text format and declares every Tessera metric", async () => {
    const e = await scrape(t.api);
    for (const [name, type] of [
      ["tessera_http_requests_total", "counter"],
      ["tessera_http_request_duration_seconds", "histogram"],
      ["tessera_http_requests_in_flight", "gauge"],
      ["tessera_signins_total", "counter"],
      ["tessera_refreshes_total", "counter"],
      ["tessera_revocations_total", "counter"],
      ["tessera_sockets_open", "gauge"],
      ["tessera_socket_connects_total", "counter"],
      ["tessera_socket_closes_total", "counter"],
      ["tessera_socket_refusals_total", "counter"],
      ["tessera_tickets_issued_total", "counter"],
      ["tessera_ticket_begins_total", "counter"],
      ["tessera_ticket_responses_total", "counter"],
      ["tessera_ticket_web_api_validations_total", "counter"],
      ["tessera_store_operation_duration_seconds", "histogram"],
      ["tessera_store_unavailable_total", "counter"],
      ["tessera_bus_state", "gauge"],
      ["tessera_build_info", "gauge"],
      ["process_resident_memory_bytes", "gauge"],
      ["process_cpu_seconds_total", "counter"],
      ["nodejs_heap_used_bytes", "gauge"],
      ["nodejs_eventloop_lag_p99_seconds", "gauge"],
    ]) {
      assert.equal(e.types.get(name!), type, `${name} is a ${type}`);
    }
    assert.ok(sampleValue(e, "process_resident_memory_bytes")! > 1_000_000);
    assert.ok(sampleValue(e, "nodejs_heap_used_bytes")! > 0);
    assert.equal(sampleValue(e, "tessera_bus_state", { state: "local" }), 1);
    assert.equal(sampleValue(e, "tessera_bus_state", { state: "connected" }), 0);
    // Known label values are there from the start, at 0.
    assert.equal(sampleValue(e, "tessera_refreshes_total", { outcome: "reuse_detected" }), 0);
    assert.equal(sampleValue(e, "tessera_ticket_responses_total", { response: "AuthTicketCanceled" }), 0);
  });

  it("docs/operations.md describes exactly the metrics served", async () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../../docs/operations.md", import.meta.url)), "utf8");
    const table = doc.slice(doc.indexOf("### Reference"), doc.indexOf("### Cost"));
    const documented = new Set([...table.matchAll(/`((?:tessera|process|nodejs)_[a-z0-9_]+)`/g)].map((m) => m[1]!));
    const served = [...(await scrape(t.api)).types.keys()];
    for (const name of served) assert.ok(documented.has(name), `${name} is not in the reference table`);
    for (const name of documented) assert.ok(served.includes(name), `${name} is documented but not served`);
  });

  it("counts sign-ins by provider, every refresh outcome and revocations by reason", async () => {
    const before = await scrape(t.api);
    const count = (e: Exposition, name: string, labels: Record<string, string>) => sampleValue(e, name, labels) ?? 0;

    const id = deviceId();
    const first = await t.api.device(id);
    await t.api.device(id);
    ok(await t.api.withKey("/v2/account/authenticate/anonymous", {}));
    const r1 = ok(await t.api.withKey("/v2/account/session/refresh", { token: first.refresh_token }));
    const r2 = ok(await t.api.withKey("/v2/account/session/refresh", { token: r1.refresh_token }));
    ok(await t.api.withKey("/v2/account/session/refresh", { token: r1.refresh_token })); // inside the grace window
    assert.equal((await t.api.withKey("/v2/account/session/refresh", { token: first.refresh_token })).status, 401); // reuse: revoked
    assert.equal((await t.api.withKey("/v2/account/session/refresh", { token: r2.refresh_token })).status, 401); // the session is gone
    assert.equal((await t.api.withKey("/v2/account/session/refresh", { token: "not.a.token" })).status, 401);
    const other = await t.api.device(deviceId());
    ok(await t.api.withToken("POST", "/v2/session/logout", other.token, { token: other.token }));

    const after = await scrape(t.api);
    const moved = (name: string, labels: Record<string, string>) => count(after, name, labels) - count(before, name, labels);
    assert.equal(moved("tessera_signins_total", { provider: "device", created: "true" }), 2);
    assert.equal(moved("tessera_signins_total", { provider: "device", created: "false" }), 1);
    assert.equal(moved("tessera_signins_total", { provider: "anonymous", created: "true" }), 1);
    assert.equal(moved("tessera_refreshes_total", { outcome: "rotated" }), 2);
    assert.equal(moved("tessera_refreshes_total", { outcome: "grace_duplicate" }), 1);
    assert.equal(moved("tessera_refreshes_total", { outcome: "reuse_detected" }), 1);
    assert.equal(moved("tessera_refreshes_total", { outcome: "invalid" }), 2);
    assert.equal(moved("tessera_revocations_total", { reason: "refresh_reuse" }), 1);
    assert.equal(moved("tessera_revocations_total", { reason: "logout" }), 1);
  });

  it("labels requests with the declared route path and bounded values, never the raw URL", async () => {
    const before = await scrape(t.api);
    const session = await t.api.device(deviceId());
    ok(await t.api.withToken("GET", "/v2/account", session.token));
    ok(await t.api.withToken("GET", "/v2/account", session.token));
    assert.equal((await t.api.withToken("DELETE", "/v2/account/sessions/0d7c2c8e-0000-4000-8000-000000000000", session.token)).status, 404);
    assert.equal((await t.api.call("GET", "/no/such/path/12345")).status, 404);
    assert.equal((await t.api.call("PROPFIND", "/v2/account")).status, 405);
    assert.equal((await t.api.call("PATCH", "/v2/account/sessions/abc")).status, 405);
    ok(await t.api.call("GET", "/healthz"));
    const after = await scrape(t.api);
    const moved = (labels: Record<string, string>) =>
      (sampleValue(after, "tessera_http_requests_total", labels) ?? 0) - (sampleValue(before, "tessera_http_requests_total", labels) ?? 0);

    assert.equal(moved({ method: "GET", route: "/v2/account", status: "200" }), 2);
    assert.equal(moved({ method: "POST", route: "/v2/account/authenticate/device", status: "200" }), 1);
    assert.equal(moved({ method: "DELETE", route: "/v2/account/sessions/{id}", status: "404" }), 1);
    assert.equal(moved({ method: "GET", route: "unmatched", status: "404" }), 1);
    assert.equal(moved({ method: "other", route: "/v2/account", status: "405" }), 1);
    assert.equal(moved({ method: "PATCH", route: "/v2/account/sessions/{id}", status: "405" }), 1);
    const routes = new Set(samplesOf(after, "tessera_http_requests_total").map((s) => s.labels["route"]));
    for (const route of routes) assert.ok(route === "unmatched" || route!.startsWith("/"), route);
    assert.ok(![...routes].some((r) => r!.includes("12345") || r!.includes("0d7c2c8e")), "no raw URL in a label");
    for (const probe of ["/healthz", "/readyz", "/metrics"]) assert.ok(!routes.has(probe), `${probe} is not counted`);

    const count = (e: Exposition) => sampleValue(e, "tessera_http_request_duration_seconds_count", { method: "GET", route: "/v2/account" }) ?? 0;
    assert.equal(count(after) - count(before), 2);
    assert.ok(sampleValue(after, "tessera_http_request_duration_seconds_sum", { method: "GET", route: "/v2/account" })! > 0);
    assert.equal(sampleValue(after, "tessera_http_requests_in_flight"), 1, "only the scrape itself");
    const store = sampleValue(after, "tessera_store_operation_duration_seconds_count", { backend: "sqlite", operation: "getAccountWithIdentities" });
    assert.ok(store !== undefined && store >= 2, `store reads are timed (${store})`);
    assert.ok((sampleValue(after, "tessera_store_operation_duration_seconds_count", { backend: "sqlite", operation: "tickets.ticketKeys" }) ?? 0) >= 1);
  });

  it("counts realtime sockets: connects, closes, open, refusals", async () => {
    const session = await t.api.device(deviceId());
    const before = await scrape(t.api);
    const socket = await WatchedSocket.open(t.url, session.token);
    await scrapeUntil(t.api, (e) => {
      assert.equal(sampleValue(e, "tessera_sockets_open"), (sampleValue(before, "tessera_sockets_open") ?? 0) + 1);
      assert.equal(sampleValue(e, "tessera_socket_connects_total"), (sampleValue(before, "tessera_socket_connects_total") ?? 0) + 1);
    });
    socket.ws.close();
    await socket.closed;
    await assert.rejects(WatchedSocket.open(t.url, "not-a-token"), /refused with 401/);
    await scrapeUntil(t.api, (e) => {
      assert.equal(sampleValue(e, "tessera_sockets_open"), sampleValue(before, "tessera_sockets_open") ?? 0);
      assert.equal(sampleValue(e, "tessera_socket_closes_total"), (sampleValue(before, "tessera_socket_closes_total") ?? 0) + 1);
      assert.equal(
        sampleValue(e, "tessera_socket_refusals_total", { status: "401" }),
        (sampleValue(before, "tessera_socket_refusals_total", { status: "401" }) ?? 0) + 1,
      );
    });
  });

  it("counts tickets issued, begin results, responses and Steam-shaped validations", async () => {
    const player = await t.api.device(deviceId());
    const validator = await t.api.device(deviceId());
    const playerId = claimsOf(player.token)["uid"] as string;
    const before = await scrape(t.api);
    const value = (e: Exposition, name: string, labels: Record<string, string> = {}) => sampleValue(e, name, labels) ?? 0;

    const forPeer = ok(await t.api.withToken("POST", "/v2/tickets", player.token, { identity: claimsOf(validator.token)["uid"] }));
    const begun = ok(await t.api.withToken("POST", "/v2/tickets/auth-sessions", validator.token, { ticket: forPeer.ticket, user_id: playerId }));
    assert.equal(begun.result_name, "OK");
    assert.equal(
      ok(await t.api.withToken("POST", "/v2/tickets/auth-sessions", validator.token, { ticket: "0100", user_id: playerId })).result_name,
      "InvalidTicket",
    );
    await scrapeUntil(t.api, (e) =>
      assert.equal(value(e, "tessera_ticket_responses_total", { response: "OK" }) - value(before, "tessera_ticket_responses_total", { response: "OK" }), 1),
    );
    ok(await t.api.withToken("DELETE", `/v2/tickets/${forPeer.handle}`, player.token));

    const forServer = ok(await t.api.withToken("POST", "/v2/tickets", player.token, { identity: "eu-west-1" }));
    const steam = (ticket: string) => t.api.call("GET", `/ISteamUserAuth/AuthenticateUserTicket/v1/?key=${SECRET}&appid=0&ticket=${ticket}`);
    assert.equal(ok(await steam(forServer.ticket)).response.params.result, "OK");
    assert.equal(ok(await steam(forServer.ticket)).response.error.errorcode, 103);

    await scrapeUntil(t.api, (e) => {
      const moved = (name: string, labels: Record<string, string> = {}) => value(e, name, labels) - value(before, name, labels);
      assert.equal(moved("tessera_tickets_issued_total"), 2);
      assert.equal(moved("tessera_ticket_begins_total", { result: "OK" }), 1);
      assert.equal(moved("tessera_ticket_begins_total", { result: "InvalidTicket" }), 1);
      assert.equal(moved("tessera_ticket_responses_total", { response: "AuthTicketCanceled" }), 1);
      assert.equal(moved("tessera_ticket_web_api_validations_total", { result: "OK" }), 1);
      assert.equal(moved("tessera_ticket_web_api_validations_total", { result: "103" }), 1);
    });
  });
});

describe("/metrics access", () => {
  it("answers 404 when metrics.enabled is false", async () => {
    const t = await startTestServer({ "metrics.enabled": false });
    try {
      assert.equal((await t.api.call("GET", "/metrics")).status, 404);
    } finally {
      await t.close();
    }
  });

  it("needs the bearer token when metrics.token is set", async () => {
    const token = "a-scrape-token-of-some-length-000001";
    const t = await startTestServer({ "metrics.token": token });
    try {
      assertUnauthorized(await t.api.call("GET", "/metrics"), "Auth token required", "Bearer");
      assertUnauthorized(await t.api.call("GET", "/metrics", { bearer: "wrong" }), "Auth token invalid", "Bearer");
      await scrape(t.api, token);
    } finally {
      await t.close();
    }
  });

  it("warns (also in production) when metrics are open on a public address", () => {
    const load = (o: Record<string, string | number | boolean>) => loadConfig({ env: {}, overrides: { "socket.server_key": "a-real-secret", ...o } });
    const open = safetyFindings(load({ "socket.host": "0.0.0.0", production: true }));
    assert.deepEqual(
      open.map((f) => [f.setting, f.warnOnly]),
      [["metrics.token", true]],
    );
    assert.deepEqual(safetyFindings(load({ "socket.host": "0.0.0.0", "metrics.token": "x".repeat(32) })), []);
    assert.deepEqual(safetyFindings(load({ "socket.host": "0.0.0.0", "metrics.enabled": false })), []);
    assert.deepEqual(safetyFindings(load({})), [], "loopback: nothing to warn about");
  });
});

describe("request ids and logs", () => {
  it("echoes a safe X-Request-Id, replaces an unsafe one, and names it on every log line of the request", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "debug", format: "json", write: (line) => lines.push(line) });
    const t = await startTestServer({ "logger.access_log": true }, undefined, { logger });
    try {
      const res = await t.api.call("GET", "/v2/account", { headers: { "X-Request-Id": "req-0001.abc:xyz" } });
      assert.equal(res.headers.get("x-request-id"), "req-0001.abc:xyz");
      for (const unsafe of ["has space", "x".repeat(129), 'quote"d']) {
        const echoed = (await t.api.call("GET", "/healthz", { headers: { "X-Request-Id": unsafe } })).headers.get("x-request-id");
        assert.match(echoed ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `replaced: ${unsafe}`);
      }
      const generated = (await t.api.call("GET", "/v2/account")).headers.get("x-request-id");
      assert.ok(generated, "a generated id on an answer without one");
      assert.notEqual((await t.api.call("GET", "/healthz")).headers.get("x-request-id"), generated, "one id per request");

      // A warning logged by domain code deep inside a request carries the request's id.
      const session = await t.api.device(deviceId());
      const r1 = ok(await t.api.withKey("/v2/account/session/refresh", { token: session.refresh_token }));
      ok(await t.api.withKey("/v2/account/session/refresh", { token: r1.refresh_token }));
      await t.api.call("POST", "/v2/account/session/refresh", {
        serverKey: "defaultkey",
        body: { token: session.refresh_token },
        headers: { "X-Request-Id": "reuse-request-42" },
      });

      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const e of entries) {
        assert.equal(typeof e["time"], "string");
        assert.ok(["debug", "info", "warn", "error"].includes(e["level"] as string));
        assert.equal(typeof e["msg"], "string");
      }
      const reuse = entries.find((e) => e["msg"] === "refresh token reuse detected; session revoked");
      assert.equal(reuse?.["request_id"], "reuse-request-42", JSON.stringify(reuse));
      assert.equal(reuse?.["level"], "warn");
      const access = entries.filter((e) => e["msg"] === "request");
      const first = access.find((e) => e["request_id"] === "req-0001.abc:xyz");
      assert.deepEqual(
        { ...first, time: undefined, duration_ms: undefined },
        {
          time: undefined,
          level: "info",
          msg: "request",
          request_id: "req-0001.abc:xyz",
          method: "GET",
          route: "/v2/account",
          status: 401,
          duration_ms: undefined,
        },
      );
      assert.equal(typeof first?.["duration_ms"], "number");
      assert.ok(!access.some((e) => e["route"] === "/healthz"), "probes are not in the access log");
      assert.ok(access.some((e) => e["request_id"] === "reuse-request-42" && e["status"] === 401));
    } finally {
      await t.close();
    }
  });

  it("a database failure is logged with the request id and without the query string", async () => {
    const { logger, lines } = recordingLogger();
    const t = await startTestServer({}, undefined, { logger });
    try {
      await t.server.core.store.close();
      const res = await t.api.call("GET", "/ISteamUserAuth/AuthenticateUserTicket/v1/?key=a-secret-in-the-query-0001&appid=0&ticket=00", {
        headers: { "X-Request-Id": "db-down-1" },
      });
      assert.equal(res.status, 503);
      const line = lines.find((l) => l.startsWith("ERROR database unavailable"));
      assert.ok(line, lines.join("\n"));
      assert.match(line, /"request_id":"db-down-1"/);
      assert.match(line, /"path":"\/ISteamUserAuth\/AuthenticateUserTicket\/v1\/"/);
      assert.ok(!lines.some((l) => l.includes("a-secret-in-the-query")), "no secret in the log");
      const e = await scrape(t.api);
      assert.equal(sampleValue(e, "tessera_store_unavailable_total", { backend: "sqlite", operation: "tickets.gameServerBySecretHash" }), 1);
      assert.equal(sampleValue(e, "tessera_http_requests_total", { method: "GET", route: "/ISteamUserAuth/AuthenticateUserTicket/v1/", status: "503" }), 1);
    } finally {
      await t.close();
    }
  });

  it("writes no access log by default", async () => {
    const { logger, lines } = recordingLogger();
    const t = await startTestServer({}, undefined, { logger });
    try {
      await t.api.call("GET", "/v2/account");
      assert.ok(!lines.some((l) => l.startsWith("INFO request ")), lines.join("\n"));
    } finally {
      await t.close();
    }
  });

  it("text lines name the request id; JSON lines keep their keys and survive odd fields", () => {
    const text: string[] = [];
    const plain = createLogger({ level: "info", format: "text", write: (l) => text.push(l) });
    requestLogger(plain, "abc-1").info("hello", { n: 1, s: "x y" });
    plain.debug("hidden");
    assert.equal(text.length, 1);
    assert.match(text[0]!, /^\d{4}-\d\d-\d\dT\S+Z INFO {2}hello request_id="abc-1" n=1 s="x y"\n$/);

    const json: string[] = [];
    const structured = createLogger({ level: "debug", format: "json", write: (l) => json.push(l) });
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    structured.error("odd", { msg: "a field named msg", level: 7, big: 10n, cycle, err: new Error("boom") });
    const entry = JSON.parse(json[0]!) as Record<string, unknown>;
    assert.equal(entry["msg"], "odd");
    assert.equal(entry["level"], "error");
    assert.equal(entry["field_msg"], "a field named msg");
    assert.equal(entry["field_level"], 7);
    assert.equal(entry["big"], "10");
    assert.equal(entry["cycle"], "[object Object]");
    assert.match(entry["err"] as string, /^Error: boom\n/);
    assert.equal(entry["request_id"], undefined, "outside a request there is no request id");
    requestLogger(structured, "r-9").warn("inside", { a: 1 });
    assert.deepEqual(Object.keys(JSON.parse(json[1]!) as object), ["time", "level", "msg", "request_id", "a"], "request_id right after msg");
  });

  it("the socket upgrade echoes the request id on its 101 and on refusals", async () => {
    const t = await startTestServer();
    try {
      const session = await t.api.device(deviceId());
      const url = `${t.url.replace(/^http/, "ws")}/ws?token=`;
      const upgraded = await new Promise<string | undefined>((resolve, reject) => {
        const ws = new WebSocket(url + session.token, { headers: { "X-Request-Id": "socket-req-7" } });
        ws.once("upgrade", (res) => {
          resolve(res.headers["x-request-id"] as string | undefined);
          ws.close();
        });
        ws.once("error", reject);
      });
      assert.equal(upgraded, "socket-req-7");
      const refused = await new Promise<string | undefined>((resolve, reject) => {
        const ws = new WebSocket(url + "bad", { headers: { "X-Request-Id": "socket-req-8" } });
        ws.once("unexpected-response", (_req, res) => {
          resolve(res.headers["x-request-id"] as string | undefined);
          res.resume();
        });
        ws.once("error", () => {});
        ws.once("open", () => reject(new Error("opened with a bad token")));
      });
      assert.equal(refused, "socket-req-8");
    } finally {
      await t.close();
    }
  });
});
