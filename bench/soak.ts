/**
 * `npm run soak`: the built server in a child process (SQLite, loopback), its maximum rate
 * measured for a realistic mix of calls, then an open-loop load at a fraction of it (default
 * 70%) for a long time (default 5 minutes), then the maximum again. Every interval (a minute,
 * or a tenth of a short run) reports requests, errors, p50/p99 latency, the server's RSS and the
 * machine's CPU pressure; the verdict asks for zero errors, a steady p99 and flat memory. Prints Markdown and writes
 * bench/results/soak-<timestamp>.json and soak-latest.json.
 *
 *   npm run soak                       # 5 minutes at 70% of the measured maximum
 *   npm run soak -- --duration 30      # a short smoke run
 *   npm run soak -- --fraction 0.5 --measure 15 --postgres-url postgres://postgres@127.0.0.1:5432/postgres
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT, startChild, type ChildServer } from "./child-server.js";
import { createTempDatabase, type TempDatabase } from "./postgres-db.js";

const SERVER_KEY = "soak-server-key-not-a-secret-00001";
const BASIC = "Basic " + Buffer.from(SERVER_KEY + ":").toString("base64");
const CLI = join(REPO_ROOT, "packages/server/dist/cli.js");
/** Session slots the mix works on (a client population that signs in, refreshes and leaves). */
const SLOTS = 2000;
/** Requests the client lets wait for an answer before it counts the excess as errors. */
const MAX_OUTSTANDING = 4096;

interface Options {
  durationSec: number;
  fraction: number;
  measureSec: number;
  connections: number;
  postgresUrl: string | undefined;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: "string" },
      fraction: { type: "string" },
      measure: { type: "string" },
      connections: { type: "string" },
      "postgres-url": { type: "string" },
    },
  });
  const num = (name: string, v: string | undefined, fallback: number, max = Infinity): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error(`--${name} must be a positive number${max < Infinity ? ` up to ${max}` : ""}, got "${v}"`);
    return n;
  };
  return {
    durationSec: num("duration", values.duration, 300),
    fraction: num("fraction", values.fraction, 0.7, 1.5),
    measureSec: num("measure", values.measure, 10),
    connections: Math.round(num("connections", values.connections, 32)),
    postgresUrl: values["postgres-url"],
  };
}

const log = (message: string): void => void process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// The mix.

interface Slot {
  device: string;
  token: string | undefined;
  refresh: string | undefined;
  busy: boolean;
}

interface Outcome {
  ok: boolean;
  ms: number;
  what: string;
}

class Mix {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512 });
  private readonly slots: Slot[];
  private seq = 0;
  readonly failures = new Map<string, number>();

  constructor(private readonly base: URL) {
    this.slots = Array.from({ length: SLOTS }, (_, i) => ({ device: `soak-device-${i}`, token: undefined, refresh: undefined, busy: false }));
  }

  /** Every slot signed in once (not measured). */
  async seed(): Promise<void> {
    for (let i = 0; i < this.slots.length; i += 50) await Promise.all(this.slots.slice(i, i + 50).map((s) => this.signIn(s, s.device)));
  }

  /**
   * One call: 40% account reads, 20% refreshes, 15% sign-ins of an existing device, 10% sign-ups,
   * 10% session listings, 5% logouts (the slot signs in again next time).
   */
  async one(): Promise<Outcome> {
    const slot = this.slots[Math.floor(Math.random() * this.slots.length)]!;
    if (slot.busy) return this.timed("GET /healthz", () => this.call("GET", "/healthz", {}));
    slot.busy = true;
    try {
      if (slot.token === undefined) return await this.timed("sign-in", () => this.signIn(slot, slot.device));
      const r = Math.random();
      if (r < 0.4) return await this.timed("GET /v2/account", () => this.call("GET", "/v2/account", { Authorization: `Bearer ${slot.token}` }));
      if (r < 0.6) return await this.timed("refresh", () => this.refresh(slot));
      if (r < 0.75) return await this.timed("sign-in", () => this.signIn(slot, slot.device));
      if (r < 0.85) return await this.timed("sign-up", () => this.signIn(slot, `soak-new-${process.pid}-${this.seq++}`));
      if (r < 0.95)
        return await this.timed("GET /v2/account/sessions", () => this.call("GET", "/v2/account/sessions", { Authorization: `Bearer ${slot.token}` }));
      return await this.timed("logout", () => this.logout(slot));
    } finally {
      slot.busy = false;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private async timed(what: string, fn: () => Promise<number>): Promise<Outcome> {
    const started = performance.now();
    let ok = false;
    try {
      const status = await fn();
      ok = status === 200;
      if (!ok) this.failures.set(`${what}: HTTP ${status}`, (this.failures.get(`${what}: HTTP ${status}`) ?? 0) + 1);
    } catch (err) {
      const key = `${what}: ${(err as Error).message}`;
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    }
    return { ok, ms: performance.now() - started, what };
  }

  private async signIn(slot: Slot, device: string): Promise<number> {
    const res = await this.send("POST", "/v2/account/authenticate/device", { Authorization: BASIC }, JSON.stringify({ id: device }));
    if (res.status === 200) adopt(slot, res.body);
    return res.status;
  }

  private async refresh(slot: Slot): Promise<number> {
    const res = await this.send("POST", "/v2/account/session/refresh", { Authorization: BASIC }, JSON.stringify({ token: slot.refresh }));
    if (res.status === 200) adopt(slot, res.body);
    return res.status;
  }

  private async logout(slot: Slot): Promise<number> {
    const res = await this.call(
      "POST",
      "/v2/session/logout",
      { Authorization: `Bearer ${slot.token}` },
      JSON.stringify({ token: slot.token, refresh_token: slot.refresh }),
    );
    if (res === 200) slot.token = slot.refresh = undefined;
    return res;
  }

  private async call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
    return (await this.send(method, path, headers, body)).status;
  }

  private send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const h = body === undefined ? headers : { ...headers, "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) };
      const req = request({ host: this.base.hostname, port: this.base.port, method, path, headers: h, agent: this.agent }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.setTimeout(10_000, () => req.destroy(new Error("no answer within 10 s")));
      req.on("error", reject);
      req.end(body);
    });
  }
}

/** Takes the new token pair of a sign-in or refresh answer. */
function adopt(slot: Slot, body: string): void {
  const s = JSON.parse(body) as { token: string; refresh_token: string };
  slot.token = s.token;
  slot.refresh = s.refresh_token;
}

// ---------------------------------------------------------------------------------------------
// Measuring.

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Closed loops on `connections` for `seconds`: the successful calls per second. */
async function measureMax(mix: Mix, connections: number, seconds: number): Promise<{ rate: number; p50: number; p99: number; errors: number }> {
  const end = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const o = await mix.one();
        if (o.ok) latencies.push(o.ms);
        else errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

/**
 * The machine's CPU pressure (Linux PSI, share of the last 60 s in which some runnable task waited
 * for a CPU), so a report shows whether other work competed for the cores; null elsewhere.
 */
function cpuPressure(): number | null {
  try {
    const m = /^some avg10=[\d.]+ avg60=([\d.]+)/m.exec(readFileSync("/proc/pressure/cpu", "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

interface Interval {
  index: number;
  startSec: number;
  endSec: number;
  requests: number;
  errors: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rssMb: number;
  peakRssMb: number;
  /** CPU pressure (avg60, %) at the end of the interval. */
  cpuPressure: number | null;
}

/** Calls started at `rate` per second, each when due, whatever the earlier ones are doing. */
async function soak(mix: Mix, server: ChildServer, rate: number, durationSec: number, intervalSec: number): Promise<Interval[]> {
  const intervals: Interval[] = [];
  let bucket: { latencies: number[]; errors: number; peakRssMb: number } = { latencies: [], errors: 0, peakRssMb: 0 };
  const start = performance.now();
  let issued = 0;
  let outstanding = 0;
  const pending = new Set<Promise<void>>();
  const rssSampler = setInterval(() => (bucket.peakRssMb = Math.max(bucket.peakRssMb, server.rssBytes() / 1048576)), 1000);
  let nextIntervalAt = intervalSec;

  const closeInterval = (nowSec: number): void => {
    const sorted = bucket.latencies.sort((a, b) => a - b);
    const rssMb = server.rssBytes() / 1048576;
    const startSec = intervals.length === 0 ? 0 : intervals[intervals.length - 1]!.endSec;
    const row: Interval = {
      index: intervals.length + 1,
      startSec,
      endSec: nowSec,
      requests: sorted.length + bucket.errors,
      errors: bucket.errors,
      reqPerSec: (sorted.length + bucket.errors) / (nowSec - startSec),
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1] ?? NaN,
      rssMb,
      peakRssMb: Math.max(bucket.peakRssMb, rssMb),
      cpuPressure: cpuPressure(),
    };
    intervals.push(row);
    log(
      `interval ${row.index}: ${row.requests} requests (${Math.round(row.reqPerSec)}/s), ${row.errors} errors, p50 ${row.p50Ms.toFixed(1)} ms, p99 ${row.p99Ms.toFixed(1)} ms, RSS ${row.rssMb.toFixed(0)} MB, CPU pressure ${row.cpuPressure ?? "n/a"}%`,
    );
    bucket = { latencies: [], errors: 0, peakRssMb: 0 };
  };

  for (;;) {
    const elapsedSec = (performance.now() - start) / 1000;
    if (elapsedSec >= durationSec) break;
    if (elapsedSec >= nextIntervalAt) {
      closeInterval(elapsedSec);
      nextIntervalAt += intervalSec;
    }
    const due = Math.floor(elapsedSec * rate);
    for (; issued < due; issued++) {
      if (outstanding >= MAX_OUTSTANDING) {
        // The server is not keeping up: the client would queue without bound.
        bucket.errors++;
        mix.failures.set("client backlog full", (mix.failures.get("client backlog full") ?? 0) + 1);
        continue;
      }
      outstanding++;
      const target = bucket;
      const p: Promise<void> = mix.one().then((o) => {
        outstanding--;
        pending.delete(p);
        // An answer counts in the interval it was sent in.
        if (o.ok) target.latencies.push(o.ms);
        else target.errors++;
      });
      pending.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(pending);
  closeInterval((performance.now() - start) / 1000);
  clearInterval(rssSampler);
  return intervals;
}

// ---------------------------------------------------------------------------------------------

interface Verdict {
  check: string;
  measured: string;
  ok: boolean;
}

function verdicts(intervals: Interval[]): Verdict[] {
  const errors = intervals.reduce((a, i) => a + i.errors, 0);
  const p99s = intervals.map((i) => i.p99Ms);
  const sortedP99 = [...p99s].sort((a, b) => a - b);
  const medianP99 = sortedP99[sortedP99.length >> 1]!;
  const worstP99 = sortedP99[sortedP99.length - 1]!;
  // Memory is judged over the second half: the first fills caches that are bounded by design
  // (SQLite's 32 MiB page cache, connection pools, JIT code), which is growth, not a leak.
  const half = intervals.slice(Math.floor((intervals.length - 1) / 2));
  const rssFirst = half[0]!.rssMb;
  const rssLast = half[half.length - 1]!.rssMb;
  const rssPeak = Math.max(...half.map((i) => i.peakRssMb));
  return [
    { check: "errors (transport, non-2xx, client backlog)", measured: String(errors), ok: errors === 0 },
    {
      check: "p99 steady: every interval's p99 within 3x the median interval p99 (+10 ms)",
      measured: `median ${medianP99.toFixed(1)} ms, worst ${worstP99.toFixed(1)} ms`,
      ok: worstP99 <= medianP99 * 3 + 10,
    },
    {
      check: `memory flat: RSS at the end within 10% (+16 MB) of RSS at the end of interval ${half[0]!.index} (the second half)`,
      measured: `${rssFirst.toFixed(0)} MB → ${rssLast.toFixed(0)} MB (peak ${rssPeak.toFixed(0)} MB)`,
      ok: rssLast <= rssFirst * 1.1 + 16,
    },
  ];
}

function render(run: SoakRun): string {
  const lines = [
    `Tessera soak, ${run.startedAt}: ${run.database}, ${run.durationSec} s at ${Math.round(run.fraction * 100)}% of the measured maximum, loopback.`,
    `Machine: ${run.machine.nproc} CPUs, Node ${run.machine.node}.`,
    "",
    `Maximum (closed loop, ${run.max.connections} connections, ${run.max.seconds} s): ${Math.round(run.max.rate)} req/s, p50 ${run.max.p50.toFixed(1)} ms, p99 ${run.max.p99.toFixed(1)} ms, ${run.max.errors} errors. Soak target: ${Math.round(run.targetRate)} req/s.`,
    "",
    "| interval | seconds | requests | req/s | errors | p50 ms | p99 ms | max ms | RSS MB (end) | RSS MB (peak) | CPU pressure % |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...run.intervals.map(
      (i) =>
        `| ${i.index} | ${i.startSec.toFixed(0)}-${i.endSec.toFixed(0)} | ${i.requests} | ${Math.round(i.reqPerSec)} | ${i.errors} | ${i.p50Ms.toFixed(1)} | ${i.p99Ms.toFixed(1)} | ${i.maxMs.toFixed(1)} | ${i.rssMb.toFixed(0)} | ${i.peakRssMb.toFixed(0)} | ${i.cpuPressure ?? "n/a"} |`,
    ),
    "",
    `Maximum again after the soak (same mix, ${run.max.connections} connections, ${run.max.seconds} s, the database now larger): ${Math.round(run.maxAfter.rate)} req/s, p50 ${run.maxAfter.p50.toFixed(1)} ms, p99 ${run.maxAfter.p99.toFixed(1)} ms, ${run.maxAfter.errors} errors.`,
    "",
    "| check | measured | result |",
    "| --- | --- | --- |",
    ...run.verdicts.map((v) => `| ${v.check} | ${v.measured} | ${v.ok ? "met" : "**not met**"} |`),
  ];
  if (run.failures.length > 0) lines.push("", "Failures:", ...run.failures.map(([what, n]) => `- ${n} × ${what}`));
  return lines.join("\n") + "\n";
}

interface SoakRun {
  startedAt: string;
  database: string;
  durationSec: number;
  fraction: number;
  machine: { nproc: number; node: string };
  max: { connections: number; seconds: number; rate: number; p50: number; p99: number; errors: number };
  targetRate: number;
  /** The maximum measured again at the end: tells a slower server (a larger database) from a busier machine. */
  maxAfter: { rate: number; p50: number; p99: number; errors: number };
  intervals: Interval[];
  verdicts: Verdict[];
  failures: [string, number][];
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const dataDir = mkdtempSync(join(tmpdir(), "tessera-soak-"));
  let db: TempDatabase | undefined;
  let server: ChildServer | undefined;
  try {
    const args = [
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
    ];
    if (opts.postgresUrl) {
      db = await createTempDatabase(opts.postgresUrl);
      args.push("--database-url", db.url);
    }
    server = await startChild(args, /listening on (http:\/\/\S+)/);
    const mix = new Mix(new URL(server.url));
    log(`server ${server.url} (${opts.postgresUrl ? "PostgreSQL" : "SQLite"}); signing in ${SLOTS} players`);
    await mix.seed();
    log("warming up (3 s)");
    await measureMax(mix, opts.connections, 3);
    log(`measuring the maximum: ${opts.connections} connections, ${opts.measureSec} s`);
    const max = await measureMax(mix, opts.connections, opts.measureSec);
    const targetRate = max.rate * opts.fraction;
    log(`maximum ${Math.round(max.rate)} req/s (p99 ${max.p99.toFixed(1)} ms); soaking at ${Math.round(targetRate)} req/s for ${opts.durationSec} s`);
    mix.failures.clear();
    const intervalSec = opts.durationSec >= 120 ? 60 : Math.max(1, opts.durationSec / 10);
    const intervals = await soak(mix, server, targetRate, opts.durationSec, intervalSec);
    log(`measuring the maximum again: ${opts.connections} connections, ${opts.measureSec} s`);
    const maxAfter = await measureMax(mix, opts.connections, opts.measureSec);
    mix.close();
    const run: SoakRun = {
      startedAt,
      database: opts.postgresUrl ? "PostgreSQL" : "SQLite",
      durationSec: opts.durationSec,
      fraction: opts.fraction,
      machine: { nproc: cpus().length, node: process.version },
      max: { connections: opts.connections, seconds: opts.measureSec, ...max },
      targetRate,
      maxAfter,
      intervals,
      verdicts: verdicts(intervals),
      failures: [...mix.failures.entries()],
    };
    process.stdout.write("\n" + render(run));
    const dir = join(REPO_ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const json = JSON.stringify(run, null, 2) + "\n";
    const file = join(dir, `soak-${startedAt.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, json);
    writeFileSync(join(dir, "soak-latest.json"), json);
    log(`results written to ${file} and bench/results/soak-latest.json`);
    if (!run.verdicts.every((v) => v.ok)) process.exitCode = 1;
  } finally {
    await server?.stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
