/**
 * Custom ids (6-128 bytes, no spaces or control characters): the player's id in the game's own
 * identity system, trusted as sent (the game server vouches for it). One per account; a link replaces it.
 */
import { checkCustomId } from "../identity-rules.js";
import { identifierOf, idFieldChecks, type Provider } from "./provider.js";

export const customProvider: Provider<"custom"> = {
  name: "custom",
  wire: {
    path: "custom",
    hooks: { authenticate: "AuthenticateCustom", link: "LinkCustom", unlink: "UnlinkCustom" },
    fields: { id: { description: "Custom id." } },
    link: { kind: "fields", vars: false },
    unlink: { kind: "fields", vars: false },
    summaries: {
      authenticate: "Sign in with a custom id (6-128 bytes) from your own identity system.",
      link: "Link (or replace) the custom id of the caller's account.",
      unlink: "Unlink the custom id; refused (400) if it is the account's last identity.",
    },
  },
  perAccount: "one",
  messages: { inUse: "Custom ID is already in use.", notLinked: "Custom ID is not linked to this account." },
  accountField: { shape: "subject", in: "account", key: "custom_id" },
  console: { searchField: "custom_id", summaryKey: "custom_id" },
  signInIdentifier: (body) => identifierOf("custom", body["id"]),

  ...idFieldChecks("custom", checkCustomId),
};
