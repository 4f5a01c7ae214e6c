/**
 * `tessera migrate`: apply the pending schema migrations without starting the server (e.g. before
 * a rolling upgrade). Reads the same configuration as `tessera serve`.
 */
import { ShutdownList } from "../shutdown.js";
import { newestSchemaVersion } from "../store/open-store.js";
import { commandConfig, wantsHelp, EXIT_OK, type Output } from "./command-context.js";

export const MIGRATE_USAGE = `Usage:
  tessera migrate [flags]
      Apply the pending schema migrations to the configured database and print its schema
      version. The server also migrates at start; this lets you do it first, e.g. before a
      rolling upgrade. Refuses a database whose schema is newer than this Tessera.
Flags: the configuration flags of \`tessera serve\` (--config, --data-dir, --database-url, ...).
Exit codes: 0 migrated, 1 the database cannot be opened, 2 configuration error.
`;

export async function migrateCommand(argv: readonly string[], out: Output): Promise<number> {
  if (wantsHelp(argv)) {
    out(MIGRATE_USAGE);
    return EXIT_OK;
  }
  const config = commandConfig(argv);
  // Only the store: migrating needs no keys, bus or ticket keys (and creates none).
  const shutdown = new ShutdownList();
  try {
    const { openCoreStore } = await import("../build-core.js");
    const { store, description, backend } = await openCoreStore(config, shutdown);
    const version = await store.schemaVersion();
    out(`database: ${description}\nschema version: ${version} (the newest this Tessera knows: ${newestSchemaVersion(backend)})\n`);
  } finally {
    await shutdown.run();
  }
  return EXIT_OK;
}
