/**
 * Game Center's public key certificates: fetched from the `public_key_url` a client sends (which
 * must match `social.gamecenter.key_url_pattern`, https on an Apple host by default), accepted
 * only when issued by one of the configured trust roots (`social.gamecenter.trust_roots`: Apple's
 * signing CA and its intermediate) and valid now, and kept per URL for an hour (at most 32 URLs).
 * Nakama checks none of this since 2021; without it any certificate on any apple.com path would do.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError, type Config } from "../../config/config.js";
import type { Clock } from "../../shared/time.js";
import { CredentialRejectedError } from "./provider-errors.js";
import { fetchProvider } from "./provider-http.js";

const CACHE_MS = 60 * 60_000;
const MAX_CACHED = 32;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export class GameCenterCertificates {
  private readonly roots: X509Certificate[];
  private readonly cache = new Map<string, { cert: X509Certificate; expiresAt: number }>();

  constructor(
    private readonly config: Config["social"]["gamecenter"],
    private readonly timeoutMs: number,
    private readonly clock: Clock,
  ) {
    this.roots = config.trustRoots.flatMap((file) => readTrustRoots(file));
  }

  /** The certificate at `url`, checked; `CredentialRejectedError` for a URL or certificate that is not acceptable. */
  async certificate(url: string): Promise<X509Certificate> {
    if (url.length > 2048 || !this.config.keyUrlPattern.test(url)) throw new CredentialRejectedError("public key URL is not an allowed Game Center URL");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CredentialRejectedError("public key URL does not parse");
    }
    if (parsed.username !== "" || parsed.password !== "") throw new CredentialRejectedError("public key URL carries credentials");
    const now = this.clock.now();
    const cached = this.cache.get(url);
    if (cached !== undefined && now < cached.expiresAt && validAt(cached.cert, now)) return cached.cert;

    const answer = await fetchProvider({ service: "Game Center certificate", url, timeoutMs: this.timeoutMs });
    if (answer.status !== 200) throw new CredentialRejectedError(`public key URL answered HTTP ${answer.status}`);
    const cert = parseCertificate(answer.body);
    if (!validAt(cert, now)) throw new CredentialRejectedError("certificate is not valid now");
    if (cert.publicKey.asymmetricKeyType !== "rsa") throw new CredentialRejectedError("certificate key is not RSA");
    if (!this.roots.some((root) => validAt(root, now) && cert.checkIssued(root) && cert.verify(root.publicKey))) {
      throw new CredentialRejectedError("certificate is not issued by a configured trust root");
    }
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(url, { cert, expiresAt: Math.min(now + CACHE_MS, Date.parse(cert.validTo)) });
    return cert;
  }
}

function validAt(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

/** Apple serves DER (`.cer`); PEM is accepted too. */
function parseCertificate(body: Buffer): X509Certificate {
  try {
    return new X509Certificate(body);
  } catch {
    throw new CredentialRejectedError("public key URL did not answer with a certificate");
  }
}

function readTrustRoots(file: string): X509Certificate[] {
  const setting = "social.gamecenter.trust_roots";
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(setting, `cannot read ${file}: ${(err as Error).message}`);
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new ConfigError(setting, `${file} holds no PEM certificate`);
  return blocks.map((pem) => {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw new ConfigError(setting, `${file} holds a certificate that does not parse: ${(err as Error).message}`);
    }
  });
}
