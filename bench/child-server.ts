/**
 * Servers under test run in child processes, so the load generator (this process) never shares
 * their event loop. A child is ready when it prints its URL; its memory is read from /proc.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface ChildServer {
  url: string;
  pid: number;
  /** Everything the child printed, for failure messages. */
  output(): string;
  /** Resident set size now, in bytes (VmRSS of the child). */
  rssBytes(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node ...args` and resolves once a line of its output matches `ready` (group 1 = URL).
 */
export function startChild(args: string[], ready: RegExp, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (d: Buffer): void => {
    // Bounded: a chatty server must not grow the load generator's memory.
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within ${timeoutMs} ms: node ${args.join(" ")}\n${out}`));
    }, timeoutMs);
    const onData = (): void => {
      const m = ready.exec(out);
      if (!m || m[1] === undefined) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      const pid = child.pid!;
      resolve({
        url: m[1],
        pid,
        output: () => out,
        rssBytes: () => readRss(pid),
        async stop(graceMs = 15_000) {
          if (!alive) return;
          child.kill("SIGTERM");
          const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
          await exited;
          clearTimeout(force);
        },
      });
    };
    child.stdout!.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before it was ready: node ${args.join(" ")}\n${out}`));
    });
  });
}

/** VmRSS of a process, in bytes (Linux). */
export function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** A bench server of ours (`bench/servers/<name>.ts`), which prints `listening on <url>`. */
export function startBenchServer(name: "bare" | "better-auth", env: Record<string, string> = {}): Promise<ChildServer> {
  return startChild(["--import", "tsx", `bench/servers/${name}.ts`], /listening on (http:\/\/\S+)/, env);
}
