/** The body fields of a provider's credential, from its wire declaration: sign-in, link and unlink bodies. */
import type { CredentialBody, ProviderWire } from "../../auth/providers/provider.js";
import type { FieldSchema } from "../route.js";
import { SYNC_FIELD } from "./query.js";

/** The credential's fields (all strings), documented as the provider describes them. */
export function credentialFields(wire: ProviderWire): Record<string, FieldSchema> {
  return Object.fromEntries(
    Object.entries(wire.fields).map(([name, f]): [string, FieldSchema] => [name, f.description === undefined ? { type: "string" } : { type: "string", description: f.description }]),
  );
}

/** A link or unlink body in the shape the provider declares for it. */
export function credentialBody(wire: ProviderWire, body: CredentialBody): Record<string, FieldSchema> {
  const fields = credentialFields(wire);
  if (body.kind === "fields") return body.vars ? { ...fields, vars: { type: "string_map" } } : fields;
  return { account: { type: "object", fields: { ...fields, vars: { type: "string_map" } } }, sync: SYNC_FIELD };
}
