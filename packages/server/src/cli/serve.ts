/**
 * `tessera serve [flags]`: runs the server until SIGTERM/SIGINT, then shuts down gracefully; its
 * help lists every setting with its flag and environment variable.
 */
import { loadConfig } from "../config/config.js";
import { SETTINGS, genericEnvName } from "../config/settings.js";
import { VERSION } from "../shared/version.js";

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

export function serveHelp(): string {
  const lines = SETTINGS.map((s) => {
    const flags = [s.flag, `--${s.path}`].filter(Boolean).join(", ");
    const envs = [s.env, genericEnvName(s.path)].filter((e, i, a) => e && a.indexOf(e) === i).join(", ");
    const def = s.default === undefined ? "" : ` (default ${JSON.stringify(s.default)})`;
    return `  ${flags}\n      ${s.doc}${def}\n      env: ${envs}`;
  });
  return USAGE + "  --config <file>\n      YAML file with the settings below (env: TESSERA_CONFIG)\n" + lines.join("\n") + "\n";
}

export async function serveCommand(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(serveHelp());
    return;
  }
  const config = loadConfig({ argv, env: process.env });
  // The server's modules load once the flags are known good: `--help` and a bad flag answer at once.
  const { startServer } = await import("../app.js");
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
