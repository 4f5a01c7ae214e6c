/**
 * Device ids (10-128 bytes, no spaces or control characters): what a game sends before the player
 * chose any other sign-in. An account may hold many (a phone and a laptop); each link adds one.
 */
import { checkDeviceId } from "../identity-rules.js";
import { identifierOf, idFieldChecks, type Provider } from "./provider.js";

export const deviceProvider: Provider<"device"> = {
  name: "device",
  wire: {
    path: "device",
    hooks: { authenticate: "AuthenticateDevice", link: "LinkDevice", unlink: "UnlinkDevice" },
    fields: { id: { description: "Device id." } },
    link: { kind: "fields", vars: false },
    unlink: { kind: "fields", vars: false },
    summaries: {
      authenticate: "Sign in with a device id (10-128 bytes), creating the account unless create=false.",
      link: "Link a device id to the caller's account (409 if another account has it).",
      unlink: "Unlink a device id; refused (400) if it is the account's last identity.",
    },
  },
  perAccount: "many",
  messages: { inUse: "Device ID already in use.", notLinked: "Device ID is not linked to this account." },
  accountField: { shape: "id_list", in: "account", key: "devices" },
  console: { searchField: "device", summaryKey: "device_id" },
  signInIdentifier: (body) => identifierOf("device", body["id"]),

  ...idFieldChecks("device", checkDeviceId),
};
