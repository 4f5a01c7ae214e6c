/**
 * `tessera migrate`, `tessera config check` and `tessera keys rotate|list`: running a deployment
 * without starting the server. Each reads the same configuration as `tessera serve`.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { CLI_ACTOR } from "./audit/audit-events.js";
import { commandConfig, runAction, usageRequested, UsageError, wantsHelp, withCommandCore, EXIT_OK, EXIT_USAGE, type Output } from "./cli-context.js";
import { ConfigError, effectiveSettings, loadConfig } from "./config/config.js";
import { safetyFindings } from "./config/safety.js";
import { KEY_FILE } from "./session/keys.js";
import { openStore } from "./store/open-store.js";
import { MIGRATIONS } from "./store/sqlite/migrations.js";
import { rfc3339 } from "./time-format.js";

export const MIGRATE_USAGE = `Usage:
  tessera migrate [flags]
      Apply the pending schema migrations to the configured database and print its schema
      version. The server also migrates at start; this lets you do it first, e.g. before a
      rolling upgrade. Refuses a database whose schema is newer than this Tessera.
Flags: the configuration flags of \`tessera serve\` (--config, --data-dir, --database-url, ...).
Exit codes: 0 migrated, 1 the database cannot be opened, 2 configuration error.
`;

export const CONFIG_USAGE = `Usage:
  tessera config check [flags]
      Load and validate the configuration exactly as \`tessera serve\` would (YAML file,
      TESSERA_* environment, flags), print the safety findings and every setting's effective
      value with where it came from. Secrets are never printed, only whether they are set.
Flags: the configuration flags of \`tessera serve\` (--config, --data-dir, ...).
Exit codes: 0 valid (warnings may be printed), 2 invalid, or unsafe with production: true.
`;

export const KEYS_USAGE = `Usage:
  tessera keys rotate [flags]
      Rotate the Ed25519 key that signs auth session tickets (docs/tickets.md): a new key signs
      from now on; the old one keeps verifying, and stays in /.well-known/jwks.json, until a day
      after the last ticket it signed expired. Running servers pick the new key up within a
      minute. Recorded in the audit log (ticket_key_rotated, actor "cli").
  tessera keys list [flags]
      The ticket signing keys: key id, created, retired.

  What this does NOT rotate: the HS256 keys that sign players' access and refresh tokens
  (session.encryption_key and session.refresh_encryption_key, or <data_dir>/keys.json when they
  are not configured). Tessera has no overlap period for them: changing either key makes every
  token signed with the old one invalid, so every player must sign in again. To do that on
  purpose (a leaked key), set new values in the configuration of every node (or delete
  keys.json on a single node) and restart.
Flags: the configuration flags of \`tessera serve\` (--config, --data-dir, --database-url, ...).
Exit codes: 0 done, 1 the database cannot be opened, 2 usage or configuration error.
`;

export async function migrateCommand(argv: readonly string[], out: Output): Promise<number> {
  if (wantsHelp(argv)) {
    out(MIGRATE_USAGE);
    return EXIT_OK;
  }
  const config = commandConfig(argv);
  const { store, description } = await openStore(config.database, resolve(config.dataDir));
  try {
    const version = await store.schemaVersion();
    out(`database: ${description}\nschema version: ${version} (the newest this Tessera knows: ${MIGRATIONS.at(-1)!.version})\n`);
  } finally {
    await store.close();
  }
  return EXIT_OK;
}

function shown(value: string | number | boolean | undefined, secret: boolean): string {
  if (secret) return value === undefined || value === "" ? "(not set)" : "(set)";
  return value === undefined || value === "" ? "(not set)" : typeof value === "string" ? value : JSON.stringify(value);
}

export async function configCommand(argv: readonly string[], out: Output): Promise<number> {
  const help = usageRequested(argv, CONFIG_USAGE, out);
  if (help !== undefined) return help;
  const [action, ...rest] = argv as [string, ...string[]];
  if (action !== "check") throw new UsageError("config", `unknown action "${action}" (check)`);
  const sources = { argv: rest, env: process.env };
  let config;
  try {
    config = loadConfig(sources);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    out(`tessera config check: ${err.message}\n`);
    return EXIT_USAGE;
  }
  const findings = safetyFindings(config);
  const settings = effectiveSettings(sources);
  const width = Math.max(...settings.map((s) => s.path.length));
  out(findings.length === 0 ? "configuration is valid; no safety findings\n" : `configuration is valid, with ${findings.length} safety finding${findings.length === 1 ? "" : "s"}:\n`);
  for (const f of findings) out(`  ${config.production ? "refused" : "warning"}: ${f.setting} ${f.message}\n`);
  if (config.session.encryptionKey === undefined || config.session.refreshEncryptionKey === undefined) {
    const file = join(resolve(config.dataDir), KEY_FILE);
    out(`session signing keys: from ${file} (${existsSync(file) ? "exists" : "created at first start"})\n`);
  }
  out("\neffective settings:\n");
  for (const s of settings) out(`  ${s.path.padEnd(width)}  ${shown(s.value, s.secret)}  [${s.source}]\n`);
  if (config.production && findings.length > 0) {
    out("\nproduction is on: `tessera serve` refuses to start with these settings\n");
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

export async function keysCommand(argv: readonly string[], out: Output): Promise<number> {
  const help = usageRequested(argv, KEYS_USAGE, out);
  if (help !== undefined) return help;
  const [action, ...rest] = argv as [string, ...string[]];
  if (action !== "rotate" && action !== "list") throw new UsageError("keys", `unknown action "${action}" (rotate or list)`);
  const config = commandConfig(rest);
  return runAction(`keys ${action}`, out, () =>
    withCommandCore(config, async (core) => {
      if (action === "rotate") {
        const previous = core.tickets.keyring.jwks().keys[0]?.kid;
        const kid = await core.tickets.keyring.rotate();
        core.audit.record({ kind: "ticket_key_rotated", actor: CLI_ACTOR, details: { kid, previous } });
        out(`ticket signing key rotated: ${kid} signs from now on${previous ? `; ${previous} keeps verifying until it is purged` : ""}\n`);
        out("(the session token keys are not changed; see tessera keys --help)\n");
        return;
      }
      for (const k of await core.store.tickets.ticketKeys()) {
        out(`${k.kid}\tcreated ${rfc3339(k.createdAt)}\t${k.retiredAt === null ? "signing" : `retired ${rfc3339(k.retiredAt)}`}\n`);
      }
    }),
  );
}
