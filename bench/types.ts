/** The shapes every bench module shares: one measured scenario, one micro figure, the whole run. */

export type ServerName = "bare" | "better-auth" | "tessera-sqlite" | "tessera-postgres";

/** What one measured load produced; shared by the load runner and the report. */
export interface Throughput {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  durationSec: number;
}

export interface ScenarioResult extends Throughput {
  /** Stable key, e.g. `tessera-sqlite/account`. */
  id: string;
  server: ServerName;
  /** What the scenario does, for the table. */
  label: string;
  /** False for scenarios that cannot run yet (tickets); no figures then. */
  available: boolean;
  /** Any error or non-2xx answer, or an exhausted token pool. */
  failed: boolean;
  /** Why it failed or is unavailable, or how it was measured. */
  note?: string;
  /** Unit of reqPerSec when it is not HTTP requests (`connects/s`). */
  unit?: string;
}

export interface ServerMemory {
  server: ServerName;
  /** Resident set size after the server's scenarios, bytes. */
  rssBytes: number;
}

export interface MicroResult {
  id: string;
  label: string;
  available: boolean;
  opsPerSec: number;
  /** Mean time of one operation, microseconds. */
  meanUs: number;
  iterations: number;
  note?: string;
}

export interface TargetResult {
  label: string;
  /** Measured value and the bound, in the same unit (ratio or MB). */
  value: number | null;
  bound: number;
  unit: "ratio" | "MB" | "count";
  met: boolean;
  note?: string;
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memTotalMB: number;
  node: string;
  platform: string;
}

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  mode: "full" | "quick" | "micro";
  durationSec: number;
  connections: number;
  machine: MachineInfo;
  scenarios: ScenarioResult[];
  memory: ServerMemory[];
  micro: MicroResult[];
  targets: TargetResult[];
  /**
   * The bare rate each server's "of bare" ratio divides by: the mean of the bare measurements
   * just before and just after its scenarios (the machine's speed can drift during a run).
   */
  ceilings: Partial<Record<ServerName, number>>;
}
