/** The audit log: filters by kind, account, actor and time, newest first, in pages. */
import type { AuditEvent } from "../api.js";
import { field, h, replace, select } from "../dom.js";
import { actor, AUDIT_KINDS, details, kindLabel, time } from "../format.js";
import { routeQuery, type Page } from "../page.js";

/** A table of audit events (also on the account page). */
export function auditTable(events: AuditEvent[], caption: string, showAccount = true): HTMLElement {
  if (events.length === 0) return h("p", { class: "empty" }, "No events.");
  return h(
    "table",
    { class: "list audit" },
    h("caption", null, caption),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        ["Time", "Event", "Actor", showAccount ? "Account" : null, "Address", "Details"].filter((c) => c !== null).map((c) => h("th", { scope: "col" }, c)),
      ),
    ),
    h(
      "tbody",
      null,
      events.map((e) =>
        h(
          "tr",
          { "data-kind": e.kind },
          h("td", null, h("time", { datetime: e.time }, time(e.time))),
          h("th", { scope: "row" }, kindLabel(e.kind)),
          h("td", null, actor(e.actor)),
          showAccount ? h("td", null, e.user_id ? h("a", { href: `#/accounts/${e.user_id}`, class: "mono" }, e.user_id) : "—") : null,
          h("td", null, e.ip ?? "—"),
          h("td", null, details(e.details)),
        ),
      ),
    ),
  );
}

/** `2030-01-02T03:04` (a datetime-local value, local time) → RFC 3339 in UTC. */
function toRfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const auditPage: Page = async (ctx) => {
  const p = ctx.params;
  const kind = select("kind", [["", "Any event"], ...AUDIT_KINDS], p.get("kind") ?? "");
  const userId = h("input", { name: "user_id", value: p.get("user_id") ?? "", placeholder: "a user id", class: "mono" });
  const who = h("input", { name: "actor", value: p.get("actor") ?? "", placeholder: "admin:alice, cli, user, system" });
  const since = h("input", { name: "since", type: "datetime-local", value: toLocalInput(p.get("since")) });
  const until = h("input", { name: "until", type: "datetime-local", value: toLocalInput(p.get("until")) });
  const filters = () => ({
    kind: kind.value,
    user_id: userId.value.trim(),
    actor: who.value.trim(),
    since: toRfc3339(since.value),
    until: toRfc3339(until.value),
  });
  const form = h(
    "form",
    {
      class: "filters",
      onsubmit: (event: Event) => {
        event.preventDefault();
        ctx.go(`#/audit${routeQuery(filters())}`);
      },
    },
    field("Event", kind),
    field("Account", userId),
    field("Actor", who),
    field("Since", since),
    field("Until", until),
    h("button", { type: "submit" }, "Filter"),
  );
  const results = h("div", null, h("p", null, "Loading…"));
  replace(ctx.main, h("h1", null, "Audit log"), form, results);
  const current = {
    kind: p.get("kind") ?? undefined,
    user_id: p.get("user_id") ?? undefined,
    actor: p.get("actor") ?? undefined,
    since: p.get("since") ?? undefined,
    until: p.get("until") ?? undefined,
  };
  const page = await ctx.api.get<{ events: AuditEvent[]; next_cursor?: string }>("/v2/console/audit", { ...current, cursor: p.get("cursor") ?? undefined });
  replace(
    results,
    auditTable(page.events, "Events, newest first"),
    h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      p.get("cursor") ? h("a", { href: `#/audit${routeQuery(current)}` }, "Newest") : null,
      page.next_cursor ? h("a", { href: `#/audit${routeQuery({ ...current, cursor: page.next_cursor })}` }, "Older events") : null,
    ),
  );
};
