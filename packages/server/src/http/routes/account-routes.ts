/** The caller's account, and linking/unlinking identities: thin calls into account/. */
import { deleteAccount, getAccount, updateAccount, type AccountUpdate } from "../../account/account-view.js";
import { linkCustom, linkDevice, linkEmail, unlinkCustom, unlinkDevice, unlinkEmail } from "../../account/link.js";
import { route, type Route } from "../route.js";

const str = (v: unknown): string => (typeof v === "string" ? v : "");

export const accountRoutes: Route[] = [
  route({
    method: "GET",
    path: "/v2/account",
    auth: "bearer",
    tag: "account",
    summary: "The caller's account: user, email, devices, custom_id.",
    response: "Account",
    handler: async (ctx) => getAccount(ctx.core, ctx.caller.userId),
  }),
  route({
    method: "PUT",
    path: "/v2/account",
    auth: "bearer",
    tag: "account",
    summary: "Update the caller's profile; absent fields stay, an empty string clears a field.",
    body: {
      username: { type: "string" },
      display_name: { type: "string" },
      avatar_url: { type: "string" },
      lang_tag: { type: "string" },
      location: { type: "string" },
      timezone: { type: "string" },
    },
    response: "{}",
    handler: async (ctx) => {
      await updateAccount(ctx.core, ctx.caller.userId, ctx.body as AccountUpdate);
      return {};
    },
  }),
  route({
    method: "DELETE",
    path: "/v2/account",
    auth: "bearer",
    tag: "account",
    summary: "Delete the caller's account with its identities and sessions; every token of it stops working.",
    response: "{}",
    handler: async (ctx) => {
      await deleteAccount(ctx.core, ctx.caller.userId);
      return {};
    },
  }),
  route({
    method: "POST", path: "/v2/account/link/device", auth: "bearer", tag: "link",
    summary: "Link a device id to the caller's account (409 if another account has it).",
    body: { id: { type: "string" } }, response: "{}",
    handler: async (ctx) => { await linkDevice(ctx.core, ctx.caller.userId, ctx.body["id"]); return {}; },
  }),
  route({
    method: "POST", path: "/v2/account/link/email", auth: "bearer", tag: "link",
    summary: "Link (or replace) the email and password of the caller's account.",
    body: { email: { type: "string" }, password: { type: "string" } }, response: "{}",
    handler: async (ctx) => { await linkEmail(ctx.core, ctx.caller.userId, str(ctx.body["email"]), str(ctx.body["password"])); return {}; },
  }),
  route({
    method: "POST", path: "/v2/account/link/custom", auth: "bearer", tag: "link",
    summary: "Link (or replace) the custom id of the caller's account.",
    body: { id: { type: "string" } }, response: "{}",
    handler: async (ctx) => { await linkCustom(ctx.core, ctx.caller.userId, ctx.body["id"]); return {}; },
  }),
  route({
    method: "POST", path: "/v2/account/unlink/device", auth: "bearer", tag: "link",
    summary: "Unlink a device id; refused (400) if it is the account's last identity.",
    body: { id: { type: "string" } }, response: "{}",
    handler: async (ctx) => { await unlinkDevice(ctx.core, ctx.caller.userId, ctx.body["id"]); return {}; },
  }),
  route({
    method: "POST", path: "/v2/account/unlink/email", auth: "bearer", tag: "link",
    summary: "Unlink the email; refused (400) if it is the account's last identity.",
    body: { email: { type: "string" }, password: { type: "string" } }, response: "{}",
    handler: async (ctx) => { await unlinkEmail(ctx.core, ctx.caller.userId, str(ctx.body["email"])); return {}; },
  }),
  route({
    method: "POST", path: "/v2/account/unlink/custom", auth: "bearer", tag: "link",
    summary: "Unlink the custom id; refused (400) if it is the account's last identity.",
    body: { id: { type: "string" } }, response: "{}",
    handler: async (ctx) => { await unlinkCustom(ctx.core, ctx.caller.userId, ctx.body["id"]); return {}; },
  }),
];
