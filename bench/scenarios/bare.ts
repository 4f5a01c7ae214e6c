/** The ceiling scenario: GET of a small JSON body from the bare node:http server. */
import { measure, toScenario } from "../load.js";
import type { ScenarioResult } from "../types.js";
import type { ScenarioContext } from "./context.js";

export async function runBareScenarios(ctx: ScenarioContext): Promise<ScenarioResult[]> {
  const stats = await measure(
    { url: ctx.url, connections: ctx.options.connections, durationSec: ctx.options.durationSec, request: { method: "GET", path: "/" } },
    ctx.options.warmupSec,
  );
  return [toScenario("bare", "json", "GET small JSON (ceiling)", stats)];
}
