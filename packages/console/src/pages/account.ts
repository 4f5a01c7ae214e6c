/**
 * One account: profile and identities, sessions (end one, end all), ban and unban, licenses,
 * open tickets, its audit events, and deletion. Actions show only to admins (the server refuses
 * them to viewers anyway).
 */
import type { AccountDetail, AuditEvent } from "../api.js";
import { field, h, replace, select } from "../dom.js";
import { time } from "../format.js";
import { act, type PageContext, type Page } from "../page.js";
import { auditTable } from "./audit.js";

function section(title: string, id: string, ...children: (Node | null)[]): HTMLElement {
  return h("section", { "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

function dl(rows: [string, Node | string | undefined | null][]): HTMLDListElement {
  return h(
    "dl",
    { class: "facts" },
    rows.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => [h("dt", null, k), h("dd", null, v as Node | string)]),
  );
}

function profile(d: AccountDetail): HTMLElement {
  const a = d.account;
  const status = a.disable_time
    ? h("span", { class: "badge banned" }, `Banned since ${time(a.disable_time)} (${a.ban_kind})`)
    : h("span", { class: "badge" }, "Active");
  return section(
    "Profile",
    "profile",
    dl([
      ["User id", h("span", { class: "mono" }, a.user.id)],
      ["Username", a.user.username],
      ["Display name", a.user.display_name],
      ["Status", status],
      ["Ban reason", a.ban_reason],
      ["Online (this node)", a.user.online ? "yes" : "no"],
      ["Created", time(a.user.create_time)],
      ["Updated", time(a.user.update_time)],
    ]),
  );
}

/** Operators' names of the providers (`identities.provider`); another provider shows under its own name. */
const PROVIDER_LABELS: Record<string, string> = {
  device: "Device",
  email: "Email",
  custom: "Custom id",
  steam: "Steam",
  apple: "Apple",
  google: "Google",
  facebook: "Facebook",
  facebookinstantgame: "Facebook Instant Games",
  gamecenter: "Game Center",
  oidc: "OpenID Connect",
};

function providerLabel(provider: string, subject: string): string {
  const label = PROVIDER_LABELS[provider] ?? provider;
  // An OpenID Connect subject is `<provider name>:<sub>`: name the configured provider too.
  return provider === "oidc" && subject.includes(":") ? `${label} (${subject.slice(0, subject.indexOf(":"))})` : label;
}

/** Every identity of every provider (OpenID Connect's too, which Nakama's account JSON has no field for), in link order. */
function identities(d: AccountDetail): HTMLElement {
  const a = d.account;
  const steamFacts = [a.steam_vac_banned ? "VAC banned" : null, a.steam_owner_id ? `game owned by ${a.steam_owner_id}` : null]
    .filter((f) => f !== null)
    .join(", ");
  const rows = d.identities.map((i) =>
    h(
      "tr",
      { "data-provider": i.provider },
      h("th", { scope: "row" }, providerLabel(i.provider, i.subject)),
      h("td", { class: "mono" }, i.subject),
      h("td", null, time(i.create_time)),
      h("td", null, time(i.last_use_time)),
      h("td", null, i.provider === "steam" && steamFacts ? steamFacts : "—"),
    ),
  );
  return section(
    `Identities (${d.identities.length})`,
    "identities",
    d.identities.length === 0
      ? h("p", { class: "empty" }, "None: an anonymous account.")
      : h(
          "table",
          { class: "list" },
          h("caption", null, "Linked identities, in link order"),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Provider", "Subject", "Linked", "Last used", "Notes"].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h("tbody", null, rows),
        ),
  );
}

function sessions(ctx: PageContext, d: AccountDetail): HTMLElement {
  const id = d.account.user.id;
  const rows = d.sessions.map((s) => {
    const end = h("button", { type: "button", class: "small", "aria-label": `End session ${s.id}` }, "End");
    end.addEventListener("click", () =>
      act(ctx, end, `Session ${s.id} ended.`, () => ctx.api.request("DELETE", `/v2/console/accounts/${id}/sessions/${s.id}`)),
    );
    return h(
      "tr",
      { "data-session": s.id },
      h("th", { scope: "row", class: "mono" }, s.id),
      h("td", null, time(s.create_time)),
      h("td", null, time(s.last_refresh_time)),
      h("td", null, time(s.expire_time)),
      h("td", null, s.client_ip ?? "—"),
      h("td", null, s.user_agent ?? "—"),
      ctx.isAdmin ? h("td", null, end) : null,
    );
  });
  const endAll = h("button", { type: "button" }, "End all sessions");
  endAll.addEventListener("click", () => act(ctx, endAll, "Every session ended.", () => ctx.api.request("DELETE", `/v2/console/accounts/${id}/sessions`)));
  return section(
    `Sessions (${d.sessions.length})`,
    "sessions",
    d.sessions.length === 0
      ? h("p", { class: "empty" }, "No live session.")
      : h(
          "table",
          { class: "list" },
          h("caption", null, "Live sessions, newest first"),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Session", "Created", "Last refresh", "Expires", "Address", "Client", ctx.isAdmin ? "Action" : null]
                .filter((c) => c !== null)
                .map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h("tbody", null, rows),
        ),
    ctx.isAdmin && d.sessions.length > 0 ? endAll : null,
  );
}

function ban(ctx: PageContext, d: AccountDetail): HTMLElement | null {
  if (!ctx.isAdmin) return null;
  const id = d.account.user.id;
  if (d.account.disable_time) {
    const unban = h("button", { type: "button" }, "Unban");
    unban.addEventListener("click", () => act(ctx, unban, "Ban lifted.", () => ctx.api.request("POST", `/v2/console/accounts/${id}/unban`)));
    return section(
      "Ban",
      "ban",
      h("p", null, `Banned since ${time(d.account.disable_time)}, kind ${d.account.ban_kind}${d.account.ban_reason ? `: ${d.account.ban_reason}` : ""}.`),
      unban,
    );
  }
  const kind = select(
    "kind",
    [
      ["publisher", "Publisher ban (validators: PublisherIssuedBan)"],
      ["vac", "VAC ban (validators: VACBanned)"],
    ],
    "publisher",
  );
  const reason = h("input", { name: "reason", maxlength: 512, placeholder: "kept for operators" });
  const button = h("button", { type: "submit", class: "danger" }, "Ban");
  const form = h(
    "form",
    {
      class: "inline",
      onsubmit: (event: Event) => {
        event.preventDefault();
        void act(ctx, button, "Account banned; its sessions ended.", () =>
          ctx.api.request("POST", `/v2/console/accounts/${id}/ban`, { kind: kind.value, reason: reason.value }),
        );
      },
    },
    field("Kind", kind),
    field("Reason", reason),
    button,
  );
  return section("Ban", "ban", h("p", null, "Banning ends every session at once; sign-in and refresh then answer 403."), form);
}

function licenses(ctx: PageContext, d: AccountDetail): HTMLElement {
  const id = d.account.user.id;
  const l = d.licenses;
  const facts = dl([
    ["Owns the app", l.owns_app ? (l.is_borrowed ? `yes, borrowed from ${l.owner_id}` : "yes") : "no"],
    ["Own license", l.license ? `since ${time(l.license.create_time)}${l.license.expire_time ? `, until ${time(l.license.expire_time)}` : ""}` : "none"],
    ["Borrowed", l.borrowed.map((b) => b.owner_id).join(", ") || "—"],
    ["Lent to", l.lent_to.map((b) => b.user_id).join(", ") || "—"],
  ]);
  if (!ctx.isAdmin) return section("Licenses", "licenses", facts);
  const until = h("input", { name: "expire", type: "date" });
  const grant = h("button", { type: "submit" }, l.license ? "Renew license" : "Grant license");
  const grantForm = h(
    "form",
    {
      class: "inline",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const body = until.value ? { expire_time: `${until.value}T00:00:00Z` } : {};
        void act(ctx, grant, "License granted.", () => ctx.api.request("POST", `/v2/console/accounts/${id}/license`, body));
      },
    },
    field("Until (optional)", until, "Empty: no expiry."),
    grant,
  );
  const revoke = h("button", { type: "button", class: "danger" }, "Revoke license");
  revoke.addEventListener("click", () => act(ctx, revoke, "License revoked.", () => ctx.api.request("DELETE", `/v2/console/accounts/${id}/license`)));
  return section("Licenses", "licenses", facts, grantForm, l.license || l.lent_to.length > 0 ? revoke : null);
}

function tickets(ctx: PageContext, d: AccountDetail): HTMLElement {
  const id = d.account.user.id;
  const cancel = h("button", { type: "button" }, "Cancel all tickets");
  cancel.addEventListener("click", () => act(ctx, cancel, "Tickets cancelled.", () => ctx.api.request("DELETE", `/v2/console/accounts/${id}/tickets`)));
  return section(
    `Open tickets (${d.tickets.length})`,
    "tickets",
    d.tickets.length === 0
      ? h("p", { class: "empty" }, "No open ticket.")
      : h(
          "table",
          { class: "list" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Handle", "Identity", "State", "Created", "Expires"].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h(
            "tbody",
            null,
            d.tickets.map((t) =>
              h(
                "tr",
                null,
                h("th", { scope: "row" }, String(t.handle)),
                h("td", null, t.identity || "any"),
                h("td", null, t.state),
                h("td", null, time(t.create_time)),
                h("td", null, time(t.expire_time)),
              ),
            ),
          ),
        ),
    ctx.isAdmin && d.tickets.length > 0 ? cancel : null,
  );
}

function deletion(ctx: PageContext, d: AccountDetail): HTMLElement | null {
  if (!ctx.isAdmin) return null;
  const id = d.account.user.id;
  const confirm = h("button", { type: "button", class: "danger", hidden: true }, `Delete ${d.account.user.username} for good`);
  const start = h("button", { type: "button" }, "Delete account…");
  start.addEventListener("click", () => {
    start.hidden = true;
    confirm.hidden = false;
    confirm.focus();
  });
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      await ctx.api.request("DELETE", `/v2/console/accounts/${id}`);
      ctx.notify("Account deleted.", "ok");
      ctx.go("#/accounts");
    } catch (err) {
      ctx.notify(err instanceof Error ? err.message : String(err), "error");
      confirm.disabled = false;
    }
  });
  return section("Delete", "delete", h("p", null, "Deleting removes the account, its identities and sessions; its audit trail stays."), start, confirm);
}

export const accountPage: Page = async (ctx) => {
  const id = ctx.path[1] ?? "";
  const [d, audit] = await Promise.all([
    ctx.api.get<AccountDetail>(`/v2/console/accounts/${encodeURIComponent(id)}`),
    ctx.api.get<{ events: AuditEvent[] }>("/v2/console/audit", { user_id: id, limit: "20" }),
  ]);
  replace(
    ctx.main,
    h("p", { class: "crumbs" }, h("a", { href: "#/accounts" }, "Accounts"), " / ", d.account.user.username),
    h("h1", null, d.account.user.username),
    ctx.isAdmin ? null : h("p", { class: "note" }, "Read-only: your role is viewer."),
    profile(d),
    identities(d),
    sessions(ctx, d),
    ban(ctx, d),
    licenses(ctx, d),
    tickets(ctx, d),
    section(
      "Audit events",
      "audit-events",
      auditTable(audit.events, "The account's latest events", false),
      h("p", null, h("a", { href: `#/audit?user_id=${id}` }, "All events of this account")),
    ),
    deletion(ctx, d),
  );
};
