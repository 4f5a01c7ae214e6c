/**
 * Apple Game Center (docs/providers.md): the identity verification signature of
 * `fetchItems(forIdentityVerificationSignature:)`. The certificate at `public_key_url` must chain to
 * a configured trust root and be valid now (auth/social/gamecenter-certificates.ts); the signature
 * (RSA PKCS#1 v1.5, SHA-256) covers player id ‖ bundle id ‖ timestamp (8 bytes, big-endian) ‖ salt;
 * the bundle id must be one of `social.gamecenter.bundle_ids` and the timestamp recent. Nakama
 * checks none of the chain, validity, bundle id or age. The timestamp is signed exactly as sent; its
 * age is read as milliseconds (what Game Center gives) when it is 10^12 or more, else as seconds.
 */
import { verify } from "node:crypto";
import { failedPrecondition, invalidArgument } from "../../shared/api-error.js";
import { checkWithProvider } from "../social/provider-check.js";
import { CredentialRejectedError } from "../social/provider-errors.js";
import { field, type Credential, type LinkProof, type Provider, type ProviderCore } from "./provider.js";
import { provedBy } from "./token-credential.js";

export const GameCenterMessages = {
  notConfigured: "GameCenter authentication is not configured.",
  credentialsRequired: "GameCenter access credentials are required.",
  bundleIdRequired: "GameCenter bundle ID is required.",
  playerIdRequired: "GameCenter player ID is required.",
  publicKeyUrlRequired: "GameCenter public key URL is required.",
  saltRequired: "GameCenter salt is required.",
  signatureRequired: "GameCenter signature is required.",
  timestampRequired: "GameCenter timestamp is required.",
  timestampInvalid: "GameCenter timestamp invalid, must be a whole number of at most 20 digits.",
  notAuthenticated: "Could not authenticate GameCenter profile.",
  inUse: "GameCenter ID is already in use.",
} as const;

const FIELDS = ["player_id", "bundle_id", "timestamp_seconds", "salt", "signature", "public_key_url"] as const;
const MAX_FIELD_CHARS = 4096;
const STANDARD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const LABEL = { label: "Game Center", notAuthenticated: GameCenterMessages.notAuthenticated };

interface GameCenterCredential {
  playerId: string;
  bundleId: string;
  timestamp: bigint;
  salt: string;
  signature: string;
  publicKeyUrl: string;
}

const gameCenterOperations = provedBy(
  (core, credential) => {
    if (core.social.gamecenter === undefined) throw failedPrecondition(GameCenterMessages.notConfigured);
    const checked = gameCenterCredentialOf(credential);
    return { prove: () => checkWithProvider(core.logger, LABEL, () => verifySignature(core, checked)) };
  },
  // As Nakama: an unlink is checked only when every field is given.
  (credential) => FIELDS.every((name) => field(credential, name) !== ""),
);

export const gamecenterProvider: Provider<"gamecenter"> = {
  name: "gamecenter",
  wire: {
    path: "gamecenter",
    hooks: { authenticate: "AuthenticateGameCenter", link: "LinkGameCenter", unlink: "UnlinkGameCenter" },
    fields: {
      player_id: { description: "The player's teamPlayerID (or gamePlayerID)." },
      bundle_id: { description: "The app's bundle id; one of social.gamecenter.bundle_ids." },
      timestamp_seconds: { description: "The signature's timestamp as Game Center gave it (a string of digits)." },
      salt: { description: "The salt, standard base64." },
      signature: { description: "The signature, standard base64." },
      public_key_url: { description: "The URL of Apple's public key certificate." },
    },
    link: { kind: "fields", vars: true },
    unlink: { kind: "fields", vars: true },
    summaries: {
      authenticate:
        "Sign in with a Game Center identity verification signature (certificate chained to social.gamecenter.trust_roots, bundle id, recent timestamp). docs/providers.md.",
      link: "Link the Game Center player id a signature proves (409 if another account has it). docs/providers.md.",
      unlink: "Unlink the Game Center player id: checked when all six fields are given, else the account's; refused (400) if it is the last identity.",
    },
  },
  perAccount: "one",
  messages: { inUse: GameCenterMessages.inUse, notLinked: "GameCenter ID is not linked to this account." },
  accountField: { shape: "subject", in: "user", key: "gamecenter_id" },
  console: { searchField: "gamecenter_id", summaryKey: "gamecenter_id" },
  signInIdentifier(body) {
    const id = body["player_id"];
    return typeof id === "string" && id !== "" && id.length <= 128 ? `gamecenter:${id}` : undefined;
  },
  ...gameCenterOperations,
  // Nakama's link has no "access credentials" check: an empty body is the bundle id's message.
  proveLink(core, credential) {
    if (core.social.gamecenter !== undefined && FIELDS.every((name) => field(credential, name) === ""))
      throw invalidArgument(GameCenterMessages.bundleIdRequired);
    return gameCenterOperations.proveLink(core, credential);
  },
};

/** Nakama's order of messages; then lengths and the timestamp's form. */
function gameCenterCredentialOf(credential: Credential): GameCenterCredential {
  if (FIELDS.every((name) => field(credential, name) === "")) throw invalidArgument(GameCenterMessages.credentialsRequired);
  const required: [string, string][] = [
    ["bundle_id", GameCenterMessages.bundleIdRequired],
    ["player_id", GameCenterMessages.playerIdRequired],
    ["public_key_url", GameCenterMessages.publicKeyUrlRequired],
    ["salt", GameCenterMessages.saltRequired],
    ["signature", GameCenterMessages.signatureRequired],
  ];
  for (const [name, message] of required) if (field(credential, name) === "") throw invalidArgument(message);
  const timestamp = field(credential, "timestamp_seconds");
  if (timestamp === "" || /^0+$/.test(timestamp)) throw invalidArgument(GameCenterMessages.timestampRequired);
  if (!/^\d{1,20}$/.test(timestamp) || BigInt(timestamp) > 0xffff_ffff_ffff_ffffn) throw invalidArgument(GameCenterMessages.timestampInvalid);
  for (const name of FIELDS) {
    if (field(credential, name).length > MAX_FIELD_CHARS) throw invalidArgument(`GameCenter ${name} invalid, must be at most ${MAX_FIELD_CHARS} characters.`);
  }
  if (Buffer.byteLength(field(credential, "player_id")) > 128) throw invalidArgument("GameCenter player ID invalid, must be at most 128 bytes.");
  return {
    playerId: field(credential, "player_id"),
    bundleId: field(credential, "bundle_id"),
    timestamp: BigInt(timestamp),
    salt: field(credential, "salt"),
    signature: field(credential, "signature"),
    publicKeyUrl: field(credential, "public_key_url"),
  };
}

async function verifySignature(core: ProviderCore, c: GameCenterCredential): Promise<LinkProof> {
  const { bundleIds, maxAgeSec } = core.config.social.gamecenter;
  if (!bundleIds.includes(c.bundleId)) throw new CredentialRejectedError("bundle id is not one of social.gamecenter.bundle_ids");
  const nowMs = core.clock.now();
  const signedMs = c.timestamp >= 1_000_000_000_000n ? Number(c.timestamp) : Number(c.timestamp) * 1000;
  const leewayMs = core.config.social.leewaySec * 1000;
  if (signedMs > nowMs + leewayMs) throw new CredentialRejectedError("timestamp is in the future");
  if (signedMs < nowMs - maxAgeSec * 1000 - leewayMs) throw new CredentialRejectedError("timestamp is too old");
  if (!STANDARD_BASE64.test(c.salt) || !STANDARD_BASE64.test(c.signature)) throw new CredentialRejectedError("salt or signature is not standard base64");

  const cert = await core.social.gamecenter!.certificate(c.publicKeyUrl);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(c.timestamp);
  const signed = Buffer.concat([Buffer.from(c.playerId, "utf8"), Buffer.from(c.bundleId, "utf8"), time, Buffer.from(c.salt, "base64")]);
  if (!verify("sha256", signed, cert.publicKey, Buffer.from(c.signature, "base64"))) throw new CredentialRejectedError("signature does not verify");
  return { identity: { provider: "gamecenter", subject: c.playerId, profile: { bundle_id: c.bundleId } } };
}
