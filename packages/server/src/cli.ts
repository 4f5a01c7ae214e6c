#!/usr/bin/env node
/**
 * The `tessera` command. `tessera serve [flags]` runs the server until SIGTERM/SIGINT, then shuts
 * down gracefully. Configuration errors print one line naming the setting and exit with code 2.
 */
import { ConfigError } from "./config/config.js";
import { StoreUnavailableError } from "./store/store.js";
import { VERSION } from "./shared/version.js";
import { gameServerCommand } from "./cli/gameserver.js";
import { adminCommand } from "./cli/admin.js";
import { userCommand } from "./cli/user.js";
import { migrateCommand } from "./cli/migrate.js";
import { configCommand } from "./cli/config-check.js";
import { keysCommand } from "./cli/keys.js";
import { serveCommand, serveHelp } from "./cli/serve.js";
import { UsageError, type Output } from "./cli/command-context.js";

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
      return serveCommand(rest);
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
