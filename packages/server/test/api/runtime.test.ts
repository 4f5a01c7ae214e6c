/**
 * Runtime modules and server hooks, through real servers loading real module files: the seed
 * examples (test/fixtures/runtime), hook failures (null, thrown codes, plain errors, hangs, bad
 * shapes, failing after hooks), the `ctx` object, every route's hooks, the `nk` functions (tokens,
 * logout, disconnect, bans, accounts), a module compiled from TypeScript against the published
 * types, and start-up failures in process and through the real CLI.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startServer, type TesseraServer } from "../../src/app.js";
import type { BusMessage } from "../../src/cluster/bus.js";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { HOOK_NAMES } from "../../src/hooks/hook-registry.js";
import type { Nakama } from "../../src/hooks/runtime-types.js";
import { startFakeSteam, steamId } from "../support/fake-steam.js";
import { numericId, randomSubject, startFakeProviders, type FakeProviders } from "../support/fake-providers.js";
import { startFakeGameCenter, type FakeGameCenter } from "../support/fake-gamecenter.js";
import { instantGamesSettings, signedPlayerInfo } from "../support/instant-games.js";
import { Api, claimsOf, NO_SIGN_IN_LIMITS, recordingLogger, runCli, startTestServer, tempDir } from "../support/harness.js";
import { PASSWORD, UUID, assertError, assertUnauthorized, customId, deviceId, email, ok, username } from "../support/expect.js";

const TIMEOUT_MS = 300;
const SEED_DIR = fileURLToPath(new URL("../fixtures/runtime/", import.meta.url));
const TS_FIXTURE = fileURLToPath(new URL("../fixtures/runtime-ts/", import.meta.url));

const DEVICE = "/v2/account/authenticate/device";
const EMAIL = "/v2/account/authenticate/email";
const CUSTOM = "/v2/account/authenticate/custom";
const REFRESH = "/v2/account/session/refresh";
const ACCOUNT = "/v2/account";
const SESSIONS = "/v2/account/sessions";

const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Writes module files into a fresh temporary directory (a `runtime.path`). */
function moduleDir(files: Record<string, string>): string {
  const d = tempDir("tessera-runtime-");
  cleanups.push(() => d.remove());
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d.path, name)), { recursive: true });
    writeFileSync(join(d.path, name), text);
  }
  return d.path;
}

interface RuntimeServer {
  url: string;
  api: Api;
  server: TesseraServer;
  /** Every line the server logged, `LEVEL message {fields}`. */
  log: string[];
}

/** A real server on port 0 whose log lines are kept, so tests can check what was logged. */
async function start(runtimePath: string, settings: Record<string, string | number | boolean> = {}): Promise<RuntimeServer> {
  const data = tempDir();
  const { logger, lines: log } = recordingLogger();
  const config = loadConfig({
    env: {},
    overrides: { "socket.port": 0, data_dir: data.path, "runtime.path": runtimePath, "runtime.hook_timeout_ms": TIMEOUT_MS, ...NO_SIGN_IN_LIMITS, ...settings },
  });
  const server = await startServer(config, { logger });
  cleanups.push(async () => {
    await server.close();
    data.remove();
  });
  return { url: server.url, api: new Api(server.url), server, log };
}

/** The module instance the server loaded (Node caches modules by URL), to read what it exported. */
async function loaded<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(file).href)) as T;
}

async function signInDevice(api: Api, id = deviceId(), vars?: Record<string, string>) {
  return ok(await api.withKey(DEVICE, vars ? { id, vars } : { id }));
}

describe("seed examples (test/fixtures/runtime/seed-examples.js)", () => {
  let t: RuntimeServer;
  let observed: { getAccountVars: Record<string, string> | null; getAccountVarsFrozen: boolean | null; deviceSignIn: Record<string, unknown> | null };
  before(async () => {
    t = await start(SEED_DIR);
    observed = (await loaded<{ observed: typeof observed }>(join(SEED_DIR, "seed-examples.js"))).observed;
  });

  it("loads the module at start and logs through the module's logger", () => {
    assert.ok(
      t.log.some((l) => l.startsWith("INFO [runtime seed-examples.js] seed examples loaded (run_once)")),
      t.log.join("\n"),
    );
    assert.deepEqual([...t.server.core.hooks.before.keys()].sort(), ["AuthenticateEmail", "GetAccount", "SessionRefresh"]);
    assert.deepEqual([...t.server.core.hooks.after.keys()], ["AuthenticateDevice"]);
  });

  it("a before-AuthenticateEmail hook adds a var to the session's tokens", async () => {
    const s = ok(await t.api.withKey(EMAIL, { email: email(), password: PASSWORD, vars: { client_build: "120" } }));
    assert.deepEqual(claimsOf(s.token)["vrs"], { client_build: "120", email_domain: "example.com" });
    assert.deepEqual(claimsOf(s.refresh_token)["vrs"], { client_build: "120", email_domain: "example.com" });
  });

  it("a before-GetAccount hook sees the client's and the hook's vars in ctx.vars, frozen", async () => {
    const s = ok(await t.api.withKey(EMAIL, { email: email(), password: PASSWORD, vars: { client_build: "150" } }));
    observed.getAccountVars = null;
    const account = ok(await t.api.withToken("GET", ACCOUNT, s.token));
    assert.equal(account.user.id, claimsOf(s.token)["uid"]);
    assert.deepEqual(observed.getAccountVars, { client_build: "150", email_domain: "example.com" });
    assert.equal(observed.getAccountVarsFrozen, true);
  });

  it("the GetAccount hook refuses an outdated client with the code and message it throws", async () => {
    const s = ok(await t.api.withKey(EMAIL, { email: email(), password: PASSWORD, vars: { client_build: "50" } }));
    assertError(await t.api.withToken("GET", ACCOUNT, s.token), 400, "Client update required.", 9);
    assert.deepEqual(observed.getAccountVars, { client_build: "50", email_domain: "example.com" });
  });

  it("a before-SessionRefresh hook rewrites the vars the client sends", async () => {
    const s = ok(await t.api.withKey(EMAIL, { email: email(), password: PASSWORD, vars: { client_build: "120" } }));
    const r1 = ok(await t.api.withKey(REFRESH, { token: s.refresh_token, vars: { region: "EU", role: "admin" } }));
    assert.deepEqual(claimsOf(r1.token)["vrs"], { region: "eu" }, "role dropped, region normalised, replacing the old vars");
    // Only a disallowed var: the hook leaves {}, which keeps the session's vars.
    const r2 = ok(await t.api.withKey(REFRESH, { token: r1.refresh_token, vars: { role: "admin" } }));
    assert.deepEqual(claimsOf(r2.token)["vrs"], { region: "eu" });
  });

  it("an after-AuthenticateDevice hook sees the new session in ctx and the answer as data", async () => {
    const id = deviceId();
    const s = await signInDevice(t.api, id);
    const claims = claimsOf(s.token);
    assert.deepEqual(observed.deviceSignIn, { userId: claims["uid"], sessionId: claims["tid"], created: true, deviceId: id });
    ok(await t.api.withToken("GET", SESSIONS, s.token));
  });
});

const FAILURES = `
export function InitModule(ctx, logger, nk, initializer) {
  initializer.registerBeforeAuthenticateCustom((ctx, logger, nk, data) => {
    switch (data.account.id) {
      case "hook-null": return null;
      case "hook-undefined": return;
      case "hook-code": throw { code: 3, message: "nope" };
      case "hook-error-code": throw Object.assign(new Error("Taken by a moderator."), { code: 6 });
      case "hook-error": throw new Error("hook bug in a custom id check");
      case "hook-code-zero": throw { code: 0, message: "zero is not an error" };
      case "hook-string": throw "just a string";
      case "hook-hang": return new Promise(() => {});
      case "hook-slow-ok": return new Promise((resolve) => setTimeout(() => resolve(data), 50));
      case "hook-shape": return { account: { id: 42 } };
      case "hook-not-object": return "yes";
      case "hook-vars-shape": return { ...data, account: { ...data.account, vars: { k: 1 } } };
      case "hook-vars-list": return { ...data, account: { ...data.account, vars: ["v"] } };
      case "hook-create-shape": return { ...data, create: "yes" };
      case "hook-vars": return { ...data, account: { ...data.account, vars: Object.fromEntries(Array.from({ length: 40 }, (_, i) => ["k" + i, "v"])) } };
      case "hook-rewrite": return { ...data, account: { ...data.account, id: "rewritten-" + data.account.id.slice(5) } };
      default: return data;
    }
  });
  initializer.registerAfterAuthenticateDevice(() => { throw new Error("after hook bug"); });
  initializer.registerAfterGetAccount(() => new Promise(() => {}));
  initializer.registerAfterUpdateAccount(async (ctx, logger, nk, data, request) => { request.displayName = "changed by after"; throw { code: 3, message: "ignored" }; });
}
`;

describe("hook failures", () => {
  let t: RuntimeServer;
  let dir: string;
  before(async () => {
    dir = moduleDir({ "failures.mjs": FAILURES });
    t = await start(dir);
  });
  const custom = (id: string, query = "") => t.api.withKey(CUSTOM + query, { id });

  it("a before hook returning null or nothing answers 404 Requested resource was not found.", async () => {
    assertError(await custom("hook-null"), 404, "Requested resource was not found.", 5);
    assertError(await custom("hook-undefined"), 404, "Requested resource was not found.", 5);
  });

  it("a thrown {code, message} refuses the call with that code and message", async () => {
    const res = await custom("hook-code");
    assertError(res, 400, "nope", 3);
    assert.deepEqual(res.body, { code: 3, message: "nope" });
    assertError(await custom("hook-error-code"), 409, "Taken by a moderator.", 6);
  });

  it("a plain Error is a 500 naming the hook, logged with its stack, and the server keeps serving", async () => {
    const res = await custom("hook-error");
    assertError(res, 500, "Runtime hook before AuthenticateCustom failed; see the server log.", 13);
    assert.ok(!JSON.stringify(res.body).includes("hook bug"), "the hook's own message is not shown to the client");
    const line = t.log.find((l) => l.startsWith("ERROR runtime hook before AuthenticateCustom threw"));
    assert.ok(line, t.log.join("\n"));
    assert.match(line, /hook bug in a custom id check/);
    assert.match(line, /failures\.mjs:\d+/, "the stack points into the module");
    ok(await custom(customId()));
  });

  it("code 0, a thrown string and a result of the wrong shape are 500s naming the hook", async () => {
    assertError(await custom("hook-code-zero"), 500, "Runtime hook before AuthenticateCustom failed; see the server log.", 13);
    assertError(await custom("hook-string"), 500, "Runtime hook before AuthenticateCustom failed; see the server log.", 13);
    assert.ok(
      t.log.some((l) => l.includes("'just a string'")),
      "a non-Error throw is logged too",
    );
    assertError(await custom("hook-shape"), 500, "Runtime hook before AuthenticateCustom returned an invalid request: account.id must be a string.", 13);
    assertError(await custom("hook-not-object"), 500, "Runtime hook before AuthenticateCustom returned an invalid request: the request must be an object.", 13);
  });

  it("a wrong field inside the request is named as Nakama's runtime names it (the same schemas as the HTTP body)", async () => {
    const invalid = "Runtime hook before AuthenticateCustom returned an invalid request: ";
    assertError(await custom("hook-vars-shape"), 500, `${invalid}account.vars["k"] must be a string.`, 13);
    assertError(await custom("hook-vars-list"), 500, `${invalid}account.vars must be an object.`, 13);
    assertError(await custom("hook-create-shape"), 500, `${invalid}create must be true or false.`, 13);
  });

  it("vars a hook adds obey the same limits as a client's (400)", async () => {
    assertError(await custom("hook-vars"), 400, "Session vars invalid, at most 32 entries are allowed.", 3);
  });

  it("the request a hook returns is the one that runs", async () => {
    const s = ok(await custom("hook-rewrite"));
    const acc = await t.server.core.store.findAccountByIdentity({ provider: "custom", subject: "rewritten-rewrite" });
    assert.equal(acc?.id, claimsOf(s.token)["uid"]);
    // A hook that settles within the limit is awaited.
    ok(await custom("hook-slow-ok"));
  });

  it("a hanging hook fails its request with 504 after runtime.hook_timeout_ms; other requests go on", async () => {
    const started = Date.now();
    const hanging = custom("hook-hang");
    // While the hook hangs, the server answers others.
    const meanwhile = await custom(customId());
    const during = Date.now() - started;
    ok(meanwhile);
    const res = await hanging;
    const elapsed = Date.now() - started;
    assertError(res, 504, `Runtime hook before AuthenticateCustom timed out after ${TIMEOUT_MS} ms.`, 4);
    assert.ok(elapsed >= TIMEOUT_MS - 5, `answered after ${elapsed} ms`);
    assert.ok(elapsed < TIMEOUT_MS + 2000, `answered after ${elapsed} ms`);
    assert.ok(during < elapsed, "the other request was answered before the hanging one");
    assert.ok(t.log.some((l) => l.startsWith(`ERROR runtime hook before AuthenticateCustom did not settle within ${TIMEOUT_MS} ms`)));
    ok(await custom(customId())); // The next request works.
  });

  it("an after hook that throws leaves the answer unaffected", async () => {
    const s = await signInDevice(t.api);
    assert.match(claimsOf(s.token)["uid"], UUID);
    assert.ok(t.log.some((l) => l.startsWith("ERROR runtime hook after AuthenticateDevice threw; the answer is unaffected") && l.includes("after hook bug")));
    // Mutating the request and throwing a coded error in an after hook changes nothing either.
    ok(await t.api.withToken("PUT", ACCOUNT, s.token, { display_name: "Kept" }));
    const row = await t.server.core.store.getAccount(claimsOf(s.token)["uid"]);
    assert.equal(row?.displayName, "Kept");
  });

  it("an after hook that hangs delays the answer by at most the time limit, then it is sent unchanged", async () => {
    const s = await signInDevice(t.api);
    const started = Date.now();
    const account = ok(await t.api.withToken("GET", ACCOUNT, s.token));
    const elapsed = Date.now() - started;
    assert.equal(account.user.id, claimsOf(s.token)["uid"]);
    assert.ok(elapsed >= TIMEOUT_MS - 5 && elapsed < TIMEOUT_MS + 2000, `answered after ${elapsed} ms`);
    assert.ok(t.log.some((l) => l.startsWith(`ERROR runtime hook after GetAccount did not settle within ${TIMEOUT_MS} ms`)));
  });
});

const CONTEXTS = `
export const seen = [];
let saved;
export const initializer = () => saved;
export function InitModule(ctx, logger, nk, init) {
  saved = init;
  seen.push({ where: "init", ctx: { ...ctx }, frozen: Object.isFrozen(ctx) });
  init.registerBeforeAuthenticateCustom((ctx, logger, nk, data) => { seen.push({ where: "before-auth", ctx: { ...ctx } }); return data; });
  init.registerAfterAuthenticateCustom((ctx) => { seen.push({ where: "after-auth", ctx: { ...ctx, vars: { ...ctx.vars } } }); });
  init.registerBeforeGetAccount((ctx) => {
    let varsError = null, ctxError = null;
    try { ctx.vars.role = "admin"; } catch (e) { varsError = e.name; }
    try { ctx.userId = "00000000-0000-4000-8000-000000000000"; } catch (e) { ctxError = e.name; }
    seen.push({ where: "get-account", ctx: { ...ctx, vars: { ...ctx.vars } }, varsFrozen: Object.isFrozen(ctx.vars), varsError, ctxError });
  });
  init.registerBeforeUpdateAccount((ctx, logger, nk, data) => { ctx.vars.role = "admin"; return data; });
}
`;

describe("ctx", () => {
  let t: RuntimeServer;
  let file: string;
  let mod: { seen: { where: string; ctx: Record<string, any>; [k: string]: unknown }[]; initializer: () => Record<string, (fn: unknown) => void> };
  before(async () => {
    file = join(moduleDir({ "contexts.mjs": CONTEXTS }), "contexts.mjs");
    t = await start(join(file, ".."));
    mod = await loaded(file);
  });
  const last = (where: string) => [...mod.seen].reverse().find((s) => s.where === where)!;

  it("InitModule gets env, executionMode run_once, node and version, frozen", () => {
    const init = last("init");
    assert.deepEqual(Object.keys(init.ctx).sort(), ["env", "executionMode", "node", "version"]);
    assert.deepEqual(init.ctx["env"], {});
    assert.equal(init.ctx["executionMode"], "run_once");
    assert.equal(init.ctx["node"], "tessera");
    assert.equal(init["frozen"], true);
  });

  it("before an authentication there is no user; after it, the new session's user, vars, expiry and id", async () => {
    const s = ok(await t.api.withKey(CUSTOM, { id: customId(), vars: { a: "1" } }));
    const claims = claimsOf(s.token);
    const before = last("before-auth").ctx;
    assert.deepEqual(Object.keys(before).sort(), ["clientIp", "clientPort", "env", "executionMode", "node", "version"]);
    assert.equal(before["executionMode"], "before");
    assert.match(before["clientIp"], /127\.0\.0\.1/);
    assert.match(before["clientPort"], /^\d+$/);
    const afterCtx = last("after-auth").ctx;
    assert.equal(afterCtx["executionMode"], "after");
    assert.equal(afterCtx["userId"], claims["uid"]);
    assert.equal(afterCtx["username"], claims["usn"]);
    assert.deepEqual(afterCtx["vars"], { a: "1" });
    assert.equal(afterCtx["userSessionExp"], claims["exp"]);
    assert.equal(afterCtx["sessionId"], claims["tid"]);
  });

  it("an authenticated call's ctx carries the caller; ctx and ctx.vars are frozen and the token's vars unchanged", async () => {
    const s = ok(await t.api.withKey(CUSTOM, { id: customId(), vars: { tier: "gold" } }));
    const claims = claimsOf(s.token);
    ok(await t.api.withToken("GET", ACCOUNT, s.token));
    const seen = last("get-account");
    assert.equal(seen.ctx["userId"], claims["uid"]);
    assert.equal(seen.ctx["username"], claims["usn"]);
    assert.equal(seen.ctx["sessionId"], claims["tid"]);
    assert.equal(seen.ctx["userSessionExp"], claims["exp"]);
    assert.deepEqual(seen.ctx["vars"], { tier: "gold" });
    assert.equal(seen["varsFrozen"], true);
    assert.equal(seen["varsError"], "TypeError", "assigning to ctx.vars fails");
    assert.equal(seen["ctxError"], "TypeError", "assigning to ctx fails");

    ok(await t.api.withToken("GET", ACCOUNT, s.token));
    assert.deepEqual(last("get-account").ctx["vars"], { tier: "gold" }, "the next call sees the original vars");
    const refreshed = ok(await t.api.withKey(REFRESH, { token: s.refresh_token }));
    assert.deepEqual(claimsOf(refreshed.token)["vrs"], { tier: "gold" }, "the session's vars are unchanged");
  });

  it("a hook that does not catch the assignment fails its call with a 500, not a changed session", async () => {
    const s = ok(await t.api.withKey(CUSTOM, { id: customId(), vars: { tier: "gold" } }));
    assertError(
      await t.api.withToken("PUT", ACCOUNT, s.token, { display_name: "x" }),
      500,
      "Runtime hook before UpdateAccount failed; see the server log.",
      13,
    );
    assert.ok(t.log.some((l) => l.startsWith("ERROR runtime hook before UpdateAccount threw") && l.includes("TypeError")));
  });

  it("the initializer works only while InitModule runs", () => {
    assert.throws(() => mod.initializer().registerBeforeGetAccount!(() => {}), /hooks can only be registered while InitModule runs/);
  });
});

const RECORDER = (names: readonly string[]) => `
export const calls = [];
const copy = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
export function InitModule(ctx, logger, nk, initializer) {
  for (const name of ${JSON.stringify(names)}) {
    initializer["registerBefore" + name]((...args) => {
      calls.push({ mode: "before", name, argc: args.length, data: copy(args[3]), user: args[0].userId ?? null });
      return args[3];
    });
    initializer["registerAfter" + name]((...args) => {
      calls.push({ mode: "after", name, argc: args.length, data: copy(args[3]), request: copy(args[4]), user: args[0].userId ?? null });
    });
  }
}
`;

describe("every route runs its before and after hooks", () => {
  let t: RuntimeServer;
  let calls: { mode: string; name: string; argc: number; data: any; request?: any; user: string | null }[];
  let steam: Awaited<ReturnType<typeof startFakeSteam>>;
  let providers: FakeProviders;
  let gamecenter: FakeGameCenter;
  before(async () => {
    steam = await startFakeSteam();
    cleanups.push(() => steam.close());
    providers = await startFakeProviders({ oidc: ["acme"] });
    cleanups.push(() => providers.close());
    gamecenter = await startFakeGameCenter();
    cleanups.push(() => gamecenter.close());
    const dir = moduleDir({ "recorder.mjs": RECORDER(HOOK_NAMES) });
    t = await start(dir, { ...steam.settings(), ...providers.settings(), ...gamecenter.settings(), ...instantGamesSettings() });
    calls = (await loaded<{ calls: typeof calls }>(join(dir, "recorder.mjs"))).calls;
  });
  const find = (mode: string, name: string) => calls.find((c) => c.mode === mode && c.name === name);

  it("with Nakama's request shapes and answers", async () => {
    const dev = deviceId();
    const name = username("rec");
    const s = ok(await t.api.withKey(`${DEVICE}?username=${name}`, { id: dev, vars: { v: "1" } }));
    const uid = claimsOf(s.token)["uid"];
    const address = email();
    ok(await t.api.withKey(EMAIL, { email: address, password: PASSWORD }));
    ok(await t.api.withKey(CUSTOM, { id: customId() }));
    ok(await t.api.withKey("/v2/account/authenticate/anonymous", {}));
    const r = ok(await t.api.withKey(REFRESH, { token: s.refresh_token }));
    ok(await t.api.withToken("GET", ACCOUNT, r.token));
    ok(await t.api.withToken("PUT", ACCOUNT, r.token, { display_name: "Rec" }));
    const dev2 = deviceId();
    const linkedEmail = email();
    const cid = customId();
    ok(await t.api.withToken("POST", "/v2/account/link/device", r.token, { id: dev2 }));
    ok(await t.api.withToken("POST", "/v2/account/link/email", r.token, { email: linkedEmail, password: PASSWORD }));
    ok(await t.api.withToken("POST", "/v2/account/link/custom", r.token, { id: cid }));
    ok(await t.api.withToken("POST", "/v2/account/unlink/device", r.token, { id: dev2 }));
    ok(await t.api.withToken("POST", "/v2/account/unlink/email", r.token, { email: linkedEmail }));
    ok(await t.api.withToken("POST", "/v2/account/unlink/custom", r.token, { id: cid }));
    const player = { steamId: steamId() };
    const steamSignIn = steam.ticketFor(player);
    ok(await t.api.withKey("/v2/account/authenticate/steam?sync=true", { token: steamSignIn, vars: { s: "1" } }));
    const steamLink = steam.ticketFor({ steamId: steamId() });
    ok(await t.api.withToken("POST", "/v2/account/link/steam", r.token, { account: { token: steamLink }, sync: true }));
    ok(await t.api.withToken("POST", "/v2/account/unlink/steam", r.token, { token: "" }));
    // Every other provider: sign in, then link to and unlink from the same account.
    const fb = { id: numericId(), name: "Rec" };
    const credentials: [string, () => Promise<Record<string, unknown>>][] = [
      ["apple", async () => ({ token: await providers.appleToken({ sub: randomSubject() }) })],
      ["google", async () => ({ token: await providers.googleIdToken({ sub: randomSubject() }) })],
      ["facebook", async () => ({ token: providers.facebookAccessToken({ ...fb, id: numericId() }) })],
      ["facebookinstantgame", async () => ({ signed_player_info: signedPlayerInfo(numericId()) })],
      ["gamecenter", async () => gamecenter.credentialFor(`T:_rec-${randomUUID()}`)],
      ["oidc/acme", async () => ({ token: await providers.oidcToken("acme", { sub: randomSubject() }) })],
    ];
    for (const [path, credential] of credentials) {
      ok(await t.api.withKey(`/v2/account/authenticate/${path}`, await credential()), `authenticate ${path}`);
      ok(await t.api.withToken("POST", `/v2/account/link/${path}`, r.token, await credential()), `link ${path}`);
      ok(await t.api.withToken("POST", `/v2/account/unlink/${path}`, r.token, {}), `unlink ${path}`);
    }
    ok(await t.api.withToken("GET", SESSIONS, r.token));
    const other = await signInDevice(t.api, dev);
    ok(await t.api.withToken("DELETE", `${SESSIONS}/${claimsOf(other.token)["tid"]}`, r.token));
    // Code-Link: a device generates a code, the player reads and confirms it, the device signs in.
    const verifier = `v${randomUUID()}${randomUUID()}`.replaceAll("-", "");
    const generated = ok(await t.api.withKey("/v2/account/code-link/generate", { code_challenge: createHash("sha256").update(verifier).digest("hex") }));
    ok(await t.api.withToken("POST", "/v2/account/code-link/info", r.token, { sign_in_code: generated.sign_in_code }));
    ok(await t.api.withToken("POST", "/v2/account/code-link/confirm", r.token, { sign_in_code: generated.sign_in_code }));
    ok(await t.api.withKey("/v2/account/code-link/sign-in", { code_link_session_id: generated.code_link_session_id, code_verifier: verifier }));
    ok(await t.api.withToken("POST", "/v2/session/logout", r.token, { token: r.token }));
    const last = await signInDevice(t.api, dev);
    ok(await t.api.withToken("DELETE", ACCOUNT, last.token));

    for (const hook of HOOK_NAMES) {
      assert.ok(find("before", hook), `before ${hook} ran`);
      assert.ok(find("after", hook), `after ${hook} ran`);
    }

    assert.deepEqual(find("before", "AuthenticateDevice"), {
      mode: "before",
      name: "AuthenticateDevice",
      argc: 4,
      user: null,
      data: { account: { id: dev, vars: { v: "1" } }, create: true, username: name },
    });
    const afterDevice = find("after", "AuthenticateDevice")!;
    assert.equal(afterDevice.user, uid);
    assert.deepEqual(afterDevice.data, { created: true, token: s.token, refreshToken: s.refresh_token });
    assert.deepEqual(afterDevice.request, { account: { id: dev, vars: { v: "1" } }, create: true, username: name });
    assert.deepEqual(find("before", "AuthenticateEmail")!.data, { account: { email: address, password: PASSWORD, vars: {} }, create: true, username: "" });
    assert.deepEqual(find("before", "AuthenticateAnonymous")!.data, { account: { vars: {} }, create: true, username: "" });
    assert.deepEqual(find("before", "SessionRefresh")!.data, { token: s.refresh_token, vars: {} });
    assert.equal(find("before", "SessionRefresh")!.user, null, "no user before a refresh");
    assert.deepEqual(find("after", "SessionRefresh")!.data, { created: false, token: r.token, refreshToken: r.refresh_token });
    assert.equal(find("after", "SessionRefresh")!.user, uid);

    const getBefore = find("before", "GetAccount")!;
    assert.equal(getBefore.argc, 3, "a call without input passes no data");
    assert.equal(getBefore.user, uid);
    const getAfter = find("after", "GetAccount")!;
    assert.equal(getAfter.data.user.id, uid);
    assert.equal(getAfter.data.user.username, name);
    assert.equal(typeof getAfter.data.user.createTime, "string", "Nakama's runtime names");
    assert.equal(getAfter.data.user.create_time, undefined);
    assert.deepEqual(getAfter.data.devices, [{ id: dev }]);

    assert.deepEqual(find("before", "UpdateAccount")!.data, {
      username: null,
      displayName: "Rec",
      avatarUrl: null,
      langTag: null,
      location: null,
      timezone: null,
    });
    assert.equal(find("after", "UpdateAccount")!.data, undefined, "calls answering {} give after hooks no data");
    assert.deepEqual(find("before", "LinkDevice")!.data, { id: dev2 });
    assert.deepEqual(find("before", "LinkEmail")!.data, { email: linkedEmail, password: PASSWORD });
    assert.deepEqual(find("before", "UnlinkEmail")!.data, { email: linkedEmail, password: "" });
    assert.deepEqual(find("before", "LinkCustom")!.data, { id: cid });
    assert.deepEqual(find("before", "AuthenticateSteam")!.data, { account: { token: steamSignIn, vars: { s: "1" } }, create: true, username: "", sync: true });
    assert.equal(find("after", "AuthenticateSteam")!.data.created, true);
    assert.deepEqual(find("before", "LinkSteam")!.data, { account: { token: steamLink, vars: {} }, sync: true });
    assert.deepEqual(find("before", "UnlinkSteam")!.data, { token: "", vars: {} });
    assert.deepEqual(find("before", "DeleteSession")!.data, { sessionId: claimsOf(other.token)["tid"] });
    assert.deepEqual(find("before", "SessionLogout")!.data, { token: r.token, refreshToken: "" });
    const listed = find("after", "ListSessions")!.data;
    assert.ok(listed.sessions.length >= 1);
    assert.deepEqual(Object.keys(listed.sessions[0]).sort(), ["clientIp", "createTime", "current", "expireTime", "id", "lastRefreshTime", "userAgent"]);
    assert.equal(find("after", "DeleteAccount")!.user, claimsOf(last.token)["uid"]);
  });
});

describe("without runtime.path", () => {
  it("the hook registry is empty and routes answer as before", async () => {
    const t = await startTestServer();
    try {
      assert.equal(t.server.core.hooks.before.size, 0);
      assert.equal(t.server.core.hooks.after.size, 0);
      assert.deepEqual(t.server.core.hooks.modules, []);
      const s = await t.api.device(deviceId());
      ok(await t.api.withToken("GET", ACCOUNT, s.token));
    } finally {
      await t.close();
    }
  });
});

const NK_MODULE = `
let api;
export const nk = () => api;
export function InitModule(ctx, logger, nk, initializer) {
  api = nk;
  // A hook using nk: a player asking for a ban is banned and the call refused.
  initializer.registerBeforeUpdateAccount(async (ctx, logger, nk, data) => {
    if (data.displayName !== "ban me") return data;
    await nk.usersBanId([ctx.userId]);
    return null;
  });
}
`;

describe("nk", () => {
  let t: RuntimeServer;
  let nk: Nakama;
  before(async () => {
    const dir = moduleDir({ "nk.mjs": NK_MODULE });
    t = await start(dir);
    nk = (await loaded<{ nk: () => Nakama }>(join(dir, "nk.mjs"))).nk();
  });
  const uidOf = (s: { token: string }): string => claimsOf(s.token)["uid"];
  const rejects = async (p: Promise<unknown>, check: (err: any) => void) => {
    const err = await p.then(
      () => assert.fail("expected a rejection"),
      (e: unknown) => e,
    );
    check(err);
  };

  it("authenticateTokenGenerate issues a working, listed, revocable access token", async () => {
    const name = username("gen");
    const s = ok(await t.api.withKey(`${DEVICE}?username=${name}`, { id: deviceId() }));
    const uid = uidOf(s);
    const nowSec = Math.floor(Date.now() / 1000);
    const generated = await nk.authenticateTokenGenerate(uid, null, nowSec + 120, { source: "runtime" });
    assert.deepEqual(Object.keys(generated).sort(), ["exp", "token"]);
    assert.equal(generated.exp, nowSec + 120);
    const claims = claimsOf(generated.token);
    assert.equal(claims["uid"], uid);
    assert.equal(claims["usn"], name);
    assert.deepEqual(claims["vrs"], { source: "runtime" });
    assert.equal(claims["exp"], nowSec + 120);
    assert.equal(claims["rgn"], undefined, "an access token");

    const account = ok(await t.api.withToken("GET", ACCOUNT, generated.token));
    assert.equal(account.user.id, uid);

    const listed = await nk.sessionsList(uid);
    assert.ok(
      listed.some((x) => x.id === claims["tid"]),
      "listed by nk.sessionsList",
    );
    const own = ok(await t.api.withToken("GET", SESSIONS, s.token)).sessions;
    assert.ok(
      own.some((x: { id: string }) => x.id === claims["tid"]),
      "listed to the player",
    );

    ok(await t.api.withToken("DELETE", `${SESSIONS}/${claims["tid"]}`, s.token));
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, generated.token), "Auth token invalid", "Bearer");

    const defaulted = await nk.authenticateTokenGenerate(uid);
    const d = claimsOf(defaulted.token);
    assert.equal(d["exp"] - d["iat"], 3600, "session.token_expiry_sec by default");
    assert.equal(d["vrs"], undefined);
  });

  it("authenticateTokenGenerate checks its arguments and the account", async () => {
    const uid = uidOf(await signInDevice(t.api));
    await rejects(nk.authenticateTokenGenerate("nope"), (e) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /^nk\.authenticateTokenGenerate: expects userId to be a UUID string/);
    });
    await rejects(nk.authenticateTokenGenerate(uid, null, 1000), (e) => assert.match(e.message, /expiresAt \(1000\) is not in the future/));
    await rejects(nk.authenticateTokenGenerate(uid, null, null, { bad: 1 } as never), (e) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /Session var "bad" must be a string/);
    });
    await rejects(nk.authenticateTokenGenerate(randomUUID()), (e) => assert.equal(e.code, 5));
  });

  it("sessionsList has the fields of GET /v2/account/sessions", async () => {
    const s = await signInDevice(t.api);
    const viaHttp = ok(await t.api.withToken("GET", SESSIONS, s.token)).sessions;
    const viaNk = await nk.sessionsList(uidOf(s));
    assert.deepEqual(
      viaNk,
      viaHttp.map((x: { current: boolean }) => ({ ...x, current: false })),
    );
    await rejects(nk.sessionsList(42 as never), (e) => assert.ok(e instanceof TypeError));
  });

  it("sessionLogout ends the given token's session, or with none every session", async () => {
    const id = deviceId();
    const a = await signInDevice(t.api, id);
    const b = await signInDevice(t.api, id);
    const c = await signInDevice(t.api, id);
    await nk.sessionLogout(uidOf(a), a.token);
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, a.token), "Auth token invalid", "Bearer");
    ok(await t.api.withToken("GET", ACCOUNT, b.token));
    await nk.sessionLogout(uidOf(a), null, b.refresh_token);
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, b.token), "Auth token invalid", "Bearer");
    ok(await t.api.withToken("GET", ACCOUNT, c.token));
    await rejects(nk.sessionLogout(uidOf(a), (await signInDevice(t.api)).token), (e) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /^nk\.sessionLogout: Session token invalid\./);
    });
    await nk.sessionLogout(uidOf(a));
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, c.token), "Auth token invalid", "Bearer");
    assert.deepEqual(await nk.sessionsList(uidOf(a)), []);
  });

  it("sessionDisconnect announces the disconnect on the bus and leaves the session valid", async () => {
    const s = await signInDevice(t.api);
    const sid = claimsOf(s.token)["tid"];
    const messages: BusMessage[] = [];
    const unsubscribe = t.server.core.bus.subscribe((m) => messages.push(m));
    try {
      await nk.sessionDisconnect(sid, "kicked by moderator");
      await nk.sessionDisconnect(sid.toUpperCase(), 4);
      await nk.sessionDisconnect(sid);
    } finally {
      unsubscribe();
    }
    assert.deepEqual(messages, [
      { type: "session_disconnect", sessionId: sid, reason: "kicked by moderator" },
      { type: "session_disconnect", sessionId: sid, reason: "disconnect" },
      { type: "session_disconnect", sessionId: sid, reason: "disconnect" },
    ]);
    ok(await t.api.withToken("GET", ACCOUNT, s.token));
    await rejects(nk.sessionDisconnect(sid, 9), (e) => assert.match(e.message, /reason must be 0-4/));
    await rejects(nk.sessionDisconnect("x"), (e) => assert.ok(e instanceof TypeError));
  });

  it("usersBanId refuses the account's tokens at once and sign-in with 403; usersUnbanId lets it sign in, old tokens stay refused", async () => {
    const id = deviceId();
    const s1 = await signInDevice(t.api, id);
    const s2 = await signInDevice(t.api, id);
    const uid = uidOf(s1);
    ok(await t.api.withToken("GET", ACCOUNT, s1.token));

    await nk.usersBanId([uid]);
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, s1.token), "Auth token invalid", "Bearer");
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, s2.token), "Auth token invalid", "Bearer");
    assertError(await t.api.withKey(DEVICE, { id }), 403, "User account banned.", 7);
    assertError(await t.api.withKey(REFRESH, { token: s2.refresh_token }), 403, "User account banned.", 7);
    const banned = await nk.accountGetId(uid);
    assert.match(banned.disable_time ?? "", /^\d{4}-\d{2}-\d{2}T/);
    await rejects(nk.authenticateTokenGenerate(uid), (e) => assert.equal(e.code, 7));

    await nk.usersUnbanId([uid]);
    const s3 = await signInDevice(t.api, id);
    ok(await t.api.withToken("GET", ACCOUNT, s3.token));
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, s1.token), "Auth token invalid", "Bearer");
    assertError(await t.api.withKey(REFRESH, { token: s1.refresh_token }), 401, "Refresh token invalid or expired.", 16);
    assert.equal((await nk.accountGetId(uid)).disable_time, undefined);
  });

  it("a hook can ban through nk: the caller's token is refused on its next call", async () => {
    const s = await signInDevice(t.api);
    assertError(await t.api.withToken("PUT", ACCOUNT, s.token, { display_name: "ban me" }), 404, "Requested resource was not found.", 5);
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, s.token), "Auth token invalid", "Bearer");
  });

  it("usersBanId checks ids, reports unknown accounts after banning the others", async () => {
    await rejects(nk.usersBanId("x" as never), (e) => assert.match(e.message, /^nk\.usersBanId: expects an array of user ids/));
    await rejects(nk.usersBanId(["not-a-uuid"]), (e) => assert.ok(e instanceof TypeError));
    const known = await signInDevice(t.api);
    const unknown = randomUUID();
    await rejects(nk.usersBanId([uidOf(known), unknown]), (e) => {
      assert.equal(e.code, 5);
      assert.match(e.message, new RegExp(`no account with id ${unknown} \\(the other accounts were done\\)`));
    });
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, known.token), "Auth token invalid", "Bearer");
    await nk.usersBanId([]);
  });

  it("accountGetId answers as GET /v2/account; accountDeleteId deletes the account and its sessions", async () => {
    const s = await signInDevice(t.api);
    const uid = uidOf(s);
    const viaHttp = ok(await t.api.withToken("GET", ACCOUNT, s.token));
    assert.deepEqual(await nk.accountGetId(uid), viaHttp);
    await nk.accountDeleteId(uid);
    assertUnauthorized(await t.api.withToken("GET", ACCOUNT, s.token), "Auth token invalid", "Bearer");
    await rejects(nk.accountGetId(uid), (e) => assert.equal(e.code, 5));
    await rejects(nk.accountDeleteId("nope"), (e) => assert.ok(e instanceof TypeError));
  });

  it("license, ticket, game-server and key functions act through the same domain as the API", async () => {
    const owner = uidOf(await signInDevice(t.api));
    const player = await signInDevice(t.api);
    const borrower = uidOf(player);
    await nk.licenseGrant(owner, Math.floor(Date.now() / 1000) + 3600);
    await nk.licenseLend(owner, borrower);
    const lent = await nk.licensesGet(borrower);
    assert.deepEqual([lent.owns_app, lent.owner_id, lent.is_borrowed], [true, owner, true]);
    assert.equal((await nk.licensesGet(owner)).lent_to[0]?.user_id, borrower);
    await nk.licenseLoanEnd(owner, borrower);
    assert.equal((await nk.licensesGet(borrower)).is_borrowed, false);
    await nk.licenseRevoke(owner);
    assert.equal((await nk.licensesGet(owner)).license, undefined);
    await rejects(nk.licenseGrant(owner, 5), (e) => assert.match(e.message, /^nk\.licenseGrant: expects expiresAt/));
    await rejects(nk.licenseLend(owner, "x"), (e) => assert.ok(e instanceof TypeError));

    ok(await t.api.withToken("POST", "/v2/tickets", player.token, {}));
    ok(await t.api.withToken("POST", "/v2/tickets", player.token, {}));
    assert.equal(await nk.authTicketsCancel(borrower), 2);
    assert.deepEqual(ok(await t.api.withToken("GET", "/v2/tickets", player.token)).tickets, []);

    const created = await nk.gameServerCreate("nk-server");
    assert.ok(created.secret.length >= 32);
    assert.deepEqual(
      (await nk.gameServersList()).map((g) => g.identity),
      ["nk-server"],
    );
    ok(await t.api.withKey("/v2/tickets/server/authenticate", { identity: "nk-server", secret: created.secret }));
    await nk.gameServerDelete("nk-server");
    assert.deepEqual(await nk.gameServersList(), []);

    const kid = await nk.ticketKeyRotate();
    assert.equal(ok(await t.api.call("GET", "/.well-known/jwks.json")).keys[0].kid, kid);

    await nk.usersBanId([owner], { kind: "vac", reason: "wallhack" });
    const account = await t.server.core.store.getAccount(owner);
    assert.deepEqual([account?.banKind, account?.banReason], ["vac", "wallhack"]);
    await rejects(nk.usersBanId([owner], { kind: "forever" as never }), (e) => assert.match(e.message, /kind to be "publisher" or "vac"/));
  });
});

describe("documentation examples", () => {
  const codeBlock = (file: string, heading: string, lang: string): string => {
    const text = readFileSync(fileURLToPath(new URL(file, import.meta.url)), "utf8");
    const from = text.indexOf(heading);
    assert.ok(from !== -1, `${heading} in ${file}`);
    const block = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(text.slice(from));
    assert.ok(block, `a ${lang} block under ${heading}`);
    return block[1]!;
  };

  it("the README's module runs as printed", async () => {
    const dir = moduleDir({ "main.mjs": codeBlock("../../../../README.md", "## Extend it with runtime modules", "js") });
    const t = await start(dir);
    const s = await signInDevice(t.api, deviceId(), { build: "7" });
    assert.deepEqual(claimsOf(s.token)["vrs"], { build: "7", region: "eu" });
  });

  it("docs/runtime.md's JavaScript module runs as printed", async () => {
    const dir = moduleDir({ "main.mjs": codeBlock("../../../../docs/runtime.md", "## Writing a module in JavaScript", "js") });
    const t = await start(dir);
    const old = ok(await t.api.withKey(EMAIL, { email: "old@Example.com", password: PASSWORD }));
    assert.deepEqual(claimsOf(old.token)["vrs"], { email_domain: "Example.com" });
    assertError(await t.api.withToken("GET", ACCOUNT, old.token), 400, "Client update required.", 9);
    const fresh = ok(await t.api.withKey(EMAIL, { email: email(), password: PASSWORD, vars: { client_build: "100" } }));
    ok(await t.api.withToken("GET", ACCOUNT, fresh.token));
    await signInDevice(t.api);
    assert.ok(
      t.log.some((l) => /^INFO \[runtime main\.mjs\] device sign-in of [0-9a-f-]{36} \(new account: true\)$/.test(l)),
      t.log.join("\n"),
    );
  });
});

describe("a module written in TypeScript (test/fixtures/runtime-ts)", () => {
  it("compiles against @tessera/server/runtime and runs", async () => {
    const out = tempDir("tessera-runtime-ts-");
    cleanups.push(() => out.remove());
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [tsc, "-p", join(TS_FIXTURE, "tsconfig.json"), "--outDir", out.path], { timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`tsc failed (is the server built? npm run build):\n${stdout}${stderr}`)) : resolve(),
      ),
    );
    const t = await start(out.path);
    const s = ok(await t.api.withKey(CUSTOM, { id: customId(), vars: { a: "b" } }));
    assert.deepEqual(claimsOf(s.token)["vrs"], { a: "b", compiled_from: "typescript" });
    ok(await t.api.withToken("GET", SESSIONS, s.token));
    const mod = await loaded<{ lastSessionCount: number }>(join(out.path, "main.mjs"));
    assert.equal(mod.lastSessionCount, 1);
  });
});

describe("start-up failures", () => {
  const failsToStart = async (files: Record<string, string>, message: RegExp): Promise<string> => {
    const dir = moduleDir(files);
    const err = await startTestServer({ "runtime.path": dir }).then(
      async (t) => {
        await t.close();
        return assert.fail("the server started");
      },
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.setting, "runtime.path");
    assert.match(err.message, /^Invalid configuration: runtime\.path: /);
    assert.match(err.message, message);
    assert.ok(!err.message.includes("\n"), "one line");
    return dir;
  };
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  it("a syntax error names the file and line (.mjs, checked by Node)", async () => {
    const dir = moduleDir({
      "a-good.mjs": "export function InitModule() {}\n",
      "b-broken.mjs": "export function InitModule() {\n  return 1;\n}\nlet = = 3;\n",
    });
    const err = await startTestServer({ "runtime.path": dir }).then(
      () => assert.fail("started"),
      (e: unknown) => e as ConfigError,
    );
    assert.match(err.message, new RegExp(`runtime\\.path: ${esc(join(dir, "b-broken.mjs"))}:4: SyntaxError: `));
  });

  it("a syntax error names the file and line (.js)", async () => {
    await failsToStart({ "broken.js": "export function InitModule() {\n  const x = ;\n}\n" }, /broken\.js:2: SyntaxError: /);
  });

  it("a syntax error in an imported helper names the module and says where", async () => {
    await failsToStart(
      { "main.mjs": 'import { x } from "./lib/helper.mjs";\nexport function InitModule() { return x; }\n', "lib/helper.mjs": "export const x = ;\n" },
      /main\.mjs: SyntaxError: .* \(the file itself parses: the error is in a module it imports\)$/,
    );
  });

  it("a missing import, a missing InitModule, a throwing InitModule, a missing directory", async () => {
    await failsToStart(
      { "imports.mjs": 'import "./nowhere.mjs";\nexport function InitModule() {}\n' },
      /imports\.mjs: Error: Cannot find module .*nowhere\.mjs/,
    );
    await failsToStart({ "plain.mjs": "export const InitModul = 1;\n" }, /plain\.mjs: does not export an InitModule function/);
    await failsToStart(
      {
        "throws.mjs":
          'export function InitModule(ctx, logger, nk, initializer) {\n  initializer.registerBeforeGetAccount(() => {});\n  throw new Error("no config");\n}\n',
      },
      /throws\.mjs:3: InitModule failed: Error: no config/,
    );
    await failsToStart(
      { "async.mjs": "export async function InitModule() {\n  await null;\n  throw { code: 3, message: 'async no' };\n}\n" },
      /async\.mjs: InitModule failed: \{ code: 3, message: 'async no' \}/,
    );
    await failsToStart(
      { "badreg.mjs": "export function InitModule(ctx, logger, nk, initializer) {\n  initializer.registerBeforeGetAccount('not a function');\n}\n" },
      /badreg\.mjs:2: InitModule failed: TypeError: initializer\.registerBeforeGetAccount: expects a function/,
    );
    const missing = join(tempDir().path, "nope");
    const err = await startTestServer({ "runtime.path": missing }).then(
      () => assert.fail("started"),
      (e: unknown) => e as ConfigError,
    );
    assert.equal(err.message, `Invalid configuration: runtime.path: ${missing}: no such directory`);
  });

  it("through the real CLI: exit code 2 and the file:line of the syntax error", async () => {
    const dir = moduleDir({ "broken.mjs": "export function InitModule() {}\n\nconst = 1;\n" });
    const data = tempDir();
    cleanups.push(() => data.remove());
    const res = await runCli(["serve", "--port", "0", "--data-dir", data.path, "--runtime.path", dir]);
    assert.equal(res.code, 2, res.output);
    assert.ok(res.output.includes(`tessera: Invalid configuration: runtime.path: ${join(dir, "broken.mjs")}:3: SyntaxError: `), res.output);
    assert.ok(!res.output.includes("listening on"), res.output);
  });
});
