/**
 * The shapes of a provider's credential, from its wire declaration, as @tessera/protocol schemas:
 * the HTTP bodies of sign-in, link and unlink (checked by the HTTP server, documented in
 * `/openapi.json`) and the Nakama requests their hooks exchange, which wrap the same credential.
 */
import { s, type ObjectSchema, type OptionalSchema } from "@tessera/protocol";
import type { CredentialBody, ProviderWire } from "./provider.js";

export const SYNC_DESCRIPTION = "Nakama's friend import (Steam, Facebook): accepted and ignored (Tessera keeps no friend lists).";
/** Nakama's friend import flag (query or body): accepted and ignored, Tessera keeps no friend lists. */
export const SYNC_FIELD = s.optional(s.boolean({ description: SYNC_DESCRIPTION }));

/** Session variables carried in both tokens (vrs). */
export const VARS_FIELD = s.optional(s.map(s.string(), { description: "Session variables carried in both tokens (vrs)." }));
const UNDESCRIBED_VARS = s.optional(s.map(s.string()));

/** The credential's fields (all strings, all optional: absent is ""), documented as the provider describes them. */
export function credentialFields(wire: ProviderWire): Record<string, OptionalSchema<string>> {
  return Object.fromEntries(
    Object.entries(wire.fields).map(([name, f]) => [name, s.optional(s.string(f.description === undefined ? undefined : { description: f.description }))]),
  );
}

/** A provider's sign-in body (checked): its credential fields, the session vars, Steam's `sync`. */
export type SignInBody = Record<string, unknown> & { vars?: Record<string, string>; sync?: boolean };

/** A provider's sign-in body: its credential, the session vars, Steam's `sync`. */
export function signInBody(wire: ProviderWire): ObjectSchema<SignInBody> {
  return s.object({ ...credentialFields(wire), vars: VARS_FIELD, ...(wire.sync ? { sync: SYNC_FIELD } : {}) });
}

/** A checked credential with its vars: the provider's fields (strings) and `vars`. */
export type CredentialJson = Record<string, unknown> & { vars?: Record<string, string> };

/** A checked `Authenticate<X>Request`. */
export interface SignInRequestJson {
  account?: CredentialJson;
  create?: boolean;
  username?: string;
  sync?: boolean;
}

const signInRequestOf = (account: ObjectSchema<CredentialJson>, sync: boolean): ObjectSchema<SignInRequestJson> =>
  s.object({ account: s.optional(account), create: s.optional(s.boolean()), username: s.optional(s.string()), ...(sync ? { sync: SYNC_FIELD } : {}) });

/** Nakama's `Authenticate<X>Request`: `{account: {<fields>, vars}, create, username}`, Steam's with `sync`. */
export function signInRequest(wire: ProviderWire): ObjectSchema<SignInRequestJson> {
  return signInRequestOf(s.object({ ...credentialFields(wire), vars: UNDESCRIBED_VARS }), wire.sync === true);
}

/** Tessera's `AuthenticateAnonymousRequest`: `{account: {vars}, create, username}`. */
export function anonymousSignInRequest(): ObjectSchema<SignInRequestJson> {
  return signInRequestOf(s.object({ vars: UNDESCRIBED_VARS }), false);
}

/** A checked link or unlink request: the credential at the top, or Steam's `{account, sync}`. */
export type CredentialRequestJson = CredentialJson & { account?: CredentialJson; sync?: boolean };

/** A link or unlink body in the shape the provider declares for it; the hook's request has the same shape. */
export function credentialBody(wire: ProviderWire, body: CredentialBody): ObjectSchema<CredentialRequestJson> {
  const fields = credentialFields(wire);
  if (body.kind === "fields") return s.object(body.vars ? { ...fields, vars: UNDESCRIBED_VARS } : fields);
  return s.object({ account: s.optional(s.object({ ...fields, vars: UNDESCRIBED_VARS })), sync: SYNC_FIELD });
}
