/**
 * The console's shell: the navigation, who is signed in, the status region, and a hash router
 * (`#/accounts/<id>`) that renders one page at a time into <main>. Every API call goes through
 * ConsoleApi; a refused token brings the sign-in page back.
 */
import { ConsoleApi } from "./api.js";
import { h, replace } from "./dom.js";
import { errorText, type Page, type PageContext } from "./page.js";
import { accountPage } from "./pages/account.js";
import { accountsPage } from "./pages/accounts.js";
import { auditPage } from "./pages/audit.js";
import { dashboardPage } from "./pages/dashboard.js";
import { signInPage } from "./pages/sign-in.js";
import { usersPage } from "./pages/users.js";

const api = new ConsoleApi();
const main = document.getElementById("main")!;
const nav = document.getElementById("nav")!;
const who = document.getElementById("who")!;
const status = document.getElementById("status")!;

let leave: (() => void) | undefined;
let signedOutMessage: string | undefined;
let rendering = 0;

function notify(message: string, kind: "ok" | "error" = "ok"): void {
  status.className = kind;
  status.textContent = message;
}

const PAGES: Record<string, { page: Page; title: string; adminOnly?: boolean }> = {
  "": { page: dashboardPage, title: "Dashboard" },
  accounts: { page: accountsPage, title: "Accounts" },
  audit: { page: auditPage, title: "Audit log" },
  users: { page: usersPage, title: "Console users", adminOnly: true },
};

function renderChrome(): void {
  const user = api.user;
  nav.hidden = !user;
  if (!user) {
    who.replaceChildren();
    nav.replaceChildren();
    return;
  }
  const current = location.hash.replace(/^#\/?/, "").split(/[/?]/)[0] ?? "";
  replace(
    nav,
    h(
      "ul",
      null,
      Object.entries(PAGES)
        .filter(([, p]) => !p.adminOnly || user.role === "admin")
        .map(([path, p]) => h("li", null, h("a", { href: `#/${path}`, "aria-current": current === path ? "page" : null }, p.title))),
    ),
  );
  const signOut = h("button", { type: "button", class: "link" }, "Sign out");
  signOut.addEventListener("click", async () => {
    await api.signOut().catch(() => undefined);
    notify("Signed out.");
    location.hash = "#/sign-in";
  });
  replace(who, h("span", null, `${user.username} (${user.role})`), " ", signOut);
}

async function render(): Promise<void> {
  const run = ++rendering;
  leave?.();
  leave = undefined;
  renderChrome();
  const hash = location.hash.replace(/^#\/?/, "");
  const [pathPart = "", queryPart = ""] = hash.split("?", 2);
  const path = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
  const user = api.user;
  if (!user || path[0] === "sign-in") {
    if (user && path[0] === "sign-in") {
      location.hash = "#/";
      return;
    }
    document.title = "Sign in — Tessera console";
    signInPage(main, api, signedOutMessage, () => {
      signedOutMessage = undefined;
      notify("");
      location.hash = "#/";
      void render();
    });
    return;
  }
  const entry = path[0] === "accounts" && path[1] ? { page: accountPage, title: "Account" } : PAGES[path[0] ?? ""];
  if (!entry || (entry.adminOnly && user.role !== "admin")) {
    replace(main, h("h1", null, "Not found"), h("p", null, h("a", { href: "#/" }, "Back to the dashboard")));
    return;
  }
  document.title = `${entry.title} — Tessera console`;
  const ctx: PageContext = {
    api,
    main,
    path,
    params: new URLSearchParams(queryPart),
    user,
    isAdmin: user.role === "admin",
    go: (target) => {
      if (location.hash === target) void render();
      else location.hash = target;
    },
    refresh: () => void render(),
    notify,
  };
  try {
    const cleanup = await entry.page(ctx);
    if (run !== rendering) cleanup?.();
    else leave = cleanup ?? undefined;
  } catch (err) {
    if (run !== rendering) return;
    if (!api.signedIn) return; // The 401 handler already brought the sign-in page.
    replace(main, h("h1", null, entry.title), h("p", { class: "error", role: "alert" }, errorText(err)));
  }
}

api.onSignedOut = () => {
  signedOutMessage = "Your console session ended; sign in again.";
  if (location.hash === "#/sign-in") void render();
  else location.hash = "#/sign-in";
};

window.addEventListener("hashchange", () => {
  void render().then(() => main.focus({ preventScroll: true }));
});
void render();
