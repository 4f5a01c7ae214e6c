/**
 * The one interface every sign-in provider implements (device, email, custom id, Steam; later
 * Apple, Google …). A provider says what its credential looks like on the wire, how a credential
 * proves an identity (`{subject, profile}`), and its link, unlink and display rules; the routes,
 * the hook payloads, the find-or-create and link/unlink flows, the account JSON, the console
 * search and the metrics are generated from these declarations (auth/providers/registry.ts).
 */
import type { Core } from "../../core.js";
import type { HookName } from "../../hooks/runtime-types.js";
import type { ApiError } from "../../shared/api-error.js";
import type { AccountSearchField } from "../../store/admin-store.js";
import type { AccountRow, IdentityRow, NewIdentity } from "../../store/store.js";

/** A console search field of one provider's subjects. */
export type IdentitySearchField = Exclude<AccountSearchField, "any" | "id" | "username">;

/** What providers may use of the `Core`: the checks they make reach no further. */
export type ProviderCore = Pick<Core, "config" | "store" | "passwords" | "steam" | "social" | "logger" | "clock">;

/**
 * A credential as the client sent it: the provider's body fields (`wire.fields`), each a string
 * ("" when absent), as in Nakama's `Account*` messages. `vars` is not part of it.
 */
export type Credential = Readonly<Record<string, string>>;

/** How a link or unlink body carries the credential. */
export type CredentialBody =
  /** The fields at the top level (`{id}`, `{email, password}`), with `vars` when `vars` is set (`{token, vars}`). */
  | { readonly kind: "fields"; readonly vars: boolean }
  /** Nakama's `Link<X>Request`: `{account: {<fields>, vars}, sync}` (Steam's link). */
  | { readonly kind: "account_and_sync" };

/** A body field of the credential, for validation and the API docs. */
export interface CredentialField {
  readonly description?: string;
}

/** The provider's Nakama wire names: paths, hooks, body fields. */
export interface ProviderWire {
  /** The last path segment of `/v2/account/authenticate/<path>`, `/v2/account/link/<path>`, `/v2/account/unlink/<path>`. */
  readonly path: string;
  /** Nakama's hook names of the three calls (`AuthenticateDevice`, `LinkDevice`, `UnlinkDevice`). */
  readonly hooks: { readonly authenticate: HookName; readonly link: HookName; readonly unlink: HookName };
  /** The credential's body fields, in Nakama's names; every one is a string. */
  readonly fields: Readonly<Record<string, CredentialField>>;
  /** Nakama's friend import flag: on sign-in as a query parameter (nakama-js sends it in the body: both are read). */
  readonly sync?: boolean;
  readonly link: CredentialBody;
  readonly unlink: CredentialBody;
  /**
   * Path parameters after `path` (`oidc/{name}`), given to the provider as credential fields of
   * the same names: the route's `/v2/account/authenticate/oidc/{name}`.
   */
  readonly pathParams?: readonly string[];
  /** One line each for the API docs. */
  readonly summaries: { readonly authenticate: string; readonly link: string; readonly unlink: string };
}

/** Where the provider's identities show in Nakama's account JSON (`GET /v2/account`). */
export type AccountField =
  /** The subject of the account's one identity as a string: `email`, `custom_id` at the top, `steam_id` in `user`. */
  | { readonly shape: "subject"; readonly in: "account" | "user"; readonly key: string }
  /** Every identity of the provider in link order as `[{id}]`: `devices`. */
  | { readonly shape: "id_list"; readonly in: "account"; readonly key: string }
  /** Not in Nakama's account JSON (OpenID Connect: Nakama has no such field); the console and the SDK's identity list show it. */
  | { readonly shape: "none" };

/**
 * What a provider said about the player beyond the subject, used when it creates an account (as
 * Nakama does): the display name and avatar, and an email the provider verified, which becomes
 * the account's email identity (without a password) unless another account holds it. Never
 * written over what an account already has.
 */
export interface AccountProfile {
  readonly displayName?: string | undefined;
  readonly avatarUrl?: string | undefined;
  /** Only an address the provider says it verified. */
  readonly verifiedEmail?: string | undefined;
}

/** What the sign-in request says beyond the credential. */
export interface SignInRequest {
  /** The `username` query parameter, unchecked; undefined when absent or empty. */
  readonly username: string | undefined;
}

/**
 * A sign-in credential that passed the input rules; `prove` makes the checks that cost (a
 * password hash, a call to Steam). Split in two so the username is checked between them, in
 * Nakama's order of messages.
 */
export interface CheckedSignIn {
  prove(): Promise<SignInProof>;
}

interface ProofRules {
  /** The provider's profile of the player, for a new account (and for filling empty fields on a link). */
  readonly accountProfile?: AccountProfile;
  /**
   * Whether the credential's secret matches the account found (an email sign-in's password),
   * checked before its ban so a ban is not revealed without the password. False: audited and
   * answered 401 "Invalid credentials.".
   */
  matches?(account: AccountRow): Promise<boolean>;
  /**
   * The player is proven but turned away (Steam: a VAC ban with `social.steam.refuse_vac_banned`).
   * What the provider said is still recorded on an account that holds the identity.
   */
  readonly refusal?: ApiError | undefined;
  /** Answers a sign-in that finds no account and may not create one; default 404 "User account not found.". */
  unknown?(): Promise<never>;
}

/** What a sign-in credential proves. */
export type SignInProof =
  | (ProofRules & {
      /** The identity to find the account by, or to create it with. */
      readonly identity: NewIdentity;
      /** The password hash a new account gets with this identity (email), computed only when one is created. */
      newPasswordHash?(): Promise<string>;
    })
  | (ProofRules & {
      /** Found without an identity (email sign-in by username and password): never creates an account. */
      readonly identity: undefined;
      readonly account: AccountRow | undefined;
    });

/** What a link credential proves. */
export interface LinkProof {
  readonly identity: NewIdentity;
  /** As in `SignInProof`: fills what the account lacks (an empty display name, no email). */
  readonly accountProfile?: AccountProfile;
  /** The password set on the account with the identity (email), hashed only once the identity is known to be free. */
  passwordHash?(): Promise<string>;
  /** As in `SignInProof`: proven, recorded on an account already holding it, and refused. */
  readonly refusal?: ApiError | undefined;
}

export interface Provider<N extends string = string> {
  /** The `identities.provider` value; also the `provider` of audit events and of the sign-in metrics. */
  readonly name: N;
  readonly wire: ProviderWire;
  /** `one`: a link replaces the account's identity of this provider (email, custom, Steam); `many`: links add (device). */
  readonly perAccount: "one" | "many";
  /** The account's password lives with this identity: set when it is linked, cleared when it is unlinked (email). */
  readonly holdsPassword?: boolean;
  readonly messages: {
    /** 409 when another account holds the identity. */
    readonly inUse: string;
    /** 404 when unlinking an identity the account does not hold. */
    readonly notLinked: string;
  };
  readonly accountField: AccountField;
  /**
   * The console: the account search's `field` value for this provider's subjects (the store's
   * search ranges over the provider's subjects for it), and the key of a hit's subject in a summary.
   */
  readonly console: { readonly searchField: IdentitySearchField; readonly summaryKey: string };
  /** Operator-only facts from an identity's profile, for the console's account page (Steam's owner and VAC status). */
  operatorFields?(identity: IdentityRow): Readonly<Record<string, string | boolean>>;
  /**
   * The sign-in rate limits' identifier (`device:<id>`) from the checked body and query; none:
   * counted per client address only (Steam's id is known only after Steam's check).
   */
  signInIdentifier?(body: Record<string, unknown>, query: URLSearchParams): string | undefined;

  /** Sign-in: the input rules at once (400), the costly checks in `prove`. */
  checkSignIn(core: ProviderCore, credential: Credential, request: SignInRequest): CheckedSignIn;
  /** Link: the identity the credential proves, with the password to set. */
  proveLink(core: ProviderCore, credential: Credential): Promise<LinkProof>;
  /** Unlink: the subject to unlink, or undefined for whatever identity of this provider the account holds (Steam without a ticket). */
  unlinkSubject(core: ProviderCore, credential: Credential): Promise<string | undefined>;
  /**
   * Which of the account's identities of this provider an unlink without a subject means (an
   * OpenID Connect provider's, by its name); default any.
   */
  holds?(credential: Credential, subject: string): boolean;
}

/** The sign-in rate limits' identifier `<kind>:<value>` for a non-empty string, else none. */
export function identifierOf(kind: string, value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? `${kind}:${value}` : undefined;
}

/** A credential field ("" when absent). */
export function field(credential: Credential, name: string): string {
  return credential[name] ?? "";
}

/**
 * The credential checks of a provider whose credential is one `id` field, checked by `check` and
 * trusted as sent, with no profile (device, custom id): sign-in, link and unlink all read it alike.
 */
export function idFieldChecks(provider: string, check: (id: string) => string): Pick<Provider<string>, "checkSignIn" | "proveLink" | "unlinkSubject"> {
  const identityOf = (credential: Credential) => ({ provider, subject: check(field(credential, "id")), profile: NO_PROFILE });
  return {
    checkSignIn(_core, credential) {
      const identity = identityOf(credential);
      return { prove: async () => ({ identity }) };
    },
    async proveLink(_core, credential) {
      return { identity: identityOf(credential) };
    },
    async unlinkSubject(_core, credential) {
      return check(field(credential, "id"));
    },
  };
}

const NO_PROFILE = {};
