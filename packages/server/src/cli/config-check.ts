/**
 * `tessera config check`: load and validate the configuration exactly as `tessera serve` would,
 * print the safety findings and every setting's effective value.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { usageRequested, UsageError, EXIT_OK, EXIT_USAGE, type Output } from "./command-context.js";
import { ConfigError, effectiveSettings, loadConfig, type Config } from "../config/config.js";
import { safetyFindings } from "../config/safety.js";
import { KEY_FILE } from "../session/keys.js";

export const CONFIG_USAGE = `Usage:
  tessera config check [flags]
      Load and validate the configuration exactly as \`tessera serve\` would (YAML file,
      TESSERA_* environment, flags), print the safety findings and every setting's effective
      value with where it came from. Secrets are never printed, only whether they are set.
Flags: the configuration flags of \`tessera serve\` (--config, --data-dir, ...).
Exit codes: 0 valid (warnings may be printed), 2 invalid, or unsafe with production: true.
`;

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
  let config: Config;
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
  out(
    findings.length === 0
      ? "configuration is valid; no safety findings\n"
      : `configuration is valid, with ${findings.length} safety finding${findings.length === 1 ? "" : "s"}:\n`,
  );
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
