/**
 * Facebook Instant Games' signed player info as `FBInstant.player.getSignedPlayerInfoAsync()`
 * gives it: `<signature>.<payload>`, both base64url without padding, the signature
 * HMAC-SHA256 of the payload segment under the app secret.
 *
 * @example
 * const t = await startTestServer(instantGamesSettings());
 * await t.api.withKey("/v2/account/authenticate/facebookinstantgame", { signed_player_info: signedPlayerInfo("1234") });
 */
import { createHmac } from "node:crypto";

export const INSTANT_GAMES_SECRET = "fake-instant-games-app-secret-0001";

export interface SignedPlayerInfoOptions {
  secret?: string;
  /** Unix seconds (default now on the real clock). */
  issuedAt?: number;
  algorithm?: string;
  /** Replaces the payload entirely (signed as given). */
  payload?: Record<string, unknown>;
}

/** Signed player info for `playerId`, issued now (unix seconds) under `INSTANT_GAMES_SECRET` unless told otherwise. */
export function signedPlayerInfo(playerId: string, options: SignedPlayerInfoOptions = {}): string {
  const payload = options.payload ?? {
    algorithm: options.algorithm ?? "HMAC-SHA256",
    issued_at: options.issuedAt ?? Math.floor(Date.now() / 1000),
    player_id: playerId,
    request_payload: "",
  };
  const payloadPart = Buffer.from(JSON.stringify(payload)).toString("base64url");
  const signature = createHmac("sha256", options.secret ?? INSTANT_GAMES_SECRET)
    .update(payloadPart)
    .digest("base64url");
  return `${signature}.${payloadPart}`;
}

/** The setting that configures Instant Games with `INSTANT_GAMES_SECRET`. */
export function instantGamesSettings(): Record<string, string> {
  return { "social.facebook_instant_game.app_secret": INSTANT_GAMES_SECRET };
}
