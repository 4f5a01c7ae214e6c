/**
 * What the providers whose credential is one signed token share (Apple, Google, Facebook, OpenID
 * Connect): the token's input rules, the sign-in limits' key, the three operations over one
 * `prove`, and the account profile read from the claims an OpenID Connect ID token carries.
 */
import { createHash } from "node:crypto";
import { invalidArgument } from "../../shared/api-error.js";
import type { IdentityProfile } from "../../store/store.js";
import { claimedSubject, MAX_ID_TOKEN_LENGTH, type VerifiedClaims } from "../social/id-token.js";
import { field, type AccountProfile, type Credential, type LinkProof, type Provider, type ProviderCore } from "./provider.js";

/** Nakama's column sizes: a longer display name or avatar URL is dropped, not stored cut. */
export const MAX_DISPLAY_NAME_CHARS = 255;
export const MAX_AVATAR_URL_CHARS = 512;

/** The `token` field: present (`required`, Nakama's 400) and of a sane length. */
export function tokenOf(credential: Credential, required: string): string {
  const token = field(credential, "token");
  if (token === "") throw invalidArgument(required);
  if (token.length > MAX_ID_TOKEN_LENGTH) throw invalidArgument(`Token invalid, must be at most ${MAX_ID_TOKEN_LENGTH} characters.`);
  return token;
}

/** Sign-in limits per provider subject: the token's claimed `sub`, unverified (a key, never an identity). */
export function tokenSubjectIdentifier(kind: string): NonNullable<Provider["signInIdentifier"]> {
  return (body) => {
    const sub = claimedSubject(body["token"]);
    return sub === undefined ? undefined : `${kind}:${sub}`;
  };
}

/**
 * The three operations of a provider whose credential proves one identity through `prove`
 * (checked input first, then the provider's check); an unlink with an empty credential unlinks
 * whatever identity of the provider the account holds, as Nakama's does.
 */
export function provedBy(
  prove: (core: ProviderCore, credential: Credential) => { readonly prove: () => Promise<LinkProof> },
  credentialGiven: (credential: Credential) => boolean = (c) => field(c, "token") !== "",
): Pick<Provider<string>, "checkSignIn" | "proveLink" | "unlinkSubject"> {
  return {
    checkSignIn: (core, credential) => prove(core, credential),
    proveLink: (core, credential) => prove(core, credential).prove(),
    async unlinkSubject(core, credential) {
      if (!credentialGiven(credential)) return undefined;
      return (await prove(core, credential).prove()).identity.subject;
    },
  };
}

/** `nonce` (Tessera): when the client sends one, the token's must equal it or its SHA-256 in hex (Apple's iOS flow hashes it). */
export function nonceMatches(claims: VerifiedClaims, nonce: string): boolean {
  const claimed = claims["nonce"];
  return typeof claimed === "string" && (claimed === nonce || claimed === createHash("sha256").update(nonce).digest("hex"));
}

/** An OpenID Connect claim that is a non-empty string. */
export function stringClaim(claims: VerifiedClaims, name: string): string | undefined {
  const v = claims[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** `email_verified` is a boolean, or the string "true" (Apple). */
function emailVerified(claims: VerifiedClaims): boolean {
  const v = claims["email_verified"];
  return v === true || v === "true";
}

/** The display name, avatar and verified email of standard claims (`name`, `picture`, `email` + `email_verified`). */
export function profileOfClaims(claims: VerifiedClaims, options: { emailVerifiedByDefault?: boolean } = {}): AccountProfile {
  const email = stringClaim(claims, "email");
  const verified = claims["email_verified"] === undefined ? options.emailVerifiedByDefault === true : emailVerified(claims);
  return accountProfile(stringClaim(claims, "name"), stringClaim(claims, "picture"), verified ? email : undefined);
}

/** An account profile from what a provider said, dropping values a column could not hold. */
export function accountProfile(name: string | undefined, picture: string | undefined, verifiedEmail: string | undefined): AccountProfile {
  return {
    displayName: name !== undefined && name.length <= MAX_DISPLAY_NAME_CHARS ? name : undefined,
    avatarUrl: picture !== undefined && picture.length <= MAX_AVATAR_URL_CHARS && /^https?:\/\//i.test(picture) ? picture : undefined,
    verifiedEmail,
  };
}

/** The identity's recorded profile: the claims named, when present. */
export function profileClaims(claims: VerifiedClaims, names: readonly string[]): IdentityProfile {
  const out: Record<string, string | boolean> = {};
  for (const name of names) {
    const v = claims[name];
    if (typeof v === "string" || typeof v === "boolean") out[name] = v;
  }
  return out;
}
