/**
 * A provider's signing keys (a JWKS: Apple's, Google's, Facebook's, an OpenID Connect issuer's),
 * fetched when first needed and kept for an hour (or the provider's `Cache-Control: max-age`,
 * between 5 minutes and a day). A token naming a key that is not in the set refreshes it at once
 * (a provider rotating its keys is not refused for an hour, as Nakama does), at most once per
 * `cooldownMs` so forged key ids cannot make the server hammer the provider. When a refresh
 * fails, the keys already known keep verifying; with none known the check is an outage (503).
 * Key selection and import are jose's (`createLocalJWKSet`).
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTHeaderParameters, type FlattenedJWSInput } from "jose";
import type { Clock } from "../../shared/time.js";
import { CredentialRejectedError, ProviderUnavailableError } from "./provider-errors.js";
import { fetchProviderJson } from "./provider-http.js";

export const KEY_SET_MAX_AGE_MS = 60 * 60_000;
const MIN_MAX_AGE_MS = 5 * 60_000;
const MAX_MAX_AGE_MS = 24 * 60 * 60_000;
/** The shortest time between two refreshes caused by an unknown key id. */
export const KEY_SET_COOLDOWN_MS = 30_000;

export interface RemoteKeySetOptions {
  /** "Apple keys", "Google keys" … for errors and logs. */
  readonly service: string;
  /** The JWKS URL; a function for OpenID Connect, where discovery says it. */
  readonly url: string | (() => Promise<string>);
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly cooldownMs?: number;
}

type KeyOf = ReturnType<typeof createLocalJWKSet>;
type Key = Awaited<ReturnType<KeyOf>>;

export class RemoteKeySet {
  private keys: KeyOf | undefined;
  private expiresAt = -Infinity;
  private lastFetch = -Infinity;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: RemoteKeySetOptions) {}

  /** jose's key resolver for `jwtVerify`: the key the token's header names. */
  readonly getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<Key> => {
    const now = this.options.clock.now();
    if (this.keys === undefined || now >= this.expiresAt) await this.refresh();
    try {
      return await this.select(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      if (this.options.clock.now() - this.lastFetch < (this.options.cooldownMs ?? KEY_SET_COOLDOWN_MS))
        throw new CredentialRejectedError("no key matches the token's kid");
      await this.refresh();
      try {
        return await this.select(header, token);
      } catch (again) {
        if (again instanceof errors.JWKSNoMatchingKey) throw new CredentialRejectedError("no key matches the token's kid");
        throw again;
      }
    }
  };

  private async select(header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<Key> {
    if (this.keys === undefined) throw new ProviderUnavailableError(this.options.service, "no keys could be fetched");
    return this.keys(header, token);
  }

  /** One fetch at a time; a failure keeps the keys already known (and throws only when there are none). */
  private refresh(): Promise<void> {
    this.inFlight ??= this.fetchKeys().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    const { service, timeoutMs, clock } = this.options;
    this.lastFetch = clock.now();
    try {
      const url = typeof this.options.url === "string" ? this.options.url : await this.options.url();
      const answer = await fetchProviderJson({ service, url, timeoutMs });
      if (answer.status !== 200) throw new ProviderUnavailableError(service, `answered HTTP ${answer.status}`);
      const set = usableKeys(answer.body, service);
      this.keys = createLocalJWKSet(set);
      const maxAge = answer.maxAgeSec === undefined ? KEY_SET_MAX_AGE_MS : Math.min(MAX_MAX_AGE_MS, Math.max(MIN_MAX_AGE_MS, answer.maxAgeSec * 1000));
      this.expiresAt = clock.now() + maxAge;
    } catch (err) {
      if (this.keys === undefined) throw err;
      // Stale keys keep working while the provider is unreachable; the next token tries again after the cooldown.
      this.expiresAt = clock.now() + (this.options.cooldownMs ?? KEY_SET_COOLDOWN_MS);
    }
  }
}

/** The signing keys of a JWKS document: `{keys: [...]}`, keeping keys meant for signatures. */
function usableKeys(body: unknown, service: string): JSONWebKeySet {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new ProviderUnavailableError(service, "answered without a keys list");
  const usable = keys.filter(
    (k): k is JSONWebKeySet["keys"][number] =>
      typeof k === "object" && k !== null && typeof (k as { kty?: unknown }).kty === "string" && ((k as { use?: unknown }).use ?? "sig") === "sig",
  );
  if (usable.length === 0) throw new ProviderUnavailableError(service, "answered with no signing keys");
  return { keys: usable };
}
