/** Console users (admins only): create with a generated or chosen password, change role, disable, delete. */
import type { ConsoleUserInfo } from "../api.js";
import { field, h, replace, select } from "../dom.js";
import { time } from "../format.js";
import { act, errorText, type Page } from "../page.js";

const ROLES = [
  ["viewer", "Viewer (read only)"],
  ["admin", "Admin"],
] as const;

export const usersPage: Page = async (ctx) => {
  const { users } = await ctx.api.get<{ users: ConsoleUserInfo[] }>("/v2/console/users");
  const username = h("input", { name: "username", required: true, autocomplete: "off" });
  const role = select("role", ROLES, "viewer");
  const password = h("input", { name: "password", type: "password", autocomplete: "new-password" });
  const created = h("output", { class: "secret" });
  const createButton = h("button", { type: "submit" }, "Create");
  const form = h(
    "form",
    {
      class: "inline",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        createButton.disabled = true;
        try {
          const body = { username: username.value, role: role.value, ...(password.value ? { password: password.value } : {}) };
          const res = await ctx.api.request<{ user: ConsoleUserInfo; password?: string }>("POST", "/v2/console/users", body);
          ctx.notify(`Console user ${res.user.username} created.`, "ok");
          replace(created, res.password ? `Password of ${res.user.username} (shown only now): ${res.password}` : "");
          username.value = "";
          password.value = "";
        } catch (err) {
          ctx.notify(errorText(err), "error");
        }
        createButton.disabled = false;
      },
    },
    field("Username", username),
    field("Role", role),
    field("Password (optional)", password, "At least 12 characters; empty: one is generated."),
    createButton,
  );
  const rows = users.map((u) => {
    const me = u.username === ctx.user.username;
    const toggleRole = h("button", { type: "button", class: "small" }, u.role === "admin" ? "Make viewer" : "Make admin");
    toggleRole.addEventListener("click", () =>
      act(ctx, toggleRole, `${u.username} changed.`, () =>
        ctx.api.request("PUT", `/v2/console/users/${encodeURIComponent(u.username)}`, { role: u.role === "admin" ? "viewer" : "admin" }),
      ),
    );
    const toggle = h("button", { type: "button", class: "small" }, u.disabled ? "Enable" : "Disable");
    toggle.addEventListener("click", () =>
      act(ctx, toggle, `${u.username} ${u.disabled ? "enabled" : "disabled"}.`, () =>
        ctx.api.request("PUT", `/v2/console/users/${encodeURIComponent(u.username)}`, { disabled: !u.disabled }),
      ),
    );
    const remove = h("button", { type: "button", class: "small danger" }, "Delete");
    remove.addEventListener("click", () =>
      act(ctx, remove, `${u.username} deleted.`, () => ctx.api.request("DELETE", `/v2/console/users/${encodeURIComponent(u.username)}`)),
    );
    return h(
      "tr",
      null,
      h("th", { scope: "row" }, u.username, me ? " (you)" : ""),
      h("td", null, u.role),
      h("td", null, u.disabled ? "disabled" : "enabled"),
      h("td", null, time(u.last_sign_in_time)),
      h("td", { class: "actions" }, me ? "—" : [toggleRole, toggle, remove]),
    );
  });
  replace(
    ctx.main,
    h("h1", null, "Console users"),
    h(
      "table",
      { class: "list" },
      h("caption", null, "Who can sign in to this console"),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          ["Username", "Role", "State", "Last sign-in", "Actions"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h("tbody", null, rows),
    ),
    h("section", { "aria-labelledby": "new-user" }, h("h2", { id: "new-user" }, "New console user"), form, created),
  );
};
