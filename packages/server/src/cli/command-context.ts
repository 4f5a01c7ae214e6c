/**
 * What the operator commands share (`tessera migrate|config|keys|admin|user`): usage errors and
 * exit codes, splitting a command's own flags from the configuration flags of `tessera serve`,
 * and a Core for commands that run against the configured database without serving. Exit codes:
 * 0 done, 1 it could not be done (an unknown account, an unreachable database), 2 a usage or
 * configuration error.
 */
import { loadConfig, type Config } from "../config/config.js";
import type { Core } from "../core.js";
import { ApiError, GrpcCode } from "../shared/api-error.js";
import { createLogger } from "../shared/logger.js";
import { ShutdownList } from "../shutdown.js";

/** A command used wrongly: printed with a pointer to its help, exit code 2. */
export class UsageError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export type Output = (text: string) => void;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A command's own flag: `--name value` / `--name=value`, or a switch without a value. */
export interface OwnFlag {
  name: string;
  takesValue: boolean;
}

export interface SplitArgs {
  /** The command's own flags that were given (switches as "true"). */
  own: Map<string, string>;
  /** Everything else: the configuration flags, for loadConfig. */
  config: string[];
}

/** Takes a command's own flags out of `argv`; the rest are configuration flags. */
export function splitFlags(command: string, argv: readonly string[], flags: readonly OwnFlag[]): SplitArgs {
  const own = new Map<string, string>();
  const config: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const flag = flags.find((f) => f.name === name);
    if (!flag) {
      config.push(arg);
      continue;
    }
    if (!flag.takesValue) {
      if (eq !== -1) throw new UsageError(command, `${name} takes no value`);
      own.set(name, "true");
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith("--"))) throw new UsageError(command, `${name} needs a value`);
    own.set(name, value);
  }
  return { own, config };
}

/** The positional argument a command needs first (`tessera user ban <user> ...`). */
export function positional(command: string, argv: readonly string[], what: string): { value: string; rest: string[] } {
  const value = argv[0];
  if (value === undefined || value.startsWith("--")) throw new UsageError(command, `needs ${what}`);
  return { value, rest: argv.slice(1) };
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/**
 * `tessera <command> [action] ...` asking for help, or missing its action: prints `usage` and
 * returns the exit code (0 when asked for, 2 when the action is missing); undefined otherwise.
 */
export function usageRequested(argv: readonly string[], usage: string, out: Output): number | undefined {
  const [action, ...rest] = argv;
  if (action !== undefined && action !== "--help" && action !== "-h" && !wantsHelp(rest)) return undefined;
  out(usage);
  return action === undefined ? EXIT_USAGE : EXIT_OK;
}

/** Loads the configuration like `tessera serve` does (file, environment, flags). */
export function commandConfig(argv: readonly string[]): Config {
  return loadConfig({ argv, env: process.env });
}

/**
 * Runs a command's work and turns its failures into exit codes: a refused argument (400) is a
 * usage error (2); anything else the domain refuses (not found, a conflict) is 1.
 */
export async function runAction(command: string, out: Output, work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ApiError) {
      out(`tessera ${command}: ${err.message}\n`);
      return err.code === GrpcCode.INVALID_ARGUMENT ? EXIT_USAGE : EXIT_FAILED;
    }
    throw err;
  }
}

export interface CommandCore {
  core: Core;
  close(): Promise<void>;
}

/**
 * A Core over the configured database for one command (`build-core.ts`, role "command"): the same
 * store, keys, ticket services and audit log as the server's, a bus that reaches running nodes
 * when `cluster.redis_url` is set (so a ban from the CLI closes sockets at once there), no
 * runtime hooks and no sockets of its own. `close` runs its shutdown list (the audit log first).
 */
export async function openCommandCore(config: Config): Promise<CommandCore> {
  const shutdown = new ShutdownList();
  try {
    // Loaded when a command runs, not for its --help or a usage error.
    const { buildCore } = await import("../build-core.js");
    const { core } = await buildCore(config, shutdown, { role: "command", logger: createLogger("warn") });
    return { core, close: () => shutdown.run() };
  } catch (err) {
    // The reason the command could not start stays the error (and so the exit code).
    await shutdown.run().catch(() => undefined);
    throw err;
  }
}

/** Opens the command Core, runs `work`, closes it (writing the audit events) whatever happens. */
export async function withCommandCore(config: Config, work: (core: Core) => Promise<void>): Promise<void> {
  const opened = await openCommandCore(config);
  try {
    await work(opened.core);
  } finally {
    await opened.close();
  }
}
