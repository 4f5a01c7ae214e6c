/**
 * `tessera gameserver create|list|delete`: managing game-server credentials against the configured
 * database (the same configuration flags as `serve`), with or without a running server.
 */
import { ConfigError, loadConfig } from "../config/config.js";
import { ApiError } from "../shared/api-error.js";
import { createGameServer, deleteGameServer, listGameServers } from "../tickets/game-servers.js";
import { withCommandCore } from "./command-context.js";

export const GAMESERVER_USAGE = `Usage:
  tessera gameserver create <identity> [flags]   create a credential; prints its secret once
  tessera gameserver list [flags]                list credentials (configured and created)
  tessera gameserver delete <identity> [flags]   delete a created credential; its tokens stop working
Flags: the configuration flags of \`tessera serve\` (--config, --data-dir, --database-url, ...).
`;

export async function gameServerCommand(argv: readonly string[], out: (text: string) => void): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === "--help" || action === "-h" || rest.includes("--help")) {
    out(GAMESERVER_USAGE);
    return action === undefined ? 2 : 0;
  }
  const needsIdentity = action === "create" || action === "delete";
  if (!needsIdentity && action !== "list") throw new ConfigError("gameserver", `unknown action "${action}" (create, list or delete)`);
  const identity = needsIdentity ? rest[0] : undefined;
  if (needsIdentity && (identity === undefined || identity.startsWith("--"))) throw new ConfigError("gameserver", `${action} needs an identity`);
  const config = loadConfig({ argv: needsIdentity ? rest.slice(1) : rest, env: process.env });
  try {
    await withCommandCore(config, async (core) => {
      if (action === "create") {
        const created = await createGameServer(core, identity);
        out(`identity: ${created.identity}\nsecret: ${created.secret}\n(the secret is shown only now; give it to the game server)\n`);
      } else if (action === "delete") {
        await deleteGameServer(core, identity);
        out(`deleted ${identity}\n`);
      } else {
        const list = await listGameServers(core);
        out(
          list.length === 0 ? "no game servers\n" : list.map((g) => `${g.identity}\t${g.source}${g.create_time ? `\t${g.create_time}` : ""}`).join("\n") + "\n",
        );
      }
    });
    return 0;
  } catch (err) {
    if (err instanceof ApiError) {
      out(`tessera gameserver ${action}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
