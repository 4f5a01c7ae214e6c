/** Accounts: search by any identity or a username prefix, newest first without a query, in pages. */
import type { AccountSummary } from "../api.js";
import { field, h, replace, select } from "../dom.js";
import { time } from "../format.js";
import { routeQuery, type Page } from "../page.js";

/** The server's search fields (ACCOUNT_SEARCH_FIELDS in the server's admin/accounts.ts), with their labels. */
const FIELDS = [
  ["any", "Any (username prefix or exact identity)"],
  ["username", "Username (prefix)"],
  ["id", "User id (exact)"],
  ["email", "Email (prefix)"],
  ["custom_id", "Custom id (prefix)"],
  ["steam_id", "Steam id (prefix)"],
  ["device", "Device id (prefix)"],
  ["apple_id", "Apple id (prefix)"],
  ["google_id", "Google id (prefix)"],
  ["facebook_id", "Facebook id (prefix)"],
  ["facebook_instant_game_id", "Facebook Instant Games id (prefix)"],
  ["gamecenter_id", "Game Center id (prefix)"],
  ["oidc", "OpenID Connect (<provider>:<sub>, prefix)"],
] as const;

/** A hit's subjects, under each provider's summary key. */
const SUBJECTS = [
  ["custom_id", "custom"],
  ["steam_id", "steam"],
  ["device_id", "device"],
  ["apple_id", "apple"],
  ["google_id", "google"],
  ["facebook_id", "facebook"],
  ["facebook_instant_game_id", "instant games"],
  ["gamecenter_id", "game center"],
  ["oidc_id", "oidc"],
] as const;

function identities(a: AccountSummary): string {
  const subjects = SUBJECTS.map(([key, label]) => (a[key] ? `${label}: ${a[key]}` : null));
  return [a.email, ...subjects].filter(Boolean).join(", ") || "—";
}

export const accountsPage: Page = async (ctx) => {
  const q = ctx.params.get("q") ?? "";
  const fieldName = ctx.params.get("field") ?? "any";
  const cursor = ctx.params.get("cursor") ?? undefined;
  const query = h("input", { name: "q", type: "search", value: q, placeholder: "username, email, device id, user id …", autocomplete: "off" });
  const which = select("field", FIELDS, fieldName);
  const form = h(
    "form",
    {
      role: "search",
      class: "search",
      onsubmit: (event: Event) => {
        event.preventDefault();
        ctx.go(`#/accounts${routeQuery({ q: query.value.trim(), field: which.value === "any" ? undefined : which.value })}`);
      },
    },
    field("Search", query),
    field("Field", which),
    h("button", { type: "submit" }, "Search"),
  );
  const results = h("div", null, h("p", null, "Loading…"));
  replace(ctx.main, h("h1", null, "Accounts"), form, results);

  const page = await ctx.api.get<{ accounts: AccountSummary[]; next_cursor?: string }>("/v2/console/accounts", {
    q,
    field: fieldName === "any" ? undefined : fieldName,
    cursor,
  });
  const caption = q ? `Accounts matching “${q}”` : "All accounts, newest first";
  const rows = page.accounts.map((a) =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, h("a", { href: `#/accounts/${a.id}` }, a.username)),
      h("td", { class: "mono" }, a.id),
      h("td", null, identities(a)),
      h("td", null, time(a.create_time)),
      h("td", null, a.disable_time ? h("span", { class: "badge banned" }, "Banned") : h("span", { class: "badge" }, "Active")),
    ),
  );
  const next = page.next_cursor;
  replace(
    results,
    page.accounts.length === 0
      ? h("p", { class: "empty" }, q ? "No account matches." : "No accounts yet.")
      : h(
          "table",
          { class: "list" },
          h("caption", null, caption),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Username", "User id", "Identities", "Created", "Status"].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h("tbody", null, rows),
        ),
    h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      cursor ? h("a", { href: `#/accounts${routeQuery({ q, field: fieldName === "any" ? undefined : fieldName })}` }, "First page") : null,
      next ? h("a", { href: `#/accounts${routeQuery({ q, field: fieldName === "any" ? undefined : fieldName, cursor: next })}` }, "Next page") : null,
    ),
  );
};
