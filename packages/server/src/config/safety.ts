/**
 * Settings that work but are unsafe in production. They produce warnings; with `production: true`
 * they stop start-up instead, except advisories (`warnOnly`), which a deployment may have covered
 * outside Tessera (a load balancer that blocks `/metrics`).
 */
import { ConfigError, namesPostgres, type Config } from "./config.js";

export interface SafetyFinding {
  setting: string;
  message: string;
  /** A warning also in production. */
  warnOnly?: boolean;
}

/** Below this many bytes a configured signing key is flagged (RFC 8725: enough HMAC key entropy). */
const MIN_KEY_BYTES = 32;

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

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
  for (const [setting, url] of socialUrls(config.social)) {
    if (url.startsWith("http:")) {
      findings.push({ setting, message: "is plain http: a sign-in provider's keys or answers could be forged on the way; use https" });
    }
  }
  if (namesPostgres(config.database) && (config.session.encryptionKey === undefined || config.session.refreshEncryptionKey === undefined)) {
    findings.push({
      setting: config.session.encryptionKey === undefined ? "session.encryption_key" : "session.refresh_encryption_key",
      message:
        "is not set while database.url is PostgreSQL: this node signs tokens with keys generated into its own data directory, and every other node " +
        "sharing the database will refuse them. Set session.encryption_key and session.refresh_encryption_key to the same values on every node (docs/deployment.md)",
    });
  }
  if (config.metrics.enabled && config.metrics.token === undefined && !LOOPBACK_HOST.test(config.socket.host)) {
    findings.push({
      setting: "metrics.token",
      message: `is not set while socket.host is ${config.socket.host}: anyone who can reach the port can read GET /metrics. Set metrics.token, or metrics.enabled: false, or block /metrics in front of the server (docs/operations.md)`,
      warnOnly: true,
    });
  }
  return findings;
}

/** In production mode throws for the first finding that is not `warnOnly`; returns the findings to warn about. */
export function enforceSafety(config: Config): SafetyFinding[] {
  const findings = safetyFindings(config);
  const refused = config.production ? findings.find((f) => !f.warnOnly) : undefined;
  if (refused) throw new ConfigError(refused.setting, `${refused.message} (refused because production is on)`);
  return findings;
}

/** The URLs of the configured sign-in providers (a provider left unconfigured is never called). */
function socialUrls(social: Config["social"]): [string, string][] {
  const urls: [string, string][] = [];
  if (social.apple.bundleIds.length > 0) urls.push(["social.apple.jwks_url", social.apple.jwksUrl]);
  if (social.google.clientIds.length > 0) urls.push(["social.google.jwks_url", social.google.jwksUrl]);
  if (social.google.playGames !== undefined) {
    urls.push(["social.google.token_url", social.google.tokenUrl], ["social.google.games_player_url", social.google.gamesPlayerUrl]);
  }
  if (social.facebook.app !== undefined) urls.push(["social.facebook.graph_url", social.facebook.graphUrl]);
  if (social.facebook.limitedLoginAppId !== undefined) urls.push(["social.facebook_limited_login.jwks_url", social.facebook.limitedLoginJwksUrl]);
  social.oidc.forEach((p, i) => {
    urls.push([`social.oidc[${i}].issuer`, p.issuer]);
    if (p.jwksUrl !== undefined) urls.push([`social.oidc[${i}].jwks_url`, p.jwksUrl]);
  });
  return urls;
}
