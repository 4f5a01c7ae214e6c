/**
 * Turns a run into the printed report (Markdown tables: scenarios with ratios, memory, micro,
 * targets) and the JSON files in bench/results/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchRun, MicroResult, ScenarioResult, ServerMemory, TargetResult } from "./types.js";

/** The better-auth scenario each Tessera scenario is compared with. */
const PEER_MATCH: Record<string, string> = {
  "sign-in-create": "better-auth/sign-in-anonymous",
  "sign-in-existing": "better-auth/sign-in-anonymous",
  account: "better-auth/get-session",
  refresh: "better-auth/get-session",
};

function find(scenarios: ScenarioResult[], id: string): ScenarioResult | undefined {
  return scenarios.find((s) => s.id === id);
}

/** Throughput that counts: none for a failed or unavailable scenario. */
function throughput(s: ScenarioResult | undefined): number | null {
  return s?.available && !s.failed ? s.reqPerSec : null;
}

export function ratio(scenarios: ScenarioResult[], id: string, baseId: string): number | null {
  const a = throughput(find(scenarios, id));
  const b = throughput(find(scenarios, baseId));
  return a === null || b === null || b === 0 ? null : a / b;
}

type Ceilings = BenchRun["ceilings"];

/** A scenario's rate as a share of the bare rate measured around its server's scenarios. */
export function ofBare(scenarios: ScenarioResult[], ceilings: Ceilings, id: string): number | null {
  const s = find(scenarios, id);
  const a = throughput(s);
  const b = s ? ceilings[s.server] : undefined;
  return a === null || b === undefined || b === 0 ? null : a / b;
}

const isBare = (s: ScenarioResult): boolean => s.server === "bare";

function peerId(s: ScenarioResult): string | undefined {
  if (!s.server.startsWith("tessera")) return undefined;
  return PEER_MATCH[s.id.slice(s.server.length + 1)];
}

export function evaluateTargets(scenarios: ScenarioResult[], memory: ServerMemory[], ceilings: Ceilings, includesPostgres: boolean): TargetResult[] {
  const targets: TargetResult[] = [];
  const ratioTarget = (label: string, id: string, baseId: string, bound: number): void => {
    const value = baseId === "bare/json" ? ofBare(scenarios, ceilings, id) : ratio(scenarios, id, baseId);
    targets.push({ label, value, bound, unit: "ratio", met: value !== null && value >= bound, ...(value === null ? { note: "not measured or FAILED" } : {}) });
  };
  const sq = "tessera-sqlite";
  ratioTarget("SQLite GET /v2/account >= 50% of bare", `${sq}/account`, "bare/json", 0.5);
  ratioTarget("SQLite sign-in existing >= 25% of bare", `${sq}/sign-in-existing`, "bare/json", 0.25);
  ratioTarget("SQLite refresh >= 25% of bare", `${sq}/refresh`, "bare/json", 0.25);
  ratioTarget("SQLite sign-in creating >= 20% of bare", `${sq}/sign-in-create`, "bare/json", 0.2);
  for (const key of ["sign-in-create", "sign-in-existing", "account", "refresh"]) {
    const peer = PEER_MATCH[key]!;
    ratioTarget(`SQLite ${key} >= 20x ${peer.replace("better-auth/", "better-auth ")}`, `${sq}/${key}`, peer, 20);
  }
  if (includesPostgres) ratioTarget("PostgreSQL sign-in existing >= 8% of bare", "tessera-postgres/sign-in-existing", "bare/json", 0.08);
  else targets.push({ label: "PostgreSQL sign-in existing >= 8% of bare", value: null, bound: 0.08, unit: "ratio", met: false, note: "PostgreSQL skipped" });
  const bad = scenarios.filter((s) => s.available).reduce((n, s) => n + s.errors + s.non2xx, 0);
  targets.push({ label: "zero errors and zero non-2xx everywhere", value: bad, bound: 0, unit: "count", met: bad === 0 });
  const tessera = memory.filter((m) => m.server.startsWith("tessera"));
  const rssMB = tessera.length === 0 ? null : Math.max(...tessera.map((m) => m.rssBytes)) / (1024 * 1024);
  targets.push({ label: "Tessera server RSS after its run < 200 MB (largest)", value: rssMB, bound: 200, unit: "MB", met: rssMB !== null && rssMB < 200 });
  return targets;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** autocannon records latency in whole milliseconds; 0 means under one. */
const ms = (n: number): string => (n < 1 ? "<1" : Number.isInteger(n) ? fmt(n) : fmt(n, 1));
const pct = (r: number | null): string => (r === null ? "—" : `${fmt(r * 100, 1)}%`);
const times = (r: number | null): string => (r === null ? "—" : `${fmt(r, 2)}×`);

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function scenarioTable(scenarios: ScenarioResult[], ceilings: Ceilings): string {
  const rows = scenarios.map((s) => {
    if (!s.available) return [s.server, s.label, "not available", "—", "—", "—", "—", "—", "—", s.note ?? ""];
    const peer = peerId(s);
    const status = s.failed ? `**FAILED**${s.note ? ` (${s.note})` : ""}` : (s.note ?? "ok");
    return [
      s.server,
      s.label,
      s.failed ? `(${fmt(s.reqPerSec)})` : `${fmt(s.reqPerSec)}${s.unit ? ` ${s.unit}` : ""}`,
      ms(s.p50Ms),
      ms(s.p99Ms),
      fmt(s.non2xx),
      fmt(s.errors),
      isBare(s) ? "—" : pct(ofBare(scenarios, ceilings, s.id)),
      peer ? `${times(ratio(scenarios, s.id, peer))} (vs ${peer.replace("better-auth/", "")})` : "—",
      status,
    ];
  });
  return table(["server", "scenario", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors", "of bare", "vs better-auth", "status"], rows);
}

export function memoryTable(memory: ServerMemory[]): string {
  return table(
    ["server", "RSS after its scenarios"],
    memory.map((m) => [m.server, `${fmt(m.rssBytes / (1024 * 1024), 1)} MB`]),
  );
}

export function microTable(micro: MicroResult[]): string {
  return table(
    ["hot path (one core, in-process)", "ops/s", "mean µs/op"],
    micro.map((m) => (m.available ? [m.label, fmt(m.opsPerSec), fmt(m.meanUs, 2)] : [m.label, "not available yet", m.note ?? ""])),
  );
}

export function targetTable(targets: TargetResult[]): string {
  const value = (t: TargetResult): string => {
    if (t.value === null) return t.note ?? "—";
    if (t.unit === "ratio") return t.bound >= 1 ? times(t.value) : pct(t.value);
    if (t.unit === "MB") return `${fmt(t.value, 1)} MB`;
    return fmt(t.value);
  };
  return table(
    ["target", "measured", "result"],
    targets.map((t) => [t.label, value(t), t.met ? "met" : "**not met**"]),
  );
}

export function renderReport(run: BenchRun): string {
  const m = run.machine;
  const parts = [
    `Tessera bench, ${run.mode} run, ${run.startedAt}: ${run.durationSec} s per scenario, ${run.connections} connections, loopback.`,
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${fmt(m.memTotalMB)} MB RAM, Node ${m.node}, ${m.platform}.`,
  ];
  if (run.scenarios.length > 0) {
    parts.push(
      "",
      scenarioTable(run.scenarios, run.ceilings),
      "",
      "A FAILED scenario's req/s is shown in parentheses and not counted in any ratio. Latency: autocannon's whole milliseconds (socket connects: measured open time).",
    );
    const drift = ceilingDrift(run.scenarios, run.ceilings);
    if (drift) parts.push("", drift);
  }
  if (run.memory.length > 0) parts.push("", memoryTable(run.memory));
  if (run.micro.length > 0) parts.push("", microTable(run.micro));
  if (run.targets.length > 0) parts.push("", targetTable(run.targets));
  return parts.join("\n") + "\n";
}

/** Above this max/min of the bare measurements, the report says the machine's speed changed. */
const DRIFT_WARNING = 1.2;

/** The bare measurements of the run and the rate each server is compared with; a warning when they differ much. */
function ceilingDrift(scenarios: ScenarioResult[], ceilings: Ceilings): string | undefined {
  const bare = scenarios.filter((s) => isBare(s) && s.available && !s.failed).map((s) => s.reqPerSec);
  if (bare.length < 2) return undefined;
  const spread = Math.max(...bare) / Math.min(...bare);
  const bases = Object.entries(ceilings)
    .filter(([server]) => server !== "bare")
    .map(([server, rate]) => `${server} ${fmt(rate!)}`)
    .join(", ");
  return (
    `Ceiling: bare measured ${bare.map((r) => fmt(r)).join(" → ")} req/s over the run (first, then after each server); ` +
    `each server's "of bare" divides by the mean of the measurements just before and after its scenarios (${bases}).` +
    (spread > DRIFT_WARNING
      ? ` **The machine's speed changed during the run (max/min ${fmt(spread, 2)}×): ratios are approximate; run again on a quieter machine.**`
      : ` Max/min ${fmt(spread, 2)}×: the machine's speed held.`)
  );
}

/** Writes `<dir>/<timestamp>.json` and `<dir>/latest.json`; returns the timestamped path. */
export function writeResults(run: BenchRun, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const stamp = run.startedAt.replace(/[:.]/g, "-");
  const path = join(dir, `${stamp}.json`);
  const json = JSON.stringify(run, null, 2) + "\n";
  writeFileSync(path, json);
  writeFileSync(join(dir, "latest.json"), json);
  return path;
}
