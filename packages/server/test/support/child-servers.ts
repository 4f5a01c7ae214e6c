/**
 * `ChildServers`: the real CLI's servers (`spawnServer`) and temporary data directories of one
 * suite, stopped and removed together when it ends — for the suites that test processes
 * (start-up, signals, crashes, a refresh race across the wire).
 */
import { spawnServer, tempDir, type SpawnedServer } from "./harness.js";

/** Whether the child process of `s` is still alive. */
export function running(s: SpawnedServer): boolean {
  return s.child.exitCode === null && s.child.signalCode === null;
}

/**
 * SIGTERM and wait for the exit (SIGKILL after `ms`); resolves with the exit code or signal.
 *
 * @example
 * assert.equal(await stopServer(s), 0);
 */
export async function stopServer(s: SpawnedServer, ms = 10_000): Promise<number | string> {
  if (!running(s)) return s.exited;
  s.child.kill("SIGTERM");
  const timer = setTimeout(() => s.child.kill("SIGKILL"), ms);
  try {
    return await s.exited;
  } finally {
    clearTimeout(timer);
  }
}

export class ChildServers {
  private readonly servers: SpawnedServer[] = [];
  private readonly dirs: { remove(): void }[] = [];

  /** `prefix` names the temporary directories; `startTimeoutMs` bounds each start-up. */
  constructor(
    private readonly prefix: string,
    private readonly startTimeoutMs = 20_000,
  ) {}

  /** A fresh temporary directory, removed by `close()`. */
  dir(): string {
    const d = tempDir(this.prefix);
    this.dirs.push(d);
    return d.path;
  }

  /**
   * Starts `tessera serve` with `args` (and `env`), stopped by `close()` unless stopped before.
   *
   * @example
   * const s = await servers.serve(["--port", "0", "--data-dir", servers.dir()]);
   */
  async serve(args: string[], env?: Record<string, string>): Promise<SpawnedServer> {
    const s = await spawnServer(args, { env, timeoutMs: this.startTimeoutMs });
    this.servers.push(s);
    return s;
  }

  /** Stops every server still running (SIGKILL after `graceMs`) and removes the directories. */
  async close(graceMs = 2_000): Promise<void> {
    await Promise.all(this.servers.map((s) => stopServer(s, graceMs)));
    for (const d of this.dirs) d.remove();
  }
}
