/**
 * The process's own health, read at scrape time under the names Prometheus client libraries use
 * (`process_*`, `nodejs_*`), so existing Node.js dashboards work. Event-loop delay comes from
 * `perf_hooks.monitorEventLoopDelay` and covers the time since the previous scrape.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { MetricsRegistry } from "./registry.js";

/** The delay monitor samples the loop this often (ms); finer costs more timer wake-ups. */
const LOOP_RESOLUTION_MS = 20;

const NS_PER_SECOND = 1e9;

/** Declares the process metrics on `registry`; the returned function stops the event-loop monitor. */
export function registerProcessMetrics(registry: MetricsRegistry): () => void {
  const cpu = (name: string, help: string, seconds: (usage: NodeJS.CpuUsage) => number): void => {
    registry.counter({ name, help, collect: (c) => void (c.child({}).value = seconds(process.cpuUsage())) });
  };
  cpu("process_cpu_user_seconds_total", "User CPU time spent by the process, in seconds.", (u) => u.user / 1e6);
  cpu("process_cpu_system_seconds_total", "System CPU time spent by the process, in seconds.", (u) => u.system / 1e6);
  cpu("process_cpu_seconds_total", "User and system CPU time spent by the process, in seconds.", (u) => (u.user + u.system) / 1e6);

  const gauge = (name: string, help: string, read: () => number): void => {
    registry.gauge({ name, help, collect: (g) => g.set({}, read()) });
  };
  const startedAt = Date.now() / 1000 - process.uptime();
  gauge("process_start_time_seconds", "When the process started, in unix seconds.", () => startedAt);
  gauge("process_resident_memory_bytes", "Resident memory size of the process, in bytes.", () => process.memoryUsage.rss());
  const memory = () => process.memoryUsage();
  gauge("nodejs_heap_size_total_bytes", "Size of the V8 heap, in bytes.", () => memory().heapTotal);
  gauge("nodejs_heap_used_bytes", "V8 heap in use, in bytes.", () => memory().heapUsed);
  gauge("nodejs_external_memory_bytes", "Memory of C++ objects bound to JavaScript objects (buffers), in bytes.", () => memory().external);

  // Read once per scrape for all of the loop gauges below, then start a new interval.
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const delay = { mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const read = (): void => {
    const has = loop.count > 0;
    delay.mean = has ? loop.mean / NS_PER_SECOND : 0;
    delay.p50 = has ? loop.percentile(50) / NS_PER_SECOND : 0;
    delay.p90 = has ? loop.percentile(90) / NS_PER_SECOND : 0;
    delay.p99 = has ? loop.percentile(99) / NS_PER_SECOND : 0;
    delay.max = has ? loop.max / NS_PER_SECOND : 0;
    loop.reset();
  };
  registry.gauge({
    name: "nodejs_eventloop_lag_mean_seconds",
    help: "Mean event-loop delay since the previous scrape, in seconds.",
    collect: (g) => {
      read();
      g.set({}, delay.mean);
    },
  });
  for (const key of ["p50", "p90", "p99", "max"] as const) {
    const what = key === "max" ? "Longest" : `${key.slice(1)}th percentile of the`;
    gauge(`nodejs_eventloop_lag_${key}_seconds`, `${what} event-loop delay since the previous scrape, in seconds.`, () => delay[key]);
  }
  return () => loop.disable();
}
