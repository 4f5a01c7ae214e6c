/**
 * `npm run profile -- <scenario>`: where a Tessera request spends its CPU. Starts the built server
 * (SQLite, in a temporary data directory) under `node --cpu-prof`, drives one scenario with
 * autocannon from this process for a few seconds, stops the server so V8 writes the profile, and
 * prints the server's CPU time per request (steadier than req/s on a shared machine), the
 * functions with the most self time and the same grouped by source file.
 *
 * Scenarios: health (GET /healthz: the HTTP transport alone), account (GET /v2/account, one bearer token), signin (device sign-in of 200 existing
 * accounts), create (device sign-in creating an account), refresh (fresh refresh token each).
 * Options: --duration <s> (default 6), --connections <n> (default 50), --keep (keep the
 * .cpuprofile and print its path, to open in Chrome DevTools), --database-url <postgres://...> (a
 * PostgreSQL database to use instead of SQLite; it must be empty or hold Tessera's schema),
 * --no-cpu-prof (measure only: the profiler itself costs CPU, so compare CPU per request without it).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import { REPO_ROOT, startChild } from "./child-server.js";
import { runLoad } from "./load.js";
import type { AutocannonRequest } from "autocannon";

const SERVER_KEY = "profile-server-key";
const CLI = join(REPO_ROOT, "packages/server/dist/cli.js");

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: "string", default: "6" },
    connections: { type: "string", default: "50" },
    keep: { type: "boolean", default: false },
    "database-url": { type: "string" },
    "no-cpu-prof": { type: "boolean", default: false },
  },
});
const scenario = positionals[0] ?? "account";
const durationSec = Number(values.duration);
const connections = Number(values.connections);
if (!["health", "account", "signin", "create", "refresh"].includes(scenario)) {
  console.error(`unknown scenario ${scenario}: health | account | signin | create | refresh`);
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), "tessera-profile-"));
const profDir = join(dataDir, "prof");
const server = await startChild(
  [
    ...(values["no-cpu-prof"] ? [] : ["--cpu-prof", "--cpu-prof-dir", profDir]),
    CLI,
    "serve",
    "--port",
    "0",
    "--data-dir",
    dataDir,
    "--server-key",
    SERVER_KEY,
    "--ratelimit.signin_per_ip",
    "0",
    "--ratelimit.signin_per_identifier",
    "0",
    ...(values["database-url"] ? ["--database-url", values["database-url"]] : []),
  ],
  /listening on (http:\/\/\S+)/,
);
const basic = `Basic ${Buffer.from(`${SERVER_KEY}:`).toString("base64")}`;

async function signIn(id: string): Promise<{ token: string; refresh_token: string }> {
  const res = await fetch(`${server.url}/v2/account/authenticate/device?create=true`, {
    method: "POST",
    headers: { authorization: basic, "content-type": "application/json" },
    body: JSON.stringify({ id }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; refresh_token: string };
}

try {
  const devices = Array.from({ length: 200 }, (_, i) => `profile-device-${i}-${randomUUID()}`);
  const sessions = [];
  for (const d of devices) sessions.push(await signIn(d));
  let request: AutocannonRequest;
  let amount: number | undefined;
  if (scenario === "health") {
    request = { method: "GET", path: "/healthz" };
  } else if (scenario === "account") {
    request = { method: "GET" as const, path: "/v2/account", headers: { authorization: `Bearer ${sessions[0]!.token}` } };
  } else if (scenario === "signin" || scenario === "create") {
    let n = 0;
    request = {
      method: "POST" as const,
      path: `/v2/account/authenticate/device?create=${scenario === "create"}`,
      headers: { authorization: basic, "content-type": "application/json" },
      setupRequest: (req: AutocannonRequest) => ({
        ...req,
        body: JSON.stringify({ id: scenario === "create" ? `profile-new-${randomUUID()}` : devices[n++ % devices.length] }),
      }),
    };
  } else {
    const pool: string[] = [];
    for (let i = 0; i < 30_000; i++) pool.push((await signIn(devices[i % devices.length]!)).refresh_token);
    let n = 0;
    amount = pool.length;
    request = {
      method: "POST" as const,
      path: "/v2/account/session/refresh",
      headers: { authorization: basic, "content-type": "application/json" },
      setupRequest: (req: AutocannonRequest) => ({ ...req, body: JSON.stringify({ token: pool[n++] }) }),
    };
  }
  const cpuBefore = cpuSeconds(server.pid);
  const dbBefore = postgresCpuSeconds();
  const stats = await runLoad({ url: server.url, connections, durationSec, request, ...(amount === undefined ? {} : { amount }) });
  const perRequest = (seconds: number): string => `${((seconds * 1e6) / stats.requests).toFixed(1)} µs`;
  console.log(
    `${scenario}: ${Math.round(stats.reqPerSec)} req/s, p50 ${stats.p50Ms} ms, p99 ${stats.p99Ms} ms, non-2xx ${stats.non2xx}, errors ${stats.errors}; ` +
      `server CPU ${perRequest(cpuSeconds(server.pid) - cpuBefore)} per request (user + system, all its threads)` +
      (values["database-url"] ? `; PostgreSQL CPU ${perRequest(postgresCpuSeconds() - dbBefore)} per request (all its processes on this machine)` : "") +
      `; server RSS after ${(server.rssBytes() / 1e6).toFixed(1)} MB`,
  );
  // Where the memory is: V8's heap and external memory from the server's own metrics; the rest
  // of RSS is native (SQLite's page cache, better-sqlite3, code, thread stacks).
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const gauge = (name: string): string => `${(Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1] ?? NaN) / 1e6).toFixed(1)} MB`;
  console.log(
    `memory: RSS ${gauge("process_resident_memory_bytes")}, V8 heap ${gauge("nodejs_heap_size_total_bytes")} (used ${gauge("nodejs_heap_used_bytes")}), external ${gauge("nodejs_external_memory_bytes")}`,
  );
} finally {
  await server.stop();
}

if (values["no-cpu-prof"]) {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error(`no profile written in ${profDir}:\n${server.output()}`);
report(join(profDir, file));
if (values.keep) console.log(`profile: ${join(profDir, file)}`);
else rmSync(dataDir, { recursive: true, force: true });

/** User + system CPU seconds the process has used (Linux, /proc/<pid>/stat; clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of every process named `postgres` on this machine (the local database server). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres") total += cpuSeconds(Number(pid));
    } catch {
      // The process ended while being read.
    }
  }
  return total;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per function and per file, as shares of all samples. */
function report(path: string): void {
  const profile = JSON.parse(readFileSync(path, "utf8")) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<number, number>();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const total = profile.samples.length;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, count] of counts) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? shortUrl(url) : "";
    const fn = `${functionName || "(anonymous)"}${where ? ` ${where}:${lineNumber + 1}` : ""}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + count);
    const group = where ? where.split(":")[0]! : functionName;
    byFile.set(group, (byFile.get(group) ?? 0) + count);
  }
  const top = (m: Map<string, number>, n: number): string =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  console.log(`\n${total} samples. Self time by function:\n${top(byFunction, 30)}\n\nSelf time by file:\n${top(byFile, 25)}`);
}

function shortUrl(url: string): string {
  const p = url.replace(/^file:\/\//, "");
  return p.startsWith(REPO_ROOT) ? relative(REPO_ROOT, p) : p.replace(/^.*node_modules\//, "");
}
