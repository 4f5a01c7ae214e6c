/**
 * One autocannon run against loopback, turned into a ScenarioResult. Pool-fed scenarios pass
 * `amount` (the pool size) so autocannon never asks for more requests than there are tokens, and
 * a timer ends the run at `durationSec` as usual.
 */
import autocannon, { type AutocannonRequest, type AutocannonResult } from "autocannon";
import type { ScenarioResult, ServerName, Throughput } from "./types.js";

export interface LoadSpec {
  url: string;
  connections: number;
  durationSec: number;
  request: AutocannonRequest;
  /** Upper bound on requests (a token pool's size); the run stops early when reached. */
  amount?: number;
}

export interface LoadStats extends Throughput {
  /** True when `amount` ran out before the duration elapsed. */
  exhausted: boolean;
  statusCodes: Record<string, number>;
}

/** Per-request timeout (s): generous, but bounded, so a stuck server fails the run instead of hanging it. */
const TIMEOUT_SEC = 10;

export async function runLoad(spec: LoadSpec): Promise<LoadStats> {
  const connections = spec.amount === undefined ? spec.connections : Math.max(1, Math.min(spec.connections, spec.amount));
  const instance = autocannon({
    url: spec.url,
    connections,
    pipelining: 1,
    timeout: TIMEOUT_SEC,
    requests: [spec.request],
    ...(spec.amount === undefined ? { duration: spec.durationSec } : { amount: spec.amount }),
  });
  const timer = spec.amount === undefined ? undefined : setTimeout(() => instance.stop(), spec.durationSec * 1000);
  let result: AutocannonResult;
  try {
    result = await instance;
  } finally {
    if (timer) clearTimeout(timer);
  }
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count;
  const requests = result.requests.total;
  const durationSec = result.duration;
  return {
    reqPerSec: durationSec > 0 ? requests / durationSec : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    durationSec,
    exhausted: spec.amount !== undefined && durationSec < spec.durationSec * 0.98,
    statusCodes,
  };
}

export function toScenario(server: ServerName, key: string, label: string, stats: LoadStats, note?: string): ScenarioResult {
  const notes: string[] = [];
  if (note) notes.push(note);
  if (stats.exhausted) notes.push(`token pool exhausted after ${stats.durationSec.toFixed(1)} s (tokens are never reused)`);
  if (stats.non2xx > 0) notes.push(`status codes ${JSON.stringify(stats.statusCodes)}`);
  return {
    id: `${server}/${key}`,
    server,
    label,
    available: true,
    reqPerSec: stats.reqPerSec,
    p50Ms: stats.p50Ms,
    p99Ms: stats.p99Ms,
    requests: stats.requests,
    non2xx: stats.non2xx,
    errors: stats.errors,
    durationSec: stats.durationSec,
    failed: stats.non2xx > 0 || stats.errors > 0 || stats.exhausted,
    ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
  };
}

export function unavailable(server: ServerName, key: string, label: string, note: string): ScenarioResult {
  return {
    id: `${server}/${key}`,
    server,
    label,
    available: false,
    reqPerSec: 0,
    p50Ms: 0,
    p99Ms: 0,
    requests: 0,
    non2xx: 0,
    errors: 0,
    durationSec: 0,
    failed: false,
    note,
  };
}

/** Warm-up then measurement of a scenario whose requests can be repeated freely. */
export async function measure(spec: LoadSpec, warmupSec: number): Promise<LoadStats> {
  await runLoad({ ...spec, durationSec: warmupSec });
  return runLoad(spec);
}
