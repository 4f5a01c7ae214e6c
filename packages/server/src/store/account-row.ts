/**
 * An account and its identities as the store returns them (store.ts re-exports these with the
 * other row types; they live here so the store's parts, such as admin-store.ts, can name them
 * without importing store.ts back).
 */

/** Times are unix milliseconds unless a name says otherwise. */
export interface AccountRow {
  id: string;
  username: string;
  displayName: string | null;
  avatarUrl: string | null;
  langTag: string;
  location: string | null;
  timezone: string | null;
  metadata: string;
  /** argon2id of the account's password (set with an email identity, kept where credentials live). */
  passwordHash: string | null;
  createTime: number;
  updateTime: number;
  verifyTime: number | null;
  disableTime: number | null;
  /** Set with `disableTime`: what kind of ban (tickets answer VACBanned or PublisherIssuedBan). */
  banKind: BanKind | null;
  banReason: string | null;
}

export type BanKind = "publisher" | "vac";

/**
 * An identity that signs an account in: a provider (`device`, `email`, `custom`, `steam` …) and
 * the provider's id for the player (an email identity's subject is the lower-cased address).
 * Unique across accounts.
 */
export interface IdentityKey {
  provider: string;
  subject: string;
}

/** JSON object: what the provider said at the last sign-in or link (Steam: `owner_id`, `vac_banned`). */
export type IdentityProfile = Readonly<Record<string, string | number | boolean | null>>;

export interface NewIdentity extends IdentityKey {
  profile: IdentityProfile;
}

export interface IdentityRow extends NewIdentity {
  accountId: string;
  createTime: number;
  /** The last sign-in with it (or its link). */
  lastUseTime: number;
}
