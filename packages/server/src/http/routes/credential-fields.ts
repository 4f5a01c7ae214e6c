/** The body schemas of a provider's credential, from its wire declaration: sign-in, link and unlink bodies. */
import { s, type ObjectSchema, type OptionalSchema } from "@tessera/protocol";
import type { CredentialBody, ProviderWire } from "../../auth/providers/provider.js";
import { SYNC_FIELD } from "./query.js";

/** Session variables carried in both tokens (vrs). */
export const VARS_FIELD = s.optional(s.map(s.string(), { description: "Session variables carried in both tokens (vrs)." }));

/** The credential's fields (all strings, all optional: absent is ""), documented as the provider describes them. */
export function credentialFields(wire: ProviderWire): Record<string, OptionalSchema<string>> {
  return Object.fromEntries(Object.entries(wire.fields).map(([name, f]) => [name, s.optional(s.string(f.description === undefined ? undefined : { description: f.description }))]));
}

/** A provider's sign-in body (checked): its credential fields, the session vars, Steam's `sync`. */
export type SignInBody = Record<string, unknown> & { vars?: Record<string, string>; sync?: boolean };

/** A provider's sign-in body: its credential, the session vars, Steam's `sync`. */
export function signInBody(wire: ProviderWire): ObjectSchema<SignInBody> {
  return s.object({ ...credentialFields(wire), vars: VARS_FIELD, ...(wire.sync ? { sync: SYNC_FIELD } : {}) });
}

/** A link or unlink body in the shape the provider declares for it. */
export function credentialBody(wire: ProviderWire, body: CredentialBody): ObjectSchema<Record<string, unknown>> {
  const fields = credentialFields(wire);
  if (body.kind === "fields") return s.object(body.vars ? { ...fields, vars: s.optional(s.map(s.string())) } : fields);
  return s.object({ account: s.optional(s.object({ ...fields, vars: s.optional(s.map(s.string())) })), sync: SYNC_FIELD });
}
