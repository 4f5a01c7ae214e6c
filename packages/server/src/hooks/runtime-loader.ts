/**
 * Loading runtime modules at start: every `.js`/`.mjs` file directly in `runtime.path` (sorted by
 * name; helpers belong in subdirectories) is imported and its exported `InitModule(ctx, logger,
 * nk, initializer)` awaited. Any failure stops start-up with a `ConfigError` naming
 * `runtime.path`, the file and, where it can be found, the line: a server must not run with half
 * of its hooks.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { ConfigError } from "../config/config.js";
import type { Core } from "../core.js";
import type { HookRegistry } from "./hook-registry.js";
import { createInitializer } from "./initializer.js";
import { createNakama } from "./nk.js";
import { initContext } from "./runtime-context.js";
import { moduleLogger } from "./runtime-logger.js";
import type { Nakama } from "./runtime-types.js";

/** Longest a module may take to load and run InitModule before start-up gives up. */
export const INIT_TIMEOUT_MS = 60_000;

const SETTING = "runtime.path";

/** Loads the modules of `runtime.path` (if set) into `registry`. */
export async function loadRuntimeModules(core: Core, registry: HookRegistry): Promise<void> {
  const configured = core.config.runtime.path;
  if (configured === undefined) return;
  const dir = resolve(configured);
  const files = moduleFiles(dir);
  const nk = createNakama(core);
  for (const file of files) await loadModule(core, registry, nk, file);
  core.logger.info(`runtime: ${files.length} module${files.length === 1 ? "" : "s"} loaded from ${dir}`, {
    before: [...registry.before.keys()],
    after: [...registry.after.keys()],
  });
}

function moduleFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "ENOENT" ? "no such directory" : e.code === "ENOTDIR" ? "not a directory" : e.message;
    throw new ConfigError(SETTING, `${dir}: ${why}`);
  }
  return names
    .filter((name) => /\.m?js$/.test(name))
    .sort()
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).isFile());
}

async function loadModule(core: Pick<Core, "logger">, registry: HookRegistry, nk: Nakama, file: string): Promise<void> {
  const url = pathToFileURL(file).href;
  let exports: Record<string, unknown>;
  try {
    exports = (await within(import(url), `${file}: loading did not finish within ${INIT_TIMEOUT_MS / 1000} s`)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(SETTING, oneLine(loadFailure(file, url, err)));
  }
  const init = exports["InitModule"];
  if (typeof init !== "function") {
    throw new ConfigError(SETTING, `${file}: does not export an InitModule function (export function InitModule(ctx, logger, nk, initializer) { ... })`);
  }
  const logger = moduleLogger(core.logger, basename(file));
  const initializer = createInitializer(registry, core.logger, file, logger, nk);
  try {
    await within(
      Promise.resolve().then(() => init(initContext(), logger, nk, initializer.api)),
      `${file}: InitModule did not finish within ${INIT_TIMEOUT_MS / 1000} s`,
    );
  } catch (err) {
    if (err instanceof StartupTimeout) throw new ConfigError(SETTING, err.message);
    core.logger.error(`runtime: InitModule of ${file} failed`, { error: err instanceof Error ? err : inspect(err) });
    const line = lineIn(err instanceof Error ? (err.stack ?? "") : "", file, url);
    throw new ConfigError(SETTING, oneLine(`${file}${line === undefined ? "" : `:${line}`}: InitModule failed: ${errorText(err)}`));
  } finally {
    initializer.close();
  }
  registry.modules.push(file);
}

class StartupTimeout extends Error {}

function within<T>(work: Promise<T>, message: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new StartupTimeout(message)), INIT_TIMEOUT_MS);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolvePromise(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** `file:line: reason` for a module that could not be imported (syntax error, missing import, top-level throw). */
function loadFailure(file: string, url: string, err: unknown): string {
  if (err instanceof StartupTimeout) return err.message;
  const error = err instanceof Error ? err : undefined;
  const message = error?.message ?? String(err);

  // tsx/esbuild (development) reports "<file>:<line>:<column>: ERROR: <reason>" in the message.
  const transform = /^(.+?):(\d+):\d+: ERROR: (.+)$/m.exec(message);
  if (transform && (transform[1] === file || transform[1] === url)) return `${file}:${transform[2]}: SyntaxError: ${transform[3]}`;

  // Link and evaluation errors name "<url>:<line>" in the stack; so do syntax errors on newer Node.
  let line: number | "parses" | undefined = lineIn(error?.stack ?? "", file, url);
  let reason = errorText(err);
  if (error instanceof SyntaxError && line === undefined) {
    // Node 20 drops the location of a syntax error in a dynamically imported module: ask its checker.
    line = syntaxErrorLine(file);
    if (line === "parses") {
      line = undefined;
      reason += " (the file itself parses: the error is in a module it imports)";
    }
  }
  return `${file}${line === undefined ? "" : `:${line}`}: ${reason}`;
}

/** The first `<file or url>:<line>` in `text`. */
function lineIn(text: string, file: string, url: string): number | undefined {
  for (const name of [url, file]) {
    const m = new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ":(\\d+)").exec(text);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** Runs `node --check` on the source as an ES module; the line of its syntax error, or "parses". */
function syntaxErrorLine(file: string): number | "parses" | undefined {
  let source: Buffer;
  try {
    source = readFileSync(file);
  } catch {
    return undefined;
  }
  const env = { ...process.env };
  delete env["NODE_OPTIONS"];
  const check = spawnSync(process.execPath, ["--input-type=module", "--check"], { input: source, encoding: "utf8", timeout: 10_000, env });
  if (check.status === 0) return "parses";
  const m = /^\[stdin\]:(\d+)/m.exec(check.stderr ?? "");
  return m ? Number(m[1]) : undefined;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return inspect(err, { depth: 2, breakLength: Infinity });
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
