/**
 * What the sign-in providers keep between requests (`Core.social`): each provider's signing keys
 * (fetched once, refreshed on an unknown key id), each OpenID Connect issuer's discovery, the
 * Game Center certificates and trust roots. Built once per process from `social.*`; a provider
 * that is not configured has none.
 */
import type { Config, OidcProviderConfig } from "../../config/config.js";
import type { Clock } from "../../shared/time.js";
import { GameCenterCertificates } from "./gamecenter-certificates.js";
import { ProviderUnavailableError } from "./provider-errors.js";
import { fetchProviderJson } from "./provider-http.js";
import { RemoteKeySet } from "./remote-key-set.js";

/** An OpenID Connect provider of `social.oidc` with its keys. */
export interface OidcIssuer {
  readonly config: OidcProviderConfig;
  readonly keys: RemoteKeySet;
}

export interface SocialServices {
  readonly appleKeys: RemoteKeySet | undefined;
  readonly googleKeys: RemoteKeySet | undefined;
  readonly facebookLimitedLoginKeys: RemoteKeySet | undefined;
  readonly gamecenter: GameCenterCertificates | undefined;
  readonly oidc: ReadonlyMap<string, OidcIssuer>;
}

export function socialServices(config: Config["social"], clock: Clock): SocialServices {
  const timeoutMs = config.timeoutMs;
  const keySet = (service: string, url: string | (() => Promise<string>)) => new RemoteKeySet({ service, url, timeoutMs, clock });
  return {
    appleKeys: config.apple.bundleIds.length > 0 ? keySet("Apple keys", config.apple.jwksUrl) : undefined,
    googleKeys: config.google.clientIds.length > 0 ? keySet("Google keys", config.google.jwksUrl) : undefined,
    facebookLimitedLoginKeys:
      config.facebook.limitedLoginAppId !== undefined ? keySet("Facebook Limited Login keys", config.facebook.limitedLoginJwksUrl) : undefined,
    gamecenter: config.gamecenter.bundleIds.length > 0 ? new GameCenterCertificates(config.gamecenter, timeoutMs, clock) : undefined,
    oidc: new Map(
      config.oidc.map((p) => [p.name, { config: p, keys: keySet(`${p.name} keys`, p.jwksUrl ?? (() => discoveredJwksUrl(p, timeoutMs))) }] as const),
    ),
  };
}

/**
 * The `jwks_uri` of an issuer's discovery document (OpenID Connect Discovery 1.0 §4), whose
 * `issuer` must be the configured one exactly (§4.3): a document naming another issuer is not
 * this provider's. Read when the keys are (first use, unknown key id), so never more often.
 */
async function discoveredJwksUrl(provider: OidcProviderConfig, timeoutMs: number): Promise<string> {
  const service = `${provider.name} discovery`;
  const url = `${provider.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const answer = await fetchProviderJson({ service, url, timeoutMs });
  if (answer.status !== 200) throw new ProviderUnavailableError(service, `answered HTTP ${answer.status}`);
  const doc = answer.body as { issuer?: unknown; jwks_uri?: unknown } | null;
  if (typeof doc !== "object" || doc === null) throw new ProviderUnavailableError(service, "answered with something that is not a discovery document");
  if (doc.issuer !== provider.issuer)
    throw new ProviderUnavailableError(service, `names issuer ${JSON.stringify(doc.issuer)}, not the configured ${provider.issuer}`);
  if (typeof doc.jwks_uri !== "string" || !/^https?:\/\//.test(doc.jwks_uri)) throw new ProviderUnavailableError(service, "has no http(s) jwks_uri");
  return doc.jwks_uri;
}
