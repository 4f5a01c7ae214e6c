/**
 * The peer's scenarios: `POST /api/auth/sign-in/anonymous` (a new user and session each time,
 * the match for Tessera's account-creating sign-in) and `GET /api/auth/get-session` with a
 * bearer token (the match for Tessera's token-verified requests).
 */
import { measure, toScenario } from "../load.js";
import type { ScenarioResult } from "../types.js";
import type { ScenarioContext } from "./context.js";

async function signInAnonymous(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-in/anonymous`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const token = res.headers.get("set-auth-token");
  await res.arrayBuffer();
  if (res.status !== 200 || !token) throw new Error(`better-auth anonymous sign-in failed: ${res.status}`);
  return token;
}

/** get-session answers 200 with `null` for an unknown token, so check once that the token works. */
async function checkSession(url: string, token: string): Promise<void> {
  const res = await fetch(`${url}/api/auth/get-session`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { session?: unknown } | null;
  if (res.status !== 200 || body === null || typeof body.session !== "object")
    throw new Error(`better-auth bearer token not accepted: ${res.status} ${JSON.stringify(body)}`);
}

export async function runBetterAuthScenarios(ctx: ScenarioContext): Promise<ScenarioResult[]> {
  const { connections, durationSec, warmupSec } = ctx.options;
  const base = { url: ctx.url, connections, durationSec };
  ctx.log("better-auth: sign-in/anonymous");
  const signIn = await measure(
    { ...base, request: { method: "POST", path: "/api/auth/sign-in/anonymous", headers: { "content-type": "application/json" }, body: "{}" } },
    warmupSec,
  );
  ctx.log("better-auth: get-session (bearer)");
  const token = await signInAnonymous(ctx.url);
  await checkSession(ctx.url, token);
  const getSession = await measure(
    { ...base, request: { method: "GET", path: "/api/auth/get-session", headers: { authorization: `Bearer ${token}` } } },
    warmupSec,
  );
  return [
    toScenario("better-auth", "sign-in-anonymous", "POST /api/auth/sign-in/anonymous (new user)", signIn),
    toScenario("better-auth", "get-session", "GET /api/auth/get-session (bearer)", getSession),
  ];
}
