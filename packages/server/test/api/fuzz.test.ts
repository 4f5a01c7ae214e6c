/**
 * Fuzzing every route with fast-check (docs/security.md, "Fuzzing"). For each route that
 * `apiRoutes()` declares, requests are generated from its declaration — method, path parameters,
 * query from its query schema, body from its field schema — mixed with junk: wrong types,
 * missing and extra fields, huge and unicode strings (lone surrogates too), invalid JSON, bad
 * query strings, wrong methods and content types, oversized bodies, every kind of credential.
 * Every answer must be below 500 (503 included: bad input never makes the server "busy"), every
 * 4xx exactly Nakama's `{code, message}`, and the server healthy afterwards. A second property
 * sends malformed HTTP on raw TCP.
 *
 * FUZZ_RUNS (default 10000) is the total number of generated requests, shared by SQLite and
 * PostgreSQL; FUZZ_SEED (default fixed)
 * picks the sequence. A failure prints the seed and fast-check's shrunk counterexample; keep
 * that case in fuzz-regressions.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import fc from "fast-check";
import { apiRoutes } from "../../src/app.js";
import type { SchemaNode } from "@tessera/protocol";
import type { QuerySchema, Route } from "../../src/http/route.js";
import { claimsOf, SERVER_KEY, startTestServer, type TestServer } from "../support/harness.js";
import { deviceId, ok } from "../support/expect.js";
import { startFakeSteam, steamId, type FakeSteam } from "../support/fake-steam.js";
import { checkAnswer, MAX_BODY_BYTES, type FuzzAnswer } from "../support/fuzz-answers.js";
import { backendSettings, backendSkip, dropBackendDatabases, type Backend } from "../support/backends.js";

const SEED = Number(process.env["FUZZ_SEED"] ?? 20_261_124);
const TOTAL_RUNS = Number(process.env["FUZZ_RUNS"] ?? 10_000);
const GS_SECRET = "fuzz-game-server-secret-0000000000001";

const routes = apiRoutes();

/** How `total` requests are spread: per route, and for the junk-path and raw-TCP properties. */
function budget(total: number): { perRoute: number; junkPaths: number; rawTcp: number } {
  const rawTcp = Math.max(50, Math.round(total / 40));
  const junkPaths = Math.max(100, Math.round(total / 12));
  return { perRoute: Math.ceil((total - rawTcp - junkPaths) / routes.length), junkPaths, rawTcp };
}

// ---------------------------------------------------------------------------------------------
// What a request is made of, and the state it draws on (live tokens, tickets, ids).

type Credential = "none" | "server_key" | "wrong_key" | "basic_junk" | "player" | "game_server" | "refresh_as_bearer" | "junk_bearer" | "empty_bearer";

interface Generated {
  method: string;
  path: string;
  credential: Credential;
  contentType: string | undefined;
  body: string | undefined;
}

interface World {
  players: { token: string; refresh: string; uid: string; tid: string }[];
  gameServerToken: string;
  tickets: string[];
  steamTickets: string[];
}

/** A placeholder the sender replaces with a live value at send time (tokens rotate and die). */
const LIVE = {
  refresh: "\u0001live-refresh\u0001",
  access: "\u0001live-access\u0001",
  uid: "\u0001live-uid\u0001",
  tid: "\u0001live-tid\u0001",
  ticket: "\u0001live-ticket\u0001",
  steamTicket: "\u0001live-steam-ticket\u0001",
};

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const oddChar = fc.constantFrom("\u0000", "\n", "\r", "\t", "\u007f", "\u202e", "\ufeff", "\u2028", "\\", '"', "%", "/", "?", "#", "&", "=", "+", ";");
const hugeString = fc.tuple(fc.constantFrom("a", "é", "😀", "\u0000", "%"), fc.constantFrom(129, 257, 1025, 4097, 17_000)).map(([c, n]) => c.repeat(n));

const junkString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.oneof(loneSurrogate, oddChar, fc.string({ minLength: 1, maxLength: 1 })), maxLength: 10 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "null",
      "true",
      "0",
      "-1",
      "__proto__",
      "constructor",
      "../../etc/passwd",
      "' OR 1=1 --",
      "<script>",
      "名前",
      "zoë",
      "a?b",
      "x~~~y",
      "00",
    ),
  },
  { weight: 1, arbitrary: hugeString },
);

/**
 * Integers that do not make a long poll wait (`wait_ms` above 20 would hold requests for up to
 * 30 s each; the tickets suite covers long waits).
 */
const junkInteger = fc.oneof(
  fc.integer({ min: -10, max: 20 }),
  fc.constantFrom(-1, 30_001, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e21, 1e308),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  junkInteger,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null)), { maxKeys: 4 }),
  junkString,
);

const hex = (minBytes: number, maxBytes: number) => fc.uint8Array({ minLength: minBytes, maxLength: maxBytes }).map((b) => Buffer.from(b).toString("hex"));

/** `base`, sometimes with one odd character (NUL, a lone surrogate, a newline ...) slipped in. */
function spiked(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const spike = fc.tuple(base, fc.oneof(oddChar, loneSurrogate), fc.nat()).map(([s, c, at]) => {
    const i = at % (s.length + 1);
    return s.slice(0, i) + c + s.slice(i);
  });
  return fc.oneof({ weight: 6, arbitrary: base }, { weight: 1, arbitrary: spike });
}

/** Plausible values for fields whose names the domain knows, so generated requests get past validation too. */
function plausible(name: string): fc.Arbitrary<string> {
  return spiked(plausibleBase(name));
}

function plausibleBase(name: string): fc.Arbitrary<string> {
  switch (name) {
    case "id":
      return fc.oneof(
        fc.string({ minLength: 6, maxLength: 40 }),
        fc.uuid().map((u) => `dev-${u}`),
      );
    case "email":
      return fc.oneof(
        fc.emailAddress(),
        fc.string({ maxLength: 12 }).map((s) => `${s}@x.io`),
      );
    case "password":
    case "secret":
      return fc.oneof(fc.string({ minLength: 8, maxLength: 24 }), fc.constant(GS_SECRET));
    case "token":
    case "refresh_token":
      return fc.oneof(fc.constantFrom(LIVE.refresh, LIVE.access, LIVE.steamTicket), hex(1, 80), fc.string({ maxLength: 60 }));
    case "ticket":
      return fc.oneof(fc.constant(LIVE.ticket), hex(1, 300), fc.string({ maxLength: 40 }));
    case "user_id":
    case "borrower_id":
      return fc.oneof(
        fc.constant(LIVE.uid),
        fc.uuid(),
        fc.uuid().map((u) => u.toUpperCase()),
      );
    case "identity":
      return fc.oneof(fc.constantFrom("eu-west-1", ""), fc.string({ maxLength: 20 }));
    case "username":
    case "display_name":
    case "location":
    case "timezone":
    case "avatar_url":
    case "lang_tag":
      return fc.string({ minLength: 1, maxLength: 30 });
    default:
      return fc.string({ maxLength: 30 });
  }
}

function plausibleValue(name: string, schema: SchemaNode): fc.Arbitrary<unknown> {
  switch (schema.kind) {
    case "string":
      return plausible(name);
    case "boolean":
      return fc.boolean();
    case "integer":
      return name === "app_id" ? fc.oneof(fc.constant(480), fc.integer({ min: 0, max: 2 ** 32 })) : fc.integer({ min: 0, max: 20 });
    case "map":
      return fc.dictionary(
        spiked(fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom("__proto__", "constructor", "a".repeat(65)))),
        spiked(
          fc.oneof(
            fc.string({ maxLength: 20 }),
            hugeString.map((s) => s.slice(0, 300)),
          ),
        ),
        {
          maxKeys: 40,
        },
      );
    case "array":
      return fc.array(spiked(fc.oneof(fc.uuid(), fc.string({ maxLength: 70 }))), { maxLength: (schema.maxItems ?? 10) + 3 });
    case "object":
      return bodyObject(schema.fields);
    case "optional":
      return plausibleValue(name, schema.inner);
    case "unknown":
      return wrongType;
  }
}

/** A field: plausible most of the time, else the wrong type or junk. */
const fieldValue = (name: string, schema: SchemaNode): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 5, arbitrary: plausibleValue(name, schema) }, { weight: 2, arbitrary: wrongType }, { weight: 1, arbitrary: junkString });

/** Declared fields, each maybe absent, plus undeclared ones. */
function bodyObject(fields: Readonly<Record<string, SchemaNode>>): fc.Arbitrary<Record<string, unknown>> {
  const declared = fc.record(Object.fromEntries(Object.entries(fields).map(([name, schema]) => [name, fieldValue(name, schema)])), { requiredKeys: [] });
  const extra = fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("__proto__", "constructor", "prototype")), wrongType, { maxKeys: 3 });
  return fc.tuple(declared, extra, fc.boolean()).map(([d, e, extraFirst]) => (extraFirst ? { ...e, ...d } : { ...d, ...e }));
}

/** The body text: JSON of the object most of the time, else broken JSON, other JSON values, nothing, or too much. */
function bodyText(route: Route): fc.Arbitrary<string | undefined> {
  const object = bodyObject(route.body?.fields ?? {});
  // Weights: mostly well-formed JSON objects (to reach the handlers), every kind of broken body
  // regularly, and bodies past the size limit rarely (each is 256-512 KiB on the wire).
  return fc.oneof(
    { weight: 48, arbitrary: object.map((o) => JSON.stringify(o)) },
    { weight: 4, arbitrary: fc.constant(undefined) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        "",
        "null",
        "[]",
        "{}",
        "0",
        '"x"',
        "true",
        "{",
        "}",
        "{]",
        '{"a":}',
        "\ufeff{}",
        '{"id":"\\ud800"}',
        "{'id':1}",
        "NaN",
        "[{}]",
      ),
    },
    { weight: 4, arbitrary: object.map((o) => JSON.stringify(o).slice(0, -1)) },
    { weight: 4, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.integer({ min: 50, max: 5000 }).map((depth) => "[".repeat(depth) + "]".repeat(depth)) },
    { weight: 2, arbitrary: fc.integer({ min: 50, max: 2000 }).map((depth) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth)) },
    { weight: 1, arbitrary: fc.constantFrom(MAX_BODY_BYTES + 1, MAX_BODY_BYTES * 2).map((n) => JSON.stringify({ id: "x".repeat(n) })) },
    { weight: 4, arbitrary: junkString },
  );
}

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant("application/json") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      undefined,
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=utf-16",
      "application/xml",
      "*/*",
      "",
    ),
  },
);

const credential: fc.Arbitrary<Credential> = fc.constantFrom(
  "none",
  "server_key",
  "wrong_key",
  "basic_junk",
  "player",
  "game_server",
  "refresh_as_bearer",
  "junk_bearer",
  "empty_bearer",
);

/** What each byte becomes in a percent-encoded path: itself when unreserved, else `%XX`. */
const PCT_BYTES = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  return /[A-Za-z0-9\-._~]/.test(c) ? c : "%" + b.toString(16).toUpperCase().padStart(2, "0");
});
/** Percent-encodes every byte of the UTF-8 form except unreserved characters (lone surrogates become U+FFFD). */
const pct = (s: string): string => {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) out += PCT_BYTES[b];
  return out;
};

const pathParam = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(LIVE.tid, LIVE.uid) },
  { weight: 3, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -5, max: 2 ** 33 }).map(String), fc.constantFrom("0", "1", "4294967295", "1e3", "0x10", "-0")) },
  { weight: 3, arbitrary: junkString.map(pct) },
  { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "%E0%A4%A", "%2F", "..", ".", "%00", "%C0%AF", "a%2Fb") },
);

function queryValue(name: string, schema: QuerySchema): fc.Arbitrary<string> {
  const valid =
    schema.type === "boolean"
      ? fc.constantFrom("true", "false", "1", "0", "T", "f", "TRUE", "")
      : name === "key"
        ? fc.constantFrom(GS_SECRET, "wrong")
        : name === "appid"
          ? fc.constantFrom("480", "0", "4294967296", "-1", "abc", "")
          : name === "ticket"
            ? fc.oneof(fc.constant(LIVE.ticket), hex(1, 200))
            : plausible(name);
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: junkString });
}

function queryString(route: Route): fc.Arbitrary<string> {
  const declared = Object.entries(route.query ?? {});
  const pairs = fc.tuple(
    ...declared.map(([name, schema]) =>
      fc.option(
        queryValue(name, schema).map((v) => `${name}=${v === LIVE.ticket ? v : pct(v)}`),
        { nil: undefined },
      ),
    ),
  );
  const junkPairs = fc.array(
    fc.tuple(junkString, junkString).map(([k, v]) => `${pct(k)}=${pct(v)}`),
    { maxLength: 3 },
  );
  const rawJunk = fc.constantFrom("", "", "", "&", "&&", "=", "%", "%zz", "a=%E0%A4%A", "create=true&create=false", ";", "==", "?", "a=1=2");
  return fc.tuple(pairs, junkPairs, rawJunk).map(([p, j, r]) => {
    const parts = [...p.filter((x): x is string => x !== undefined), ...j, r].filter((x) => x !== "");
    return parts.length === 0 ? "" : "?" + parts.join("&");
  });
}

/** A request for `route`: its method most of the time, params and query and body from its declaration. */
function requestFor(route: Route): fc.Arbitrary<Generated> {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  return fc
    .record({
      method: fc.oneof(
        { weight: 10, arbitrary: fc.constant(route.method) },
        { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "PROPFIND") },
      ),
      params: fc.tuple(...names.map(() => pathParam)),
      query: queryString(route),
      credential: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constant(
            route.auth === "server_key"
              ? ("server_key" as Credential)
              : route.auth === "none"
                ? ("none" as Credential)
                : route.auth === "validator"
                  ? ("game_server" as Credential)
                  : ("player" as Credential),
          ),
        },
        { weight: 3, arbitrary: credential },
      ),
      contentType,
      body: bodyText(route),
    })
    .map(({ method, params, query, credential: c, contentType: ct, body }) => {
      let i = 0;
      const path = route.path.replace(/\{\w+\}/g, () => params[i++]!);
      return { method, path: path + query, credential: c, contentType: ct, body };
    });
}

/** Paths that are no route, or routes spelled wrongly: 404 or 405, never more. */
const junkPathRequest: fc.Arbitrary<Generated> = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
  path: fc.oneof(
    fc
      .constantFrom(...routes.map((r) => r.path))
      .chain((p) =>
        fc.constantFrom(
          p + "/",
          p.toUpperCase(),
          p.replace(/\//g, "//"),
          p + "/..",
          p + "%00",
          p + "/extra",
          p.replace("/v2/", "/v1/"),
          p + "?" + "a=".repeat(200),
        ),
      ),
    fc.webPath().map((p) => (p.startsWith("/") ? p : "/" + p)),
    junkString.map((s) => "/" + pct(s)),
    fc.constantFrom("/", "/v2", "/v2/", "/ws", "/.well-known/", "/" + "a".repeat(8000), "/%", "/%zz", "/v2/account/sessions/%E0%A4%A"),
  ),
  credential,
  contentType,
  body: fc.option(junkString, { nil: undefined }),
});

// ---------------------------------------------------------------------------------------------
// Sending.

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function send(base: URL, world: World, g: Generated): Promise<FuzzAnswer> {
  const player = world.players[0]!;
  const live = (s: string): string =>
    !s.includes("\u0001")
      ? s
      : s
          .replaceAll(LIVE.refresh, player.refresh)
          .replaceAll(LIVE.access, player.token)
          .replaceAll(LIVE.uid, player.uid)
          .replaceAll(LIVE.tid, player.tid)
          .replaceAll(LIVE.ticket, world.tickets[Math.floor(Math.random() * world.tickets.length)]!)
          .replaceAll(LIVE.steamTicket, world.steamTickets[Math.floor(Math.random() * world.steamTickets.length)]!);
  const headers: Record<string, string> = {};
  switch (g.credential) {
    case "server_key":
      headers["Authorization"] = "Basic " + Buffer.from(SERVER_KEY + ":").toString("base64");
      break;
    case "wrong_key":
      headers["Authorization"] = "Basic " + Buffer.from("wrong:").toString("base64");
      break;
    case "basic_junk":
      headers["Authorization"] = "Basic %%%";
      break;
    case "player":
      headers["Authorization"] = "Bearer " + player.token;
      break;
    case "game_server":
      headers["Authorization"] = "Bearer " + world.gameServerToken;
      break;
    case "refresh_as_bearer":
      headers["Authorization"] = "Bearer " + player.refresh;
      break;
    case "junk_bearer":
      headers["Authorization"] = "Bearer eyJhbGciOiJub25lIn0.e30.";
      break;
    case "empty_bearer":
      headers["Authorization"] = "Bearer ";
      break;
    case "none":
      break;
  }
  if (g.contentType !== undefined) headers["Content-Type"] = g.contentType;
  const body = g.body === undefined ? undefined : Buffer.from(live(g.body), "utf8");
  if (body !== undefined) headers["Content-Length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request({ host: base.hostname, port: base.port, method: g.method, path: live(g.path), headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), method: g.method, bodyBytes: body?.length }),
      );
      res.on("error", reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error("no answer within 15 s")));
    req.on("error", (err: NodeJS.ErrnoException) => {
      // A 413 closes the connection while a large body is still being written.
      if (err.code === "EPIPE" || err.code === "ECONNRESET") resolve({ status: -1, headers: {}, text: err.code, method: g.method, bodyBytes: body?.length });
      else reject(err);
    });
    req.end(body);
  });
}

/** Calls that can end the fuzzer's own sessions: afterwards the player is checked and replaced if gone. */
const mayEndSession = (g: Generated): boolean => /session|account|logout|unlink/.test(g.path) && g.method !== "GET";

// ---------------------------------------------------------------------------------------------

/**
 * The budget is shared: three quarters on SQLite, a quarter on PostgreSQL (slower per request;
 * what differs there is the driver's view of odd strings, such as NUL bytes, which PostgreSQL
 * text refuses). Without PostgreSQL (outside CI), SQLite takes it all.
 */
const SQLITE_RUNS = backendSkip("postgres") === false ? Math.round(TOTAL_RUNS * 0.75) : TOTAL_RUNS;
for (const [backend, total] of [
  ["sqlite", SQLITE_RUNS],
  ["postgres", TOTAL_RUNS - SQLITE_RUNS],
] as const) {
  describe(`fuzzing every route on ${backend} (seed ${SEED}, ${total} requests)`, { skip: backendSkip(backend) }, () => {
    fuzzSuite(backend, total);
  });
}

after(() => agent.destroy());

function fuzzSuite(backend: Backend, total: number): void {
  const { perRoute, junkPaths, rawTcp } = budget(total);
  let t: TestServer;
  let steam: FakeSteam;
  let base: URL;
  const world: World = { players: [], gameServerToken: "", tickets: [], steamTickets: [] };
  let sent = 0;
  let startedAt = 0;

  async function newPlayer(): Promise<World["players"][number]> {
    const s = await t.api.device(deviceId());
    const c = claimsOf(s.token);
    return { token: s.token, refresh: s.refresh_token, uid: c["uid"], tid: c["tid"] };
  }

  async function keepPlayerAlive(): Promise<void> {
    const res = await t.api.withToken("GET", "/v2/account", world.players[0]!.token);
    if (res.status === 401) world.players[0] = await newPlayer();
    const again = await t.api.withKey("/v2/account/session/refresh", { token: world.players[0]!.refresh });
    if (again.status === 200) world.players[0] = { ...world.players[0]!, token: again.body.token, refresh: again.body.refresh_token };
    else world.players[0] = await newPlayer();
  }

  async function property(name: string, arbitrary: fc.Arbitrary<Generated>, numRuns: number, seed: number, route?: Route): Promise<void> {
    const produces = route?.produces;
    const result = await fc.check(
      fc.asyncProperty(arbitrary, async (g) => {
        sent++;
        const answer = await send(base, world, g);
        if (mayEndSession(g)) await keepPlayerAlive();
        // A route that answers other than JSON (`/metrics`, `/api`) may, for its own method.
        const wrong = checkAnswer(produces !== undefined && g.method === route?.method ? { ...answer, produces } : answer);
        if (wrong)
          throw new Error(`${g.method} ${g.path.slice(0, 300)} (${g.credential}, ${g.contentType}, body ${JSON.stringify(g.body?.slice(0, 300))}): ${wrong}`);
      }),
      { numRuns, seed, endOnFailure: false },
    );
    if (result.failed) {
      const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
      assert.fail(
        `${name}: ${compact(fc.defaultReportMessage(result) ?? "")}\nError: ${compact(error).slice(0, 2000)}\nRe-run with FUZZ_SEED=${SEED} (this property's seed: ${seed}).`,
      );
    }
  }

  before(async () => {
    startedAt = Date.now();
    steam = await startFakeSteam();
    const database = await backendSettings(backend);
    t = await startTestServer({
      ...steam.settings(),
      ...database,
      "tickets.game_servers": JSON.stringify([{ identity: "eu-west-1", secret: GS_SECRET }]),
      "tickets.app_id": 480,
    });
    base = new URL(t.url);
    world.players.push(await newPlayer());
    world.gameServerToken = ok(await t.api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: GS_SECRET })).token;
    const issuer = await newPlayer();
    for (let i = 0; i < 20; i++) world.tickets.push(ok(await t.api.withToken("POST", "/v2/tickets", issuer.token, {})).ticket);
    for (let i = 0; i < 20; i++) world.steamTickets.push(steam.ticketFor({ steamId: steamId() }));
  });

  after(async () => {
    await t.close();
    await steam.close();
    await dropBackendDatabases(backend);
  });

  routes.forEach((route, index) => {
    it(`${route.method} ${route.path}: ${perRoute} generated requests, all answered below 500 in Nakama's error shape`, async () => {
      await property(`${route.method} ${route.path}`, requestFor(route), perRoute, SEED + index, route);
    });
  });

  it(`paths that are no route: ${junkPaths} requests answered 404, 405 or an OPTIONS 204`, async () => {
    await property("junk paths", junkPathRequest, junkPaths, SEED + 1000);
  });

  it(`malformed HTTP on raw TCP: ${rawTcp} connections answered with a 4xx or closed, never a crash`, async () => {
    const fragments = fc.oneof(
      fc.constantFrom(
        "GET / HTTP/1.1",
        "POST /v2/account/authenticate/device HTTP/1.1",
        "GET /healthz HTTP/1.0",
        "BREW /pot HTTP/1.1",
        "GET  HTTP/1.1",
        "GET / HTTP/9.9",
        "GET /\u0000 HTTP/1.1",
      ),
      fc.string({ maxLength: 60 }),
    );
    const headerLines = fc.array(
      fc.oneof(
        fc.constantFrom(
          "Host: x",
          "Content-Length: 5",
          "Content-Length: -1",
          "Content-Length: 99999999999",
          "Content-Length: 1, 2",
          "Transfer-Encoding: chunked",
          "Transfer-Encoding: gzip, chunked",
          "Authorization: Basic",
          "Expect: 100-continue",
          "Connection: upgrade",
          "Upgrade: websocket",
          ": empty-name",
          "X: " + "v".repeat(20_000),
        ),
        fc.string({ maxLength: 40 }),
      ),
      { maxLength: 6 },
    );
    const raw = fc.tuple(fragments, headerLines, fc.string({ maxLength: 40 })).map(([line, hs, tail]) => `${line}\r\n${hs.join("\r\n")}\r\n\r\n${tail}`);
    const result = await fc.check(
      fc.asyncProperty(raw, async (text) => {
        sent++;
        const reply = await rawExchange(base, text);
        // Node answers malformed requests itself (via the server's clientError handler) or serves
        // the parsed request; anything but a 5xx or a crash is acceptable.
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1];
        if (status !== undefined && Number(status) >= 500) throw new Error(`raw ${JSON.stringify(text.slice(0, 200))}: ${reply.slice(0, 300)}`);
      }),
      { numRuns: rawTcp, seed: SEED + 2000 },
    );
    if (result.failed) assert.fail(`raw TCP: ${compact(fc.defaultReportMessage(result) ?? "")}\nRe-run with FUZZ_SEED=${SEED}.`);
  });

  it("the server is healthy afterwards: /healthz, a sign-in, a bearer call", async (t2) => {
    assert.deepEqual(ok(await t.api.call("GET", "/healthz")), { status: "ok" });
    const s = await newPlayer();
    ok(await t.api.withToken("GET", "/v2/account", s.token));
    const seconds = (Date.now() - startedAt) / 1000;
    t2.diagnostic(`fuzz on ${backend}: ${sent} generated requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)} req/s), seed ${SEED}`);
    assert.ok(sent >= total, `${sent} requests sent, ${total} asked for`);
  });
}

/** A failure report with long runs of one character or escape shortened (`a×70000`), so it stays readable. */
function compact(report: string): string {
  return report.replace(/((?:%[0-9A-F]{2})|(?:\\u[0-9a-f]{4})|[\s\S])\1{40,}/g, (run, unit: string) => `${unit}×${run.length / unit.length}`);
}

/** Writes `text` on a fresh TCP connection and returns whatever comes back before the close (at most 2 s). */
function rawExchange(base: URL, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: base.hostname, port: Number(base.port) });
    let reply = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(done, 2_000);
    socket.on("data", (d: Buffer) => {
      reply += d.toString("latin1");
      if (/^HTTP\/1\.[01] \d{3}/.test(reply) && reply.includes("\r\n\r\n")) {
        // One complete head is enough to judge; wait briefly for a body, then close.
        setTimeout(done, 20);
      }
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.end(text, "latin1");
  });
}
