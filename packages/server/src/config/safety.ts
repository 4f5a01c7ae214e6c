/**
 * Settings that work but are unsafe in production. They produce warnings; with `production: true`
 * they stop start-up instead.
 */
import { ConfigError, namesPostgres, type Config } from "./config.js";
import { MIN_KEY_BYTES } from "../session/keys.js";

export interface SafetyFinding {
  setting: string;
  message: string;
}

export function safetyFindings(config: Config): SafetyFinding[] {
  const findings: SafetyFinding[] = [];
  if (config.socket.serverKey === "defaultkey") {
    findings.push({ setting: "socket.server_key", message: "is the public default 'defaultkey'; set your own (--server-key or TESSERA_SERVER_KEY)" });
  }
  for (const [setting, key] of [
    ["session.encryption_key", config.session.encryptionKey],
    ["session.refresh_encryption_key", config.session.refreshEncryptionKey],
  ] as const) {
    if (key !== undefined && Buffer.byteLength(key) < MIN_KEY_BYTES) {
      findings.push({ setting, message: `is shorter than ${MIN_KEY_BYTES} bytes; use a random key (or leave it empty to have one generated)` });
    }
  }
  const steam = config.social.steam;
  if (steam.publisherKey !== undefined && steam.apiUrl.startsWith("http:")) {
    findings.push({ setting: "social.steam.api_url", message: "is plain http: the Steam publisher key would travel unencrypted; use https" });
  }
  if (namesPostgres(config.database) && (config.session.encryptionKey === undefined || config.session.refreshEncryptionKey === undefined)) {
    findings.push({
      setting: config.session.encryptionKey === undefined ? "session.encryption_key" : "session.refresh_encryption_key",
      message:
        "is not set while database.url is PostgreSQL: this node signs tokens with keys generated into its own data directory, and every other node " +
        "sharing the database will refuse them. Set session.encryption_key and session.refresh_encryption_key to the same values on every node (docs/deployment.md)",
    });
  }
  return findings;
}

/** Throws for the first finding in production mode; returns the findings to warn about otherwise. */
export function enforceSafety(config: Config): SafetyFinding[] {
  const findings = safetyFindings(config);
  if (config.production && findings.length > 0) {
    const first = findings[0]!;
    throw new ConfigError(first.setting, `${first.message} (refused because production is on)`);
  }
  return findings;
}
