/**
 * The claims of Tessera's session tokens, which are Nakama's: `tid` (session id), `uid`, `usn`,
 * `vrs`, `exp`, `iat`. Refresh tokens add `rgn`, the rotation generation, so a rotated-out refresh
 * token can be told from the current one; access tokens must not carry it, which (with separate
 * keys) keeps one kind from passing as the other.
 */
import { signHs256, verifyHs256, TokenError } from "./jwt.js";
import type { Vars } from "./vars.js";
import { UUID } from "../shared/ids.js";

export interface SessionClaims {
  tid: string;
  uid: string;
  usn: string;
  vrs: Vars;
  exp: number;
  iat: number;
}

export interface RefreshClaims extends SessionClaims {
  rgn: number;
}

/** Claims in Nakama's order; `vrs` omitted when empty. */
function ordered(c: SessionClaims): Record<string, unknown> {
  const out: Record<string, unknown> = { tid: c.tid, uid: c.uid, usn: c.usn };
  if (Object.keys(c.vrs).length > 0) out["vrs"] = c.vrs;
  out["exp"] = c.exp;
  out["iat"] = c.iat;
  return out;
}

export function signAccessToken(claims: SessionClaims, key: Buffer): string {
  return signHs256(ordered(claims), key);
}

export function signRefreshToken(claims: RefreshClaims, key: Buffer): string {
  const payload = ordered(claims);
  payload["rgn"] = claims.rgn;
  return signHs256(payload, key);
}

/** Verifies an access token; `nowSec` is the current unix time in seconds. */
export function verifyAccessToken(token: string, key: Buffer, nowSec: number): SessionClaims {
  const payload = verifyHs256(token, key);
  if (payload["rgn"] !== undefined) throw new TokenError("claims");
  return checkClaims(payload, nowSec);
}

export function verifyRefreshToken(token: string, key: Buffer, nowSec: number): RefreshClaims {
  const payload = verifyHs256(token, key);
  const rgn = payload["rgn"];
  if (typeof rgn !== "number" || !Number.isSafeInteger(rgn) || rgn < 0) throw new TokenError("claims");
  return { ...checkClaims(payload, nowSec), rgn };
}

function checkClaims(p: Record<string, unknown>, nowSec: number): SessionClaims {
  const { tid, uid, usn, vrs, exp, iat } = p;
  if (typeof tid !== "string" || !UUID.test(tid)) throw new TokenError("claims");
  if (typeof uid !== "string" || !UUID.test(uid)) throw new TokenError("claims");
  if (typeof usn !== "string") throw new TokenError("claims");
  if (typeof exp !== "number" || !Number.isSafeInteger(exp)) throw new TokenError("claims");
  if (typeof iat !== "number" || !Number.isSafeInteger(iat)) throw new TokenError("claims");
  let vars: Vars = {};
  if (vrs !== undefined) {
    if (typeof vrs !== "object" || vrs === null || Array.isArray(vrs)) throw new TokenError("claims");
    for (const v of Object.values(vrs)) if (typeof v !== "string") throw new TokenError("claims");
    vars = vrs as Vars;
  }
  if (nowSec >= exp) throw new TokenError("expired");
  return { tid, uid, usn, vrs: vars, exp, iat };
}
