/**
 * Provider credentials the SDK suites sign themselves, so a real server checks real signatures:
 * an issuer of ID tokens (an RS256 key pair and its JWKS served over HTTP on port 0) that stands
 * for Apple or an OpenID Connect provider, and Facebook Instant Games' signed player info (an
 * HMAC-SHA256 under the app secret).
 */
import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

/** An ID token issuer: `sign` makes tokens its JWKS verifies; `url` is its base, `jwksUrl` its keys. */
export interface TokenIssuer {
  readonly url: string;
  readonly jwksUrl: string;
  /** An ID token for `sub` with audience `aud`, issued by `iss` (default this issuer's `url`), valid for an hour. */
  sign(claims: { sub: string; aud: string; iss?: string; [claim: string]: unknown }): Promise<string>;
  close(): Promise<void>;
}

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const server = createServer((req, res) => {
    if (req.url !== "/jwks") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    jwksUrl: `${url}jwks`,
    async sign({ sub, aud, iss, ...rest }) {
      return new SignJWT(rest)
        .setProtectedHeader({ alg: "RS256", kid })
        .setIssuer(iss ?? url)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Facebook Instant Games' signed player info for `playerId`, issued at `issuedAtSec` (default now). */
export function signedPlayerInfo(secret: string, playerId: string, issuedAtSec = Math.floor(Date.now() / 1000)): string {
  const payload = Buffer.from(JSON.stringify({ algorithm: "HMAC-SHA256", issued_at: issuedAtSec, player_id: playerId, request_payload: "" })).toString(
    "base64url",
  );
  return `${createHmac("sha256", secret).update(payload).digest("base64url")}.${payload}`;
}
