#!/usr/bin/env node
/**
 * The `tessera` command. `tessera serve [flags]` runs the server until SIGTERM/SIGINT, then shuts
 * down gracefully. Configuration errors print one line naming the setting and exit with code 2.
 */
import { startServer } from "./app.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { StoreUnavailableError } from "./store/store.js";
import { SETTINGS, genericEnvName } from "./config/settings.js";
import { VERSION } from "./version.js";
import { gameServerCommand } from "./cli-gameserver.js";
import { adminCommand } from "./cli-admin.js";
import { userCommand } from "./cli-user.js";
import { configCommand, keysCommand, migrateCommand } from "./cli-operations.js";
import { UsageError, type Output } from "./cli-context.js";

const USAGE = `tessera ${VERSION}: player authentication and session server

Usage:
  tessera serve [--config file.yml] [flags]   run the server
  tessera migrate [flags]                     apply schema migrations, print the schema version
  tessera config check [flags]                validate the configuration, print effective settings
  tessera keys rotate|list [flags]            rotate or list the ticket signing keys
  tessera admin create|list|disable|enable    manage console users (the first admin is made here)
  tessera user show|ban|unban|sessions|logout support work on one player
  tessera gameserver create|list|delete       manage game-server credentials
  tessera <command> --help                    a command's own help
  tessera --version | --help

Flags of serve (each also settable in YAML and as an environment variable):
`;

function serveHelp(): string {
  const lines = SETTINGS.map((s) => {
    const flags = [s.flag, `--${s.path}`].filter(Boolean).join(", ");
    const envs = [s.env, genericEnvName(s.path)].filter((e, i, a) => e && a.indexOf(e) === i).join(", ");
    const def = s.default === undefined ? "" : ` (default ${JSON.stringify(s.default)})`;
    return `  ${flags}\n      ${s.doc}${def}\n      env: ${envs}`;
  });
  return USAGE + "  --config <file>\n      YAML file with the settings below (env: TESSERA_CONFIG)\n" + lines.join("\n") + "\n";
}

async function serve(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(serveHelp());
    return;
  }
  const config = loadConfig({ argv, env: process.env });
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.core.logger.info(`${signal} received, shutting down`);
    server.close().then(
      () => {
        server.core.logger.info("shutdown complete");
        process.exit(0);
      },
      (err: unknown) => {
        server.core.logger.error("shutdown failed", { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

const out: Output = (text) => process.stdout.write(text);

/** The commands run against the configured database, each with its own --help. */
const COMMANDS: Record<"gameserver" | "migrate" | "config" | "keys" | "admin" | "user", (argv: string[], out: Output) => Promise<number>> = {
  gameserver: gameServerCommand,
  migrate: migrateCommand,
  config: configCommand,
  keys: keysCommand,
  admin: adminCommand,
  user: userCommand,
};

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case "serve":
      return serve(rest);
    case "gameserver":
    case "migrate":
    case "config":
    case "keys":
    case "admin":
    case "user":
      process.exitCode = await COMMANDS[command](rest, out);
      return;
    case "--version":
    case "version":
      process.stdout.write(VERSION + "\n");
      return;
    case undefined:
    case "--help":
    case "-h":
    case "help":
      process.stdout.write(serveHelp());
      return;
    default:
      process.stderr.write(`tessera: unknown command "${command}" (try: tessera serve --help)\n`);
      process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`tessera ${err.command}: ${err.message} (see tessera ${err.command.split(" ")[0]} --help)\n`);
    process.exit(2);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`tessera: ${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof StoreUnavailableError) {
    // An operator problem (database down, wrong URL, schema too new), not a bug: no stack trace.
    process.stderr.write(`tessera: database.url: ${err.message}\n`);
    process.exit(1);
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === "EADDRINUSE") {
    process.stderr.write(`tessera: socket.port: the address is already in use (${e.message})\n`);
    process.exit(2);
  }
  process.stderr.write(`tessera: failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(err)}\n`);
  process.exit(1);
});
