/**
 * Test harness: real Tessera servers on ephemeral ports with real SQLite files in temporary
 * directories, in-process (`startTestServer`) or as a child process of the real CLI
 * (`spawnServer`), and a small HTTP client that returns status, headers and parsed JSON.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type StartOptions, type TesseraServer } from "../../src/app.js";
import { loadConfig } from "../../src/config/config.js";
import type { Logger } from "../../src/shared/logger.js";

export const SERVER_KEY = "defaultkey";
const SERVER_DIR = fileURLToPath(new URL("../..", import.meta.url));
const SRC_DIR = join(SERVER_DIR, "src");
const DIST_DIR = join(SERVER_DIR, "dist");

/** True when every source file has its compiled file in dist/, at least as new as it. */
function distIsFresh(dir = SRC_DIR): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!distIsFresh(path)) return false;
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      const built = join(DIST_DIR, relative(SRC_DIR, path)).replace(/\.ts$/, ".js");
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs) return false;
    }
  }
  return true;
}

let cliArgs: string[] | undefined;
/**
 * How a test runs the real CLI: the built `dist/cli.js` when it is as new as every source file
 * (`npm test` builds first), which starts in half the time; otherwise the sources through tsx, so a
 * test file run right after an edit never runs stale code.
 */
function cli(): string[] {
  return (cliArgs ??= distIsFresh() ? [join(DIST_DIR, "cli.js")] : ["--import", "tsx", join(SRC_DIR, "cli.ts")]);
}

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "tessera-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestServer {
  url: string;
  server: TesseraServer;
  dataDir: string;
  api: Api;
  /** Stops the server (keeps the data directory). */
  stop(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  close(): Promise<void>;
}

/** A logger that keeps every entry as a line `LEVEL message {fields}`, for tests of what was logged. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message}${fields ? " " + JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.stack : v)) : ""}`);
  return { logger: { debug: sink("DEBUG"), info: sink("INFO"), warn: sink("WARN"), error: sink("ERROR") }, lines };
}

/**
 * The sign-in rate limits off. Suites sign in hundreds of times a minute from 127.0.0.1, so the
 * harness turns the limits off unless a test sets them (the rate-limit suite does).
 */
export const NO_SIGN_IN_LIMITS = { "ratelimit.signin_per_ip": 0, "ratelimit.signin_per_identifier": 0 } as const;

/**
 * Starts a server in this process on port 0. `settings` are config paths (`session.token_expiry_sec`);
 * the sign-in rate limits are off unless `settings` sets them.
 * Pass `dataDir` to reuse a directory (restart tests), `options.logger` to see what the server logs,
 * `options.clock` to control time.
 */
export async function startTestServer(
  settings: Record<string, string | number | boolean> = {},
  dataDir?: string,
  options: StartOptions = {},
): Promise<TestServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "tessera-test-"));
  const config = loadConfig({ env: {}, overrides: { "socket.port": 0, data_dir: dir, ...NO_SIGN_IN_LIMITS, ...settings } });
  const server = await startServer(config, { ...options, logger: options.logger ?? quietLogger });
  return {
    url: server.url,
    server,
    dataDir: dir,
    api: new Api(server.url),
    stop: () => server.close(),
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  body?: unknown;
  /** Raw body text (sent as is). */
  rawBody?: string;
  /** HTTP Basic with this server key. */
  serverKey?: string;
  /** Bearer token. */
  bearer?: string;
  headers?: Record<string, string>;
}

/** Minimal HTTP client for tests: never throws on a status, parses JSON bodies. */
export class Api {
  constructor(readonly url: string) {}

  async call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.serverKey !== undefined) headers["Authorization"] = "Basic " + Buffer.from(options.serverKey + ":").toString("base64");
    if (options.bearer !== undefined) headers["Authorization"] = "Bearer " + options.bearer;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    const res = await fetch(this.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // Leave non-JSON bodies as text.
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  /** POST with the server key (authenticate, refresh). */
  withKey<T = any>(path: string, body: unknown = {}, serverKey = SERVER_KEY): Promise<ApiResponse<T>> {
    return this.call<T>("POST", path, { body, serverKey });
  }

  /** Call with a bearer token. */
  withToken<T = any>(method: string, path: string, token: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.call<T>(method, path, body === undefined ? { bearer: token } : { bearer: token, body });
  }

  /** Signs in by device (creating the account) and returns the session JSON; throws on failure. */
  async device(id: string, query = ""): Promise<{ token: string; refresh_token: string; created?: boolean }> {
    const res = await this.withKey(`/v2/account/authenticate/device${query}`, { id });
    if (res.status !== 200) throw new Error(`device sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/** Decodes a JWT payload (base64url, UTF-8). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** NO_SIGN_IN_LIMITS as environment variables (flags and `options.env` still win). */
const NO_SIGN_IN_LIMITS_ENV = { TESSERA_RATELIMIT_SIGNIN_PER_IP: "0", TESSERA_RATELIMIT_SIGNIN_PER_IDENTIFIER: "0" };

/**
 * Runs the real CLI (`tessera serve ...args`) in a child process and waits for its start-up line.
 * Rejects with the process output if it exits or prints nothing usable within `timeoutMs`. The
 * sign-in rate limits are off unless `args` or `options.env` set them.
 */
export function spawnServer(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [...cli(), "serve", ...args], {
    cwd: SERVER_DIR,
    env: { ...process.env, ...NO_SIGN_IN_LIMITS_ENV, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start in time; output:\n${out}`));
    }, options.timeoutMs ?? 20_000);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve({ url: m[1]!, child, output: () => out, exited });
      }
    };
    child.stdout!.on("data", onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening; output:\n${out}`));
    });
  });
}

/** Runs the CLI to completion; resolves with exit code and output. `input` is written to its standard input. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cli(), ...args], {
      cwd: SERVER_DIR,
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`CLI did not finish in time; output:\n${out}`));
    }, options.timeoutMs ?? 20_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? -1, output: out });
    });
  });
}
