/**
 * Tessera's scenarios, the same on every store: device sign-in creating an account, device
 * sign-in of an existing account, GET /v2/account, refresh and logout (each request a fresh
 * session from a pool, never reused), realtime socket connects, ticket issue and validation.
 */
import type { AutocannonRequest } from "autocannon";
import { measure, runLoad, toScenario, type LoadStats } from "../load.js";
import type { ScenarioResult, ServerName } from "../types.js";
import type { ScenarioContext } from "./context.js";
import { measureConnects } from "./realtime.js";
import { basicAuth, mintSessions, SessionPool } from "./session-pool.js";
import { runTicketScenarios } from "./tickets.js";

export interface TesseraContext extends ScenarioContext {
  server: Extract<ServerName, "tessera-sqlite" | "tessera-postgres">;
  serverKey: string;
}

/** Accounts created up front for the "existing account" sign-ins and the pools. */
const EXISTING_ACCOUNTS = 200;
/** Pool size over the expected requests (rate seen in warm-up x duration); runs used 60-75% of it. */
const POOL_MARGIN = 1.5;
/** Quick runs trade some margin for time; an exhausted pool still shows as FAILED, never as reuse. */
const QUICK_POOL_MARGIN = 1.3;

function deviceId(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(8, "0")}`;
}

async function signIn(url: string, serverKey: string, id: string): Promise<{ token: string; refresh_token: string }> {
  const res = await fetch(`${url}/v2/account/authenticate/device?create=true`, {
    method: "POST",
    headers: { authorization: basicAuth(serverKey), "content-type": "application/json" },
    body: JSON.stringify({ id }),
  });
  const body = (await res.json()) as { token?: unknown; refresh_token?: unknown };
  if (res.status !== 200 || typeof body.token !== "string" || typeof body.refresh_token !== "string") {
    throw new Error(`Tessera device sign-in failed: ${res.status} ${JSON.stringify(body)}`);
  }
  return { token: body.token, refresh_token: body.refresh_token };
}

export async function runTesseraScenarios(ctx: TesseraContext): Promise<ScenarioResult[]> {
  const { connections, durationSec, warmupSec } = ctx.options;
  const { url, server, serverKey } = ctx;
  const basic = basicAuth(serverKey);
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const results: ScenarioResult[] = [];
  const pool = new SessionPool();
  const margin = ctx.options.mode === "quick" ? QUICK_POOL_MARGIN : POOL_MARGIN;

  // Existing accounts, created with plain requests before anything is measured.
  const existing = Array.from({ length: EXISTING_ACCOUNTS }, (_, n) => deviceId(`bench-existing-${run}`, n));
  for (let i = 0; i < existing.length; i += 20) await Promise.all(existing.slice(i, i + 20).map((id) => signIn(url, serverKey, id)));

  // Sessions the sign-in scenarios create are unused: they feed the refresh and logout pools.
  const collect = (status: number, body: string): void => {
    if (status === 200) pool.addBody(body);
  };
  const signInHeaders = { authorization: basic, "content-type": "application/json" };

  ctx.log(`${server}: device sign-in, creating`);
  let created = 0;
  const create: AutocannonRequest = {
    method: "POST",
    path: "/v2/account/authenticate/device?create=true",
    headers: signInHeaders,
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ id: deviceId(`bench-new-${run}`, created++) }) }),
    onResponse: collect,
  };
  results.push(
    toScenario(server, "sign-in-create", "device sign-in, new account", await measure({ url, connections, durationSec, request: create }, warmupSec)),
  );

  ctx.log(`${server}: device sign-in, existing account`);
  let signIns = 0;
  const existingSignIn: AutocannonRequest = {
    method: "POST",
    path: "/v2/account/authenticate/device?create=false",
    headers: signInHeaders,
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ id: existing[signIns++ % existing.length] }) }),
    onResponse: collect,
  };
  const existingStats = await measure({ url, connections, durationSec, request: existingSignIn }, warmupSec);
  results.push(toScenario(server, "sign-in-existing", "device sign-in, existing account", existingStats));

  ctx.log(`${server}: GET /v2/account`);
  const reader = await signIn(url, serverKey, existing[0]!);
  const account: AutocannonRequest = { method: "GET", path: "/v2/account", headers: { authorization: `Bearer ${reader.token}` } };
  results.push(toScenario(server, "account", "GET /v2/account (bearer)", await measure({ url, connections, durationSec, request: account }, warmupSec)));

  /** A scenario that consumes one pool session per request: warm up, size the pool, measure. */
  const pooled = async (key: string, label: string, build: (req: AutocannonRequest) => AutocannonRequest): Promise<ScenarioResult> => {
    ctx.log(`${server}: ${label}`);
    const request: AutocannonRequest = { method: "POST", headers: { "content-type": "application/json" }, setupRequest: build };
    const mint = (count: number): Promise<void> => mintSessions(pool, { url, serverKey, deviceIds: existing, count, connections });
    const warmNeed = Math.ceil(existingStats.reqPerSec * warmupSec * margin) + connections;
    if (pool.remaining < warmNeed) await mint(warmNeed - pool.remaining);
    const warm = await runLoad({ url, connections, durationSec: warmupSec, request, amount: pool.remaining });
    const need = Math.ceil(Math.max(warm.reqPerSec, existingStats.reqPerSec) * durationSec * margin) + connections;
    if (pool.remaining < need) {
      ctx.log(`${server}: minting ${need - pool.remaining} sessions for ${key}`);
      await mint(need - pool.remaining);
    }
    const stats = await runLoad({ url, connections, durationSec, request, amount: need });
    return toScenario(server, key, label, stats, `pool of ${need} fresh sessions`);
  };

  results.push(
    await pooled("refresh", "refresh (fresh refresh token each)", (req): AutocannonRequest => {
      const s = pool.take();
      // An empty pool sends a request that cannot succeed, so exhaustion shows as non-2xx, never as reuse.
      if (!s) return { ...req, path: "/v2/account/session/refresh", headers: { "content-type": "application/json" }, body: "{}" };
      return {
        ...req,
        path: "/v2/account/session/refresh",
        headers: { authorization: basic, "content-type": "application/json" },
        body: JSON.stringify({ token: s.refresh_token }),
      };
    }),
  );
  results.push(
    await pooled("logout", "logout (fresh session each)", (req): AutocannonRequest => {
      const s = pool.take();
      if (!s) return { ...req, path: "/v2/session/logout", headers: { "content-type": "application/json" }, body: "{}" };
      // `token` names this one session; without it logout would end every session of the account.
      return {
        ...req,
        path: "/v2/session/logout",
        headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
        body: JSON.stringify({ token: s.token }),
      };
    }),
  );

  ctx.log(`${server}: realtime socket connects`);
  const wsUrl = url.replace(/^http/, "ws") + "/ws";
  const tokens: string[] = [];
  for (let i = 0; i < connections; i++) tokens.push((await signIn(url, serverKey, existing[(i + 1) % existing.length]!)).token);
  await measureConnects({ wsUrl, tokens, durationSec: warmupSec });
  const sockets: LoadStats = await measureConnects({ wsUrl, tokens, durationSec });
  const socketResult = toScenario(server, "ws-connect", "realtime socket connect (open+close)", sockets, `${connections} concurrent connect loops`);
  results.push({ ...socketResult, unit: "connects/s" });

  const issuers: string[] = [];
  for (let i = 0; i < 1000; i += 20) {
    const batch = await Promise.all(Array.from({ length: 20 }, (_, k) => signIn(url, serverKey, existing[(i + k) % existing.length]!)));
    issuers.push(...batch.map((s) => s.token));
  }
  results.push(...(await runTicketScenarios(ctx, issuers)));
  return results;
}
