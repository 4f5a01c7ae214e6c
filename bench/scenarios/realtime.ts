/**
 * Realtime socket connects per second: `concurrency` loops each open a WebSocket to
 * `/ws?token=...`, wait for it to open, close it, wait for the close, and go again, until the
 * deadline. autocannon speaks only HTTP, hence this small bounded loop. Latency is open time.
 */
import WebSocket from "ws";
import type { LoadStats } from "../load.js";

export interface ConnectSpec {
  /** `ws://host:port/ws` without the query. */
  wsUrl: string;
  /** One access token per loop (reused across that loop's connects: a socket does not consume it). */
  tokens: string[];
  durationSec: number;
  /** Per-connect limit; a connect slower than this counts as an error. */
  timeoutMs?: number;
}

type ConnectOutcome = { ok: true; ms: number } | { ok: false; status: number | undefined };

function connectOnce(url: string, timeoutMs: number): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let settled = false;
    const finish = (outcome: ConnectOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      ws.terminate();
      finish({ ok: false, status: undefined });
    }, timeoutMs);
    ws.once("open", () => {
      const ms = performance.now() - started;
      ws.once("close", () => finish({ ok: true, ms }));
      ws.close(1000);
    });
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      ws.terminate();
      finish({ ok: false, status: res.statusCode });
    });
    ws.once("error", () => finish({ ok: false, status: undefined }));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

export async function measureConnects(spec: ConnectSpec): Promise<LoadStats> {
  const timeoutMs = spec.timeoutMs ?? 10_000;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const statusCodes: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + spec.durationSec * 1000;
  const loop = async (token: string): Promise<void> => {
    const url = `${spec.wsUrl}?token=${encodeURIComponent(token)}`;
    while (performance.now() < deadline) {
      const outcome = await connectOnce(url, timeoutMs);
      if (outcome.ok) {
        latencies.push(outcome.ms);
        statusCodes["101"] = (statusCodes["101"] ?? 0) + 1;
      } else if (outcome.status !== undefined) {
        non2xx++;
        statusCodes[String(outcome.status)] = (statusCodes[String(outcome.status)] ?? 0) + 1;
      } else {
        errors++;
      }
    }
  };
  await Promise.all(spec.tokens.map(loop));
  const durationSec = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const requests = latencies.length + non2xx + errors;
  return {
    reqPerSec: latencies.length / durationSec,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests,
    non2xx,
    errors,
    durationSec,
    exhausted: false,
    statusCodes,
  };
}
