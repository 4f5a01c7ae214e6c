/**
 * `npm run bench`: the orchestrator. Starts each server in its own child process (bare node:http,
 * better-auth, Tessera on SQLite, Tessera on a throw-away PostgreSQL database), drives its
 * scenarios from this process, records its RSS, runs the micro-benchmarks in a child, then prints
 * the report and writes bench/results/<timestamp>.json and latest.json.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT, startBenchServer, startChild, type ChildServer } from "./child-server.js";
import { parseOptions, USAGE, type BenchOptions } from "./options.js";
import { createTempDatabase, type TempDatabase } from "./postgres-db.js";
import { evaluateTargets, renderReport, writeResults } from "./report.js";
import { runBareScenarios } from "./scenarios/bare.js";
import { runBetterAuthScenarios } from "./scenarios/better-auth.js";
import type { ScenarioContext } from "./scenarios/context.js";
import { runTesseraScenarios } from "./scenarios/tessera.js";
import { BENCH_GAME_SERVER } from "./scenarios/tickets.js";
import type { BenchRun, MachineInfo, MicroResult, ScenarioResult, ServerMemory, ServerName } from "./types.js";

const SERVER_KEY = "bench-server-key-not-a-secret-0001";
const CLI = join(REPO_ROOT, "packages/server/dist/cli.js");

const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

function machine(): MachineInfo {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  return {
    nproc: cpus().length,
    cpuModel: model,
    memTotalMB: Math.round(totalmem() / (1024 * 1024)),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Runs one server's scenarios and records its RSS afterwards; the server is stopped in every case. */
async function withServer(
  name: ServerName,
  start: () => Promise<ChildServer>,
  scenarios: (server: ChildServer) => Promise<ScenarioResult[]>,
  out: { scenarios: ScenarioResult[]; memory: ServerMemory[] },
): Promise<void> {
  log(`starting ${name}`);
  const server = await start();
  try {
    out.scenarios.push(...(await scenarios(server)));
    out.memory.push({ server: name, rssBytes: server.rssBytes() });
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}\nserver output:\n${server.output().slice(-4000)}`);
  } finally {
    await server.stop();
  }
}

function startTessera(dataDir: string, databaseUrl?: string): Promise<ChildServer> {
  const args = [CLI, "serve", "--port", "0", "--data-dir", dataDir, "--server-key", SERVER_KEY, "--tickets.game_servers", JSON.stringify([BENCH_GAME_SERVER])];
  // The ticket scenarios issue hundreds of thousands of tickets from 1000 sessions.
  args.push("--tickets.max_open_per_session", "100000");
  // Thousands of sign-ins a second from 127.0.0.1, 200 accounts signed in round-robin: the sign-in
  // rate limits (meant for real clients) would refuse nearly all of them.
  args.push("--ratelimit.signin_per_ip", "0", "--ratelimit.signin_per_identifier", "0");
  if (databaseUrl) args.push("--database-url", databaseUrl);
  return startChild(args, /listening on (http:\/\/\S+)/);
}

async function runMicroChild(seconds: number): Promise<MicroResult[]> {
  log("micro-benchmarks (one core, in a child process)");
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "bench/micro.ts", String(seconds)], { cwd: REPO_ROOT, timeout: 120_000 });
  const last = stdout.trim().split("\n").pop() ?? "[]";
  return JSON.parse(last) as MicroResult[];
}

/** Scenarios and RSS of every server, and the bare rate each server is compared with. */
interface LoadResults {
  scenarios: ScenarioResult[];
  memory: ServerMemory[];
  ceilings: Partial<Record<ServerName, number>>;
}

async function runLoadScenarios(options: BenchOptions, out: LoadResults): Promise<void> {
  const ctx = (url: string): ScenarioContext => ({ url, options, log });
  // The bare server runs the whole time (idle while the others are measured): its rate is taken
  // first and again after each server, and a server's ratios use the mean of the two around it.
  log("starting bare");
  const bare = await startBenchServer("bare");
  try {
    const measureBare = async (after: ServerName | undefined): Promise<number> => {
      if (after !== undefined) log(`bare again (after ${after})`);
      const [result] = await runBareScenarios(ctx(bare.url), after);
      out.scenarios.push(result!);
      return result!.reqPerSec;
    };
    let before = await measureBare(undefined);
    const compared = async (name: ServerName, run: () => Promise<void>): Promise<void> => {
      await run();
      // A quick run (a smoke test, under a minute) measures the ceiling once, at the start.
      if (options.mode === "quick") {
        out.ceilings[name] = before;
        return;
      }
      const after = await measureBare(name);
      out.ceilings[name] = (before + after) / 2;
      before = after;
    };
    out.ceilings.bare = before;

    await compared("better-auth", async () => {
      const baDir = mkdtempSync(join(tmpdir(), "tessera-bench-ba-"));
      try {
        await withServer(
          "better-auth",
          () => startBenchServer("better-auth", { BENCH_BA_DB: join(baDir, "auth.db") }),
          (s) => runBetterAuthScenarios(ctx(s.url)),
          out,
        );
      } finally {
        rmSync(baDir, { recursive: true, force: true });
      }
    });

    await compared("tessera-sqlite", async () => {
      const sqliteDir = mkdtempSync(join(tmpdir(), "tessera-bench-sqlite-"));
      try {
        await withServer(
          "tessera-sqlite",
          () => startTessera(sqliteDir),
          (s) => runTesseraScenarios({ ...ctx(s.url), server: "tessera-sqlite", serverKey: SERVER_KEY }),
          out,
        );
      } finally {
        rmSync(sqliteDir, { recursive: true, force: true });
      }
    });

    if (options.skipPostgres) {
      log("PostgreSQL skipped (--no-postgres)");
      return;
    }
    await compared("tessera-postgres", async () => {
      const pgDir = mkdtempSync(join(tmpdir(), "tessera-bench-pg-"));
      let db: TempDatabase | undefined;
      try {
        db = await createTempDatabase(options.postgresUrl);
        log(`PostgreSQL database ${db.name}`);
        const url = db.url;
        await withServer(
          "tessera-postgres",
          () => startTessera(pgDir, url),
          (s) => runTesseraScenarios({ ...ctx(s.url), server: "tessera-postgres", serverKey: SERVER_KEY }),
          out,
        );
      } finally {
        if (db) await db.drop();
        rmSync(pgDir, { recursive: true, force: true });
      }
    });
  } finally {
    out.memory.unshift({ server: "bare", rssBytes: bare.rssBytes() });
    await bare.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === "help") {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const startedAt = new Date().toISOString();
  const out: LoadResults = { scenarios: [], memory: [], ceilings: {} };
  if (options.mode !== "micro") await runLoadScenarios(options, out);
  const micro = await runMicroChild(options.microSec);
  const run: BenchRun = {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: options.mode,
    durationSec: options.durationSec,
    connections: options.connections,
    machine: machine(),
    scenarios: out.scenarios,
    memory: out.memory,
    micro,
    targets: options.mode === "micro" ? [] : evaluateTargets(out.scenarios, out.memory, out.ceilings, !options.skipPostgres),
    ceilings: out.ceilings,
  };
  process.stdout.write("\n" + renderReport(run));
  const path = writeResults(run, join(REPO_ROOT, "bench", "results"));
  log(`results written to ${path} and bench/results/latest.json (${((Date.parse(run.finishedAt) - Date.parse(startedAt)) / 1000).toFixed(1)} s)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
