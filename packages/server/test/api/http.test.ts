/**
 * The HTTP transport over raw requests: body limits, JSON and type checks (always a 4xx, never a
 * 500), routing errors, CORS, the `{code, message}` error shape, health and the OpenAPI document.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { compileErrors, validate } from "@readme/openapi-parser";
import { apiRoutes } from "../../src/app.js";
import { SERVER_KEY, startTestServer, type TestServer } from "../support/harness.js";
import { assertError, deviceId, ok } from "../support/expect.js";

const DEVICE = "/v2/account/authenticate/device";
const LIMIT = 262144;

/** The wire contract's paths (DESIGN.md) plus Tessera's additions: the OpenAPI document must list each. */
const EXPECTED_PATHS: Record<string, string[]> = {
  "/v2/account/authenticate/device": ["post"],
  "/v2/account/authenticate/email": ["post"],
  "/v2/account/authenticate/custom": ["post"],
  "/v2/account/authenticate/steam": ["post"],
  "/v2/account/authenticate/anonymous": ["post"],
  "/v2/account/session/refresh": ["post"],
  "/v2/session/logout": ["post"],
  "/v2/account": ["get", "put"],
  "/v2/account/link/device": ["post"],
  "/v2/account/link/email": ["post"],
  "/v2/account/link/custom": ["post"],
  "/v2/account/unlink/device": ["post"],
  "/v2/account/unlink/email": ["post"],
  "/v2/account/unlink/custom": ["post"],
  "/v2/account/link/steam": ["post"],
  "/v2/account/unlink/steam": ["post"],
  "/v2/account/sessions": ["get"],
  "/v2/account/sessions/{id}": ["delete"],
  "/healthz": ["get"],
  "/readyz": ["get"],
  "/openapi.json": ["get"],
  "/metrics": ["get"],
  "/api": ["get"],
  "/ws": ["get"],
  "/.well-known/jwks.json": ["get"],
  "/ISteamUserAuth/AuthenticateUserTicket/v1/": ["get"],
};

/** Sends a body with chunked transfer encoding (no Content-Length), as a streaming client would. */
function postChunked(url: string, path: string, chunks: string[]): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, {
      method: "POST",
      headers: { Authorization: "Basic " + Buffer.from(SERVER_KEY + ":").toString("base64"), "Content-Type": "application/json" },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    // The server may close while we still write: the response is what matters.
    req.on("error", (err) => (req.destroyed ? undefined : reject(err)));
    let i = 0;
    const writeNext = () => {
      if (i === chunks.length) return req.end();
      if (req.destroyed) return;
      req.write(chunks[i++], () => setImmediate(writeNext));
    };
    writeNext();
  });
}

describe("http", () => {
  let t: TestServer;
  let bearer: string;
  before(async () => {
    t = await startTestServer();
    bearer = (await t.api.device(deviceId())).token;
  });
  after(() => t.close());

  const raw = (path: string, rawBody: string, auth: "key" | "bearer" = "key", method = "POST") =>
    t.api.call(method, path, auth === "key" ? { rawBody, serverKey: SERVER_KEY } : { rawBody, bearer });

  describe("body limit", () => {
    it("answers 413 with {code, message} past 262144 bytes", async () => {
      const body = JSON.stringify({ id: deviceId(), pad: "x".repeat(LIMIT) });
      const res = await raw(DEVICE, body);
      assertError(res, 413, /too large.*262144/, 3);
      const put = await raw("/v2/account", JSON.stringify({ display_name: "x".repeat(LIMIT) }), "bearer", "PUT");
      assertError(put, 413, /too large/, 3);
    });

    it("accepts a body of exactly 262144 bytes", async () => {
      const head = JSON.stringify({ id: deviceId(), pad: "" });
      const body = head.slice(0, -2) + "x".repeat(LIMIT - head.length) + '"}';
      assert.equal(Buffer.byteLength(body), LIMIT);
      assert.equal(ok(await raw(DEVICE, body)).created, true);
    });

    it("answers 413 to a chunked body that grows past the limit", async () => {
      const chunk = "x".repeat(64 * 1024);
      const res = await postChunked(t.url, DEVICE, ['{"id":"' + deviceId() + '","pad":"', chunk, chunk, chunk, chunk, chunk, '"}']);
      assert.equal(res.status, 413);
      assert.deepEqual(Object.keys(res.body).sort(), ["code", "message"]);
      // The server is still fine afterwards.
      ok(await t.api.withKey(DEVICE, { id: deviceId() }));
    });

    it("reads a small chunked body normally", async () => {
      const id = deviceId();
      const res = await postChunked(t.url, DEVICE, ['{"id":', `"${id}"`, "}"]);
      assert.equal(res.status, 200);
      assert.equal(res.body.created, true);
    });
  });

  describe("JSON and field types", () => {
    it("refuses invalid JSON with 400", async () => {
      for (const body of ["{", "{id: 'x'}", '{"id":"dev-0123456789",}', "\u00ff\u00fe", "undefined", "{}{}"]) {
        assertError(await raw(DEVICE, body), 400, "Request body is not valid JSON.");
      }
    });

    it("refuses a JSON array or scalar body with 400", async () => {
      for (const body of ["[]", '[{"id":"dev-0123456789"}]', '"dev-0123456789"', "42", "true"]) {
        assertError(await raw(DEVICE, body), 400, "Request body must be a JSON object.");
      }
    });

    it("treats an empty or null body as {}", async () => {
      assertError(await raw(DEVICE, ""), 400, "Device ID is required.");
      assertError(await raw(DEVICE, "null"), 400, "Device ID is required.");
    });

    it("refuses wrong field types with 400, never 500", async () => {
      const cases: [string, unknown, "key" | "bearer", string?][] = [
        [DEVICE, { id: 123 }, "key"],
        [DEVICE, { id: ["dev-0123456789"] }, "key"],
        [DEVICE, { id: { x: 1 } }, "key"],
        [DEVICE, { id: true }, "key"],
        [DEVICE, { id: deviceId(), vars: "x" }, "key"],
        [DEVICE, { id: deviceId(), vars: { a: 1 } }, "key"],
        [DEVICE, { id: deviceId(), vars: ["a"] }, "key"],
        [DEVICE, { id: deviceId(), vars: 5 }, "key"],
        ["/v2/account/authenticate/custom", { id: 123456 }, "key"],
        ["/v2/account/authenticate/email", { email: 5, password: "password1" }, "key"],
        ["/v2/account/authenticate/email", { email: "someone@example.com", password: true }, "key"],
        ["/v2/account/authenticate/anonymous", { vars: "x" }, "key"],
        ["/v2/account/session/refresh", { token: 123 }, "key"],
        ["/v2/account/session/refresh", { token: { a: "b" } }, "key"],
        ["/v2/account/session/refresh", { token: "x", vars: "x" }, "key"],
        ["/v2/session/logout", { token: 1 }, "bearer"],
        ["/v2/session/logout", { refresh_token: [] }, "bearer"],
        ["/v2/account", { username: 7 }, "bearer", "PUT"],
        ["/v2/account", { timezone: {} }, "bearer", "PUT"],
        ["/v2/account/link/device", { id: 42 }, "bearer"],
        ["/v2/account/link/email", { email: [], password: "password1" }, "bearer"],
        ["/v2/account/link/custom", { id: false }, "bearer"],
        ["/v2/account/unlink/device", { id: 1 }, "bearer"],
        ["/v2/account/unlink/email", { email: 1 }, "bearer"],
        ["/v2/account/unlink/custom", { id: {} }, "bearer"],
      ];
      for (const [path, body, auth, method] of cases) {
        const res = await raw(path, JSON.stringify(body), auth, method);
        assertError(res, 400, /./);
      }
    });

    it("ignores unknown fields, as Nakama's gateway does", async () => {
      assert.equal(ok(await raw(DEVICE, JSON.stringify({ id: deviceId(), unknown: [1, 2, { x: null }] }))).created, true);
    });

    it("never answers 500 to odd input on any route", async () => {
      const bodies = [
        "{}",
        '{"__proto__":{"id":"dev-0123456789"}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '{"id":"' + "\u0000".repeat(20) + '"}',
        '{"id":"\ud800\ud800\ud800\ud800\ud800"}',
        '{"id":"' + "名".repeat(40) + '"}',
        '{"vars":{"__proto__":"x"},"id":"' + deviceId() + '"}',
        '{"token":"' + "a.".repeat(3000) + '"}',
        '{"token":"e30.e30.e30","refresh_token":"e30.e30.e30"}',
        '{"email":"' + "@".repeat(300) + '","password":"' + "p".repeat(2000) + '"}',
        '{"id":' + "[".repeat(5000) + "]".repeat(5000) + "}",
        JSON.stringify({ id: 1e308, vars: { a: "b" }, username: null }),
      ];
      for (const r of apiRoutes()) {
        if (r.path === "/v2/account/sessions/{id}") continue;
        for (const body of bodies) {
          // A fresh session each time: a body above may have logged the previous one out.
          const credentials =
            r.auth === "bearer" ? { bearer: (await t.api.device(deviceId())).token } : r.auth === "server_key" ? { serverKey: SERVER_KEY } : {};
          const res = await t.api.call(r.method, r.path, { rawBody: r.method === "GET" ? undefined : body, ...credentials });
          const what = `${r.method} ${r.path} ${body.slice(0, 60)} → ${res.status} ${JSON.stringify(res.body)}`;
          assert.ok(res.status < 500, what);
          if (r.auth === "bearer") assert.notEqual(res.status, 401, what + " (the odd body must reach the handler)");
          if (res.status >= 400) assertError(res, res.status, /./, res.body.code);
        }
      }
    });

    it("never answers 500 to odd session ids", async () => {
      const s = await t.api.device(deviceId());
      for (const id of ["x", "%00", "..", "%2F", "%E0%A4%A", "x".repeat(2000), "00000000-0000-0000-0000-000000000000"]) {
        const res = await t.api.withToken("DELETE", `/v2/account/sessions/${id}`, s.token);
        assertError(res, 404, /./);
      }
    });
  });

  describe("routing", () => {
    it("answers an unknown path with 404 {code, message}", async () => {
      for (const path of ["/nope", "/v2/account/", "/v2/account/authenticate/playstation", "/v2//account", "/v2/account/sessions/"]) {
        assertError(await t.api.call("GET", path), 404, /./);
        assertError(await t.api.call("POST", path, { body: {}, serverKey: SERVER_KEY }), 404, /./);
      }
    });

    it("answers a wrong method on a known path with 405 and Allow", async () => {
      const cases: [string, string, string[]][] = [
        ["GET", DEVICE, ["POST"]],
        ["PATCH", "/v2/account", ["DELETE", "GET", "PUT"]],
        ["POST", "/v2/account/sessions/abc", ["DELETE"]],
        ["PUT", "/v2/session/logout", ["POST"]],
        ["POST", "/healthz", ["GET"]],
      ];
      for (const [method, path, allow] of cases) {
        const res = await t.api.call(method, path, { bearer });
        assertError(res, 405, /./, 12);
        assert.deepEqual(res.headers.get("allow")?.split(/,\s*/).sort(), allow.sort());
      }
    });

    it("answers an OPTIONS preflight with 204 and CORS headers, whatever the path", async () => {
      for (const path of [DEVICE, "/v2/account", "/v2/account/sessions/abc"]) {
        const res = await t.api.call("OPTIONS", path, {
          headers: { Origin: "https://game.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
        });
        assert.equal(res.status, 204);
        assert.equal(res.body, undefined);
        assert.equal(res.headers.get("access-control-allow-origin"), "*");
        const methods = res.headers.get("access-control-allow-methods") ?? "";
        for (const m of ["GET", "POST", "PUT", "DELETE"]) assert.match(methods, new RegExp(`\\b${m}\\b`));
        const headers = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
        assert.match(headers, /authorization/);
        assert.match(headers, /content-type/);
      }
    });

    it("sends CORS headers on answers and errors too", async () => {
      assert.equal((await t.api.call("GET", "/healthz")).headers.get("access-control-allow-origin"), "*");
      // A browser client may send and read the request id.
      assert.match((await t.api.call("GET", "/v2/account")).headers.get("access-control-expose-headers") ?? "", /X-Request-Id/i);
      assert.match((await t.api.call("OPTIONS", "/v2/account")).headers.get("access-control-allow-headers") ?? "", /X-Request-Id/i);
      assert.equal((await t.api.call("GET", "/v2/account")).headers.get("access-control-allow-origin"), "*");
    });
  });

  describe("error shape", () => {
    it("every error body is exactly {code, message} with the mapped status", async () => {
      const errors: [Promise<any>, number, number][] = [
        [t.api.call("POST", DEVICE, { body: { id: deviceId() } }), 401, 16],
        [t.api.withKey(DEVICE, {}), 400, 3],
        [t.api.withKey(`${DEVICE}?create=false`, { id: deviceId() }), 404, 5],
        [t.api.call("GET", "/v2/account"), 401, 16],
        [t.api.withKey("/v2/account/session/refresh", { token: "bad" }), 401, 16],
        [raw(DEVICE, "{"), 400, 3],
        [t.api.call("GET", "/missing"), 404, 5],
        [t.api.call("PATCH", "/v2/account", { bearer }), 405, 12],
        [raw(DEVICE, JSON.stringify({ pad: "x".repeat(LIMIT) })), 413, 3],
      ];
      for (const [pending, status, code] of errors) assertError(await pending, status, /./, code);
    });
  });

  describe("meta", () => {
    it("GET /healthz answers 200 without credentials", async () => {
      const res = await t.api.call("GET", "/healthz");
      assert.deepEqual(ok(res), { status: "ok" });
      assert.equal(res.headers.get("content-type"), "application/json");
    });

    it("GET /readyz answers 200 with the database and the in-process bus", async () => {
      const res = await t.api.call("GET", "/readyz");
      assert.deepEqual(ok(res), { status: "ok", database: "ok", bus: "local" });
      assert.equal(res.headers.get("content-type"), "application/json");
    });

    it("GET /readyz answers 503 naming the database once it is closed, while /healthz still answers", async () => {
      const own = await startTestServer();
      try {
        await own.server.core.store.close();
        const res = await own.api.call("GET", "/readyz");
        assert.equal(res.status, 503);
        assert.deepEqual(res.body, { status: "unavailable", database: "down: the SQLite database is closed", bus: "local" });
        assert.equal(res.headers.get("retry-after"), "1");
        assert.equal((await own.api.call("GET", "/healthz")).status, 200);
      } finally {
        await own.close();
      }
    });

    it("GET /openapi.json is an OpenAPI 3.1 document listing every route", async () => {
      const doc = ok(await t.api.call("GET", "/openapi.json"));
      assert.match(doc.openapi, /^3\.1\.\d+$/);
      // Valid against the OpenAPI 3.1 schema and its rules (path parameters, unique operationIds,
      // security schemes); validate() dereferences its argument, so it gets a copy.
      const validation = await validate(structuredClone(doc));
      assert.ok(validation.valid, validation.valid ? "" : compileErrors(validation));
      assert.deepEqual(validation.warnings, []);
      assert.equal(typeof doc.info.title, "string");
      assert.equal(typeof doc.info.version, "string");
      for (const [path, methods] of Object.entries(EXPECTED_PATHS)) {
        assert.ok(doc.paths[path], `missing path ${path}`);
        for (const m of methods) assert.ok(doc.paths[path][m], `missing ${m} ${path}`);
      }
      for (const r of apiRoutes()) assert.ok(doc.paths[r.path]?.[r.method.toLowerCase()], `route ${r.method} ${r.path} not documented`);
      const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m} ${p}`));
      // Every route, plus the realtime socket (an upgrade, not a route), and nothing else.
      assert.equal(documented.length, apiRoutes().length + 1, "no phantom operations");
      assert.deepEqual(Object.keys(doc.paths["/ws"].get.responses).sort(), ["101", "default"]);
      assert.ok(doc.paths["/metrics"].get.responses["200"].content["text/plain"]);
      assert.deepEqual(doc.paths["/metrics"].get.security, [{}, { metricsToken: [] }]);
      assert.ok(doc.paths["/api"].get.responses["200"].content["text/html"]);
      assert.deepEqual(doc.paths["/.well-known/jwks.json"].get.security, []);
      const withUndefined = JSON.stringify(doc, (_k, v: unknown) => (v === undefined ? "UNDEFINED" : v));
      assert.ok(!withUndefined.includes("UNDEFINED"));
      const tags = new Set(doc.tags.map((tag: { name: string }) => tag.name));
      for (const ops of Object.values(doc.paths))
        for (const op of Object.values(ops as Record<string, { tags: string[] }>)) assert.ok(tags.has(op.tags[0]!), op.tags[0]);
      assert.ok(doc.components.securitySchemes.serverKey);
      assert.ok(doc.components.securitySchemes.bearer);
      assert.deepEqual(doc.paths["/v2/account/authenticate/device"].post.security, [{ serverKey: [] }]);
      assert.deepEqual(doc.paths["/v2/account"].get.security, [{ bearer: [] }]);
      const sessionParams = doc.paths["/v2/account/sessions/{id}"].delete.parameters;
      assert.deepEqual(
        sessionParams.map((p: { name: string; in: string }) => `${p.in}:${p.name}`),
        ["path:id"],
      );
      const query = doc.paths["/v2/account/authenticate/device"].post.parameters.map((p: { name: string }) => p.name).sort();
      assert.deepEqual(query, ["create", "username"]);
      const steamQuery = doc.paths["/v2/account/authenticate/steam"].post.parameters.map((p: { name: string }) => p.name).sort();
      assert.deepEqual(steamQuery, ["create", "sync", "username"]);
      const linkSteam = doc.paths["/v2/account/link/steam"].post.requestBody.content["application/json"].schema;
      assert.deepEqual(Object.keys(linkSteam.properties).sort(), ["account", "sync"]);
      assert.equal(linkSteam.properties.account.type, "object");
      assert.deepEqual(linkSteam.properties.account.properties.token, { type: "string", description: "Steam auth ticket, hex-encoded." });
      assert.equal(linkSteam.properties.account.properties.vars.additionalProperties.type, "string");
      const operationIds = Object.values(doc.paths).flatMap((ops) => Object.values(ops as Record<string, { operationId: string }>).map((o) => o.operationId));
      assert.equal(new Set(operationIds).size, operationIds.length, "operationIds are unique");
    });
  });
});
