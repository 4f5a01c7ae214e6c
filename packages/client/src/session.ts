/**
 * A signed-in session: the access token, the refresh token (Unity's "session token"), and the
 * claims decoded from them. Decoding is base64url + UTF-8, so usernames like `zoë` or `名前` and
 * any vars come back exactly (nakama-js 2.8 gets these wrong).
 */

export interface TokenClaims {
  /** Session id (`tid`). */
  tid: string;
  /** User id (`uid`). */
  uid: string;
  /** Username (`usn`). */
  usn: string;
  /** Session variables (`vrs`). */
  vrs?: Record<string, string>;
  /** Expiry, unix seconds. */
  exp: number;
  /** Issued at, unix seconds. */
  iat: number;
}

/**
 * Decodes a JWT's payload without verifying it (the client cannot; the server does).
 *
 * @example
 * decodeClaims(session.token).usn; // "zoë"
 */
export function decodeClaims(token: string): TokenClaims {
  const c = decodePayload(token) as Partial<TokenClaims>;
  if (typeof c !== "object" || c === null || typeof c.uid !== "string" || typeof c.exp !== "number" || typeof c.iat !== "number") {
    throw new Error("Malformed token: missing uid, exp or iat.");
  }
  return { tid: String(c.tid ?? ""), uid: c.uid, usn: String(c.usn ?? ""), vrs: c.vrs ?? {}, exp: c.exp, iat: c.iat };
}

/** A JWT's payload, not verified: any token of the server (players' or game servers'). */
export function decodePayload(token: string): unknown {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) throw new Error("Malformed token: expected three dot-separated parts.");
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(base64UrlToBytes(parts[1])));
  } catch {
    throw new Error("Malformed token: the payload is not base64url-encoded UTF-8 JSON.");
  }
  return payload;
}

function base64UrlToBytes(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * A session as the server issued it.
 *
 * @example
 * const session = await client.authenticateDevice("my-device-000001");
 * session.userId; session.username; session.vars;
 * if (session.isExpired(Date.now() / 1000)) { ... }
 */
export class Session {
  /** The access token (Bearer). */
  readonly token: string;
  /** The refresh token: Unity's long-lived "session token". */
  readonly refreshToken: string;
  /** True when the sign-in created the account. */
  readonly created: boolean;
  readonly sessionId: string;
  readonly userId: string;
  readonly username: string;
  readonly vars: Readonly<Record<string, string>>;
  /** Access token expiry and issue time, unix seconds, as the server wrote them. */
  readonly expiresAt: number;
  readonly issuedAt: number;
  /** Refresh token expiry, unix seconds. */
  readonly refreshExpiresAt: number;

  constructor(token: string, refreshToken: string, created = false) {
    const claims = decodeClaims(token);
    const refreshClaims = decodeClaims(refreshToken);
    this.token = token;
    this.refreshToken = refreshToken;
    this.created = created;
    this.sessionId = claims.tid;
    this.userId = claims.uid;
    this.username = claims.usn;
    this.vars = claims.vrs ?? {};
    this.expiresAt = claims.exp;
    this.issuedAt = claims.iat;
    this.refreshExpiresAt = refreshClaims.exp;
  }

  /**
   * Rebuilds a session from stored tokens.
   *
   * @example
   * const session = Session.restore(saved.token, saved.refreshToken);
   */
  static restore(token: string, refreshToken: string): Session {
    return new Session(token, refreshToken, false);
  }

  /** The access token's lifetime in seconds, from its own claims (`exp - iat`): no device clock involved. */
  get lifetimeSec(): number {
    return this.expiresAt - this.issuedAt;
  }

  /**
   * Whether the access token has expired at `time` (unix seconds).
   *
   * @example
   * session.isExpired(Date.now() / 1000);
   */
  isExpired(time: number): boolean {
    return this.expiresAt <= time;
  }

  /**
   * Whether the refresh token has expired at `time` (unix seconds).
   *
   * @example
   * if (session.isRefreshExpired(Date.now() / 1000)) signInAgain();
   */
  isRefreshExpired(time: number): boolean {
    return this.refreshExpiresAt <= time;
  }
}
