/**
 * A throwaway Redis for tests: its own `redis-server` on a spare loopback port, keeping nothing on
 * disk, that a test may kill and start again on the same port, and that is killed when the test
 * process exits. Without `redis-server` on PATH, `redisSkip()` says how to install it; with CI=true
 * the suites fail instead of skipping.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const INSTALL_HINT = "install it with: apt-get install -y redis-server";

/** Undefined when `redis-server` can run; otherwise why not and how to install it. */
export function redisSkipReason(): string | undefined {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return `redis-server is not on PATH (${probe.error?.message ?? `exit ${probe.status}`}); ${INSTALL_HINT}`;
  return undefined;
}

/** The `skip` option for a describe that needs Redis: a reason, or false; throws under CI=true. */
export function redisSkip(): string | false {
  const reason = redisSkipReason();
  if (reason === undefined) return false;
  if (process.env["CI"] === "true") throw new Error(`CI=true requires redis-server. ${reason}`);
  return reason;
}

/** A port that was free a moment ago. */
export async function sparePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export class TestRedis {
  private child: ChildProcess | undefined;
  private output = "";
  private readonly dir = mkdtempSync(join(tmpdir(), "tessera-redis-"));

  private constructor(readonly port: number) {}

  /** Starts a Redis on `port` (default: a spare one) and waits until it answers PING. */
  static async start(port?: number): Promise<TestRedis> {
    const redis = new TestRedis(port ?? (await sparePort()));
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.child !== undefined;
  }

  /** (Re)starts the server on its port and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.child) return;
    this.output = "";
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir, "--loglevel", "warning"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout!.on("data", (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.output += d.toString()));
    running.add(child);
    child.once("exit", () => running.delete(child));
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await this.answersPing())) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await this.kill();
        throw new Error(`redis-server did not start on port ${this.port}:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the server at once (SIGKILL: as a crash, no goodbye to its clients) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await exited;
    }
  }

  /** Kills the server and removes its directory. */
  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Publishes a raw text message (tests of what the bus does with foreign messages). */
  async publishRaw(channel: string, text: string): Promise<void> {
    const command = `*3\r\n$7\r\nPUBLISH\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n$${Buffer.byteLength(text)}\r\n${text}\r\n`;
    const answer = await this.roundTrip(command);
    if (!answer.startsWith(":")) throw new Error(`PUBLISH failed: ${answer}`);
  }

  private async answersPing(): Promise<boolean> {
    try {
      return (await this.roundTrip("PING\r\n")).startsWith("+PONG");
    } catch {
      return false;
    }
  }

  private roundTrip(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: "127.0.0.1", port: this.port });
      let answer = "";
      socket.setTimeout(2000, () => socket.destroy(new Error("no answer")));
      socket.on("connect", () => socket.write(command));
      socket.on("data", (d: Buffer) => {
        answer += d.toString();
        if (answer.endsWith("\r\n")) {
          socket.end();
          resolve(answer);
        }
      });
      socket.on("error", reject);
    });
  }
}
