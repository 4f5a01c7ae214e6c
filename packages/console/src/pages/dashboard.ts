/** The dashboard: live figures, refreshed every 5 seconds while the page is shown. */
import type { Dashboard, Figures } from "../api.js";
import { h, replace, svg } from "../dom.js";
import { time } from "../format.js";
import { errorText, type Page } from "../page.js";

const REFRESH_MS = 5_000;

function figure(label: string, value: number, id: string, note?: string): HTMLDivElement {
  return h(
    "div",
    { class: "figure" },
    h("dt", { id: `${id}-label` }, label),
    h("dd", { id, "aria-labelledby": `${id}-label` }, value.toLocaleString()),
    note ? h("dd", { class: "note" }, note) : null,
  );
}

/** Bars of one figure per minute over the last hour, oldest left. */
function chart(title: string, series: Dashboard["series"], key: keyof Figures): HTMLElement {
  const width = 600;
  const height = 120;
  const max = Math.max(1, ...series.map((m) => m[key]));
  const bar = width / series.length;
  const total = series.reduce((sum, m) => sum + m[key], 0);
  const graphic = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${title}: ${total} in the last hour, at most ${max} in one minute`, class: "chart" },
    series.map((m, i) => {
      const hgt = Math.round((m[key] / max) * (height - 4));
      return svg(
        "rect",
        { x: (i * bar + 1).toFixed(1), y: height - hgt, width: Math.max(1, bar - 2).toFixed(1), height: hgt },
        svg("title", null, `${time(m.minute)}: ${m[key]}`),
      );
    }),
  );
  return h("figure", null, h("figcaption", null, `${title} per minute, last hour`), graphic);
}

export const dashboardPage: Page = async (ctx) => {
  const body = h("div", { class: "dashboard" }, h("p", null, "Loading…"));
  const updated = h("p", { class: "updated" });
  replace(ctx.main, h("h1", null, "Dashboard"), updated, body);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const load = async () => {
    try {
      const d = await ctx.api.get<Dashboard>("/v2/console/dashboard");
      if (stopped) return;
      replace(
        body,
        h(
          "dl",
          { class: "figures" },
          figure("Live sessions", d.active_sessions, "fig-sessions"),
          figure("Sign-ins / min", d.per_minute.sign_ins, "fig-sign-ins"),
          figure("Refreshes / min", d.per_minute.refreshes, "fig-refreshes"),
          figure("Refused sign-ins / min", d.per_minute.sign_in_failures, "fig-refused"),
          figure("Server errors / min", d.per_minute.server_errors, "fig-errors"),
          figure("Accounts", d.accounts, "fig-accounts", `${d.banned_accounts.toLocaleString()} banned`),
        ),
        h(
          "div",
          { class: "charts" },
          chart("Sign-ins", d.series, "sign_ins"),
          chart("Refreshes", d.series, "refreshes"),
          chart("Server errors", d.series, "server_errors"),
        ),
      );
      updated.textContent = `Updated ${time(d.time)}; refreshes every ${REFRESH_MS / 1000} s.`;
    } catch (err) {
      if (!stopped) updated.textContent = `Could not update: ${errorText(err)}`;
    }
    if (!stopped) timer = setTimeout(load, REFRESH_MS);
  };
  await load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
};
