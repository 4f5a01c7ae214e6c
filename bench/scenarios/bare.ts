/** The ceiling scenario: GET of a small JSON body from the bare node:http server. */
import { measure, toScenario } from "../load.js";
import type { ScenarioResult } from "../types.js";
import type { ScenarioContext } from "./context.js";

/**
 * The ceiling, measured first and again after each other server's scenarios (`after` names it):
 * a shared machine's speed can change during a run, and each server is compared with the bare
 * rate of its own time.
 */
export async function runBareScenarios(ctx: ScenarioContext, after?: string): Promise<ScenarioResult[]> {
  const stats = await measure(
    { url: ctx.url, connections: ctx.options.connections, durationSec: ctx.options.durationSec, request: { method: "GET", path: "/" } },
    ctx.options.warmupSec,
  );
  return after === undefined
    ? [toScenario("bare", "json", "GET small JSON (ceiling)", stats)]
    : [toScenario("bare", `json-after-${after}`, `GET small JSON (ceiling again, after ${after})`, stats)];
}
