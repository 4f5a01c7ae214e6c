/**
 * Facebook Instant Games (docs/providers.md): `signed_player_info` is `<signature>.<payload>`,
 * both base64url, the signature HMAC-SHA256 of the payload segment under
 * `social.facebook_instant_game.app_secret` (compared in constant time), the payload JSON naming
 * `player_id` and `issued_at`. Unlike Nakama: no secret means not configured (an empty key would
 * verify anything), `issued_at` must be recent (`max_age_sec`), a bad signature is a 401 rather
 * than a 500, and an empty player id is refused.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { failedPrecondition, invalidArgument } from "../../shared/api-error.js";
import { checkWithProvider } from "../social/provider-check.js";
import { CredentialRejectedError } from "../social/provider-errors.js";
import { field, type Credential, type LinkProof, type Provider, type ProviderCore } from "./provider.js";
import { provedBy } from "./token-credential.js";

export const FacebookInstantGameMessages = {
  notConfigured: "Facebook Instant Game authentication is not configured.",
  required: "Signed Player Info for a Facebook Instant Game is required.",
  notAuthenticated: "Could not authenticate Facebook Instant Game profile.",
  inUse: "Facebook Instant Game ID is already in use.",
} as const;

/** Real signed player info is a few hundred characters; a request payload may add some. */
export const MAX_SIGNED_PLAYER_INFO = 8192;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const LABEL = { label: "Facebook Instant Games", notAuthenticated: FacebookInstantGameMessages.notAuthenticated };

export const facebookInstantGameProvider: Provider<"facebookinstantgame"> = {
  name: "facebookinstantgame",
  wire: {
    path: "facebookinstantgame",
    hooks: { authenticate: "AuthenticateFacebookInstantGame", link: "LinkFacebookInstantGame", unlink: "UnlinkFacebookInstantGame" },
    fields: { signed_player_info: { description: "FBInstant.player.getSignedPlayerInfoAsync()'s signature: <signature>.<payload>, base64url." } },
    link: { kind: "fields", vars: true },
    unlink: { kind: "fields", vars: true },
    summaries: {
      authenticate: "Sign in with Facebook Instant Games' signed player info (HMAC-SHA256 under the app secret, issued recently). docs/providers.md.",
      link: "Link the Instant Games player id signed player info proves (409 if another account has it). docs/providers.md.",
      unlink: "Unlink the Instant Games player id: the one signed player info proves, or with none the account's; refused (400) if it is the last identity.",
    },
  },
  perAccount: "one",
  messages: { inUse: FacebookInstantGameMessages.inUse, notLinked: "Facebook Instant Game ID is not linked to this account." },
  accountField: { shape: "subject", in: "user", key: "facebook_instant_game_id" },
  console: { searchField: "facebook_instant_game_id", summaryKey: "facebook_instant_game_id" },
  signInIdentifier(body) {
    const id = typeof body["signed_player_info"] === "string" ? claimedPlayerId(body["signed_player_info"]) : undefined;
    return id === undefined ? undefined : `facebookinstantgame:${id}`;
  },
  ...provedBy(
    (core, credential) => {
      const secret = core.config.social.facebookInstantGame.appSecret;
      if (secret === undefined) throw failedPrecondition(FacebookInstantGameMessages.notConfigured);
      const info = signedPlayerInfoOf(credential);
      return { prove: () => checkWithProvider(core.logger, LABEL, async () => verifySignedPlayerInfo(core, secret, info)) };
    },
    (credential) => field(credential, "signed_player_info") !== "",
  ),
};

function signedPlayerInfoOf(credential: Credential): string {
  const info = field(credential, "signed_player_info");
  if (info === "") throw invalidArgument(FacebookInstantGameMessages.required);
  if (info.length > MAX_SIGNED_PLAYER_INFO) throw invalidArgument(`Signed Player Info invalid, must be at most ${MAX_SIGNED_PLAYER_INFO} characters.`);
  return info;
}

interface PlayerInfoPayload {
  algorithm?: unknown;
  issued_at?: unknown;
  player_id?: unknown;
}

function verifySignedPlayerInfo(core: ProviderCore, secret: string, info: string): LinkProof {
  const parts = info.split(".");
  if (parts.length !== 2 || !BASE64URL.test(parts[0]!) || !BASE64URL.test(parts[1]!))
    throw new CredentialRejectedError("not <signature>.<payload> in base64url");
  const [signaturePart, payloadPart] = parts as [string, string];
  const expected = createHmac("sha256", secret).update(payloadPart).digest();
  const signature = Buffer.from(signaturePart, "base64url");
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw new CredentialRejectedError("signature does not verify");

  const payload = parsePayload(payloadPart);
  if (payload.algorithm !== "HMAC-SHA256") throw new CredentialRejectedError("algorithm is not HMAC-SHA256");
  if (typeof payload.player_id !== "string" || payload.player_id === "" || Buffer.byteLength(payload.player_id) > 128) {
    throw new CredentialRejectedError("player_id is missing or longer than 128 bytes");
  }
  if (typeof payload.issued_at !== "number" || !Number.isSafeInteger(payload.issued_at)) throw new CredentialRejectedError("issued_at is not a whole number");
  const { maxAgeSec } = core.config.social.facebookInstantGame;
  const { leewaySec } = core.config.social;
  const nowSec = core.clock.now() / 1000;
  if (payload.issued_at > nowSec + leewaySec) throw new CredentialRejectedError("issued_at is in the future");
  if (payload.issued_at < nowSec - maxAgeSec - leewaySec) throw new CredentialRejectedError("issued_at is too old");
  return { identity: { provider: "facebookinstantgame", subject: payload.player_id, profile: {} } };
}

function parsePayload(part: string): PlayerInfoPayload {
  try {
    const payload: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw new Error("not an object");
    return payload as PlayerInfoPayload;
  } catch {
    throw new CredentialRejectedError("payload is not a JSON object");
  }
}

/** The player id the payload claims, unverified: only the sign-in limits' key. */
function claimedPlayerId(info: string): string | undefined {
  const payloadPart = info.length <= MAX_SIGNED_PLAYER_INFO ? info.split(".")[1] : undefined;
  if (payloadPart === undefined) return undefined;
  try {
    const id = (JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8")) as PlayerInfoPayload).player_id;
    return typeof id === "string" && id !== "" && id.length <= 128 ? id : undefined;
  } catch {
    return undefined;
  }
}
