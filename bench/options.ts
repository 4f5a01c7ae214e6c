/** Command-line flags of `npm run bench -- ...`. */
import { parseArgs } from "node:util";

export interface BenchOptions {
  mode: "full" | "quick" | "micro";
  /** Measured seconds per scenario. */
  durationSec: number;
  /** Concurrent HTTP connections (and concurrent socket connect loops). */
  connections: number;
  /** Seconds of unmeasured warm-up before each scenario. */
  warmupSec: number;
  /** Seconds per micro-benchmark. */
  microSec: number;
  /** Skip PostgreSQL (no database reachable). */
  skipPostgres: boolean;
  postgresUrl: string;
}

export const USAGE = `npm run bench -- [--quick | --micro] [--duration <s>] [--connections <n>] [--warmup <s>] [--no-postgres] [--postgres-url <url>]
  (default) full run: 10 s per scenario, 50 connections, 2 s warm-up
  --quick   0.8 s per scenario, 16 connections, 0.25 s warm-up, the ceiling measured once (under a minute)
  --micro   only the in-process micro-benchmarks`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: "boolean" },
      micro: { type: "boolean" },
      duration: { type: "string" },
      connections: { type: "string" },
      warmup: { type: "string" },
      "no-postgres": { type: "boolean" },
      "postgres-url": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const mode = values.micro ? "micro" : values.quick ? "quick" : "full";
  const quick = mode === "quick";
  const connections = Math.round(positive("connections", values.connections, quick ? 16 : 50));
  return {
    mode,
    durationSec: positive("duration", values.duration, quick ? 0.8 : 10),
    connections,
    warmupSec: positive("warmup", values.warmup, quick ? 0.25 : 2),
    microSec: quick ? 0.3 : 2,
    skipPostgres: values["no-postgres"] === true,
    postgresUrl: values["postgres-url"] ?? "postgres://postgres@127.0.0.1:5432/postgres",
  };
}
