/**
 * The web console end to end: the console is built (build.mjs), a real server serves it at
 * /console/, an admin is made with the real CLI (`tessera admin create --password-stdin`) on the
 * server's SQLite file, a player signs in twice through the API, and headless Chromium (driven by
 * playwright-core) signs in to the console, finds the player, ends one of its sessions (that token
 * is then refused), bans it, and reads the audit entries; then finds a player made with a Sign in
 * with Apple token (signed by a local issuer whose JWKS the server fetches) by its Apple id, and
 * sees every identity on its page, an OpenID Connect one too. Screenshots go to test/screenshots/.
 *
 * Without Chromium the browser part is skipped with instructions, except in CI (CI=true).
 */
import { after, before, describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_MISSING as MISSING, launchChromium } from "../../../server/test/support/chromium.js";
import { runCli, startTestServer, type TestServer } from "../../../server/test/support/harness.js";
import { ACCOUNT_SEARCH_FIELDS } from "../../../server/src/admin/accounts.js";
import { startTokenIssuer, type TokenIssuer } from "../../../client/test/support/signed-credentials.js";

const BUILD = fileURLToPath(new URL("../../build.mjs", import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const ADMIN = "root-operator";
const ADMIN_PASSWORD = "console test password";

const BUNDLE_ID = "com.example.console";
let server: TestServer;
let issuer: TokenIssuer;

before(async () => {
  execFileSync(process.execPath, [BUILD], { stdio: "inherit" });
  issuer = await startTokenIssuer();
  server = await startTestServer({
    "social.apple.bundle_id": BUNDLE_ID,
    "social.apple.jwks_url": issuer.jwksUrl,
    "social.oidc": JSON.stringify([{ name: "studio", issuer: issuer.url, client_ids: ["game"], jwks_url: issuer.jwksUrl }]),
  });
});
after(async () => {
  await server?.close();
  await issuer?.close();
});

describe("console files", () => {
  it("serves index.html and hashed assets with their types, a CSP, caching and ETags", async () => {
    const redirect = await fetch(server.url + "/console", { redirect: "manual" });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get("location"), "/console/");

    const index = await fetch(server.url + "/console/");
    assert.equal(index.status, 200);
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(index.headers.get("cache-control"), "no-cache");
    const csp = index.headers.get("content-security-policy") ?? "";
    for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"])
      assert.ok(csp.includes(directive), csp);
    assert.equal(index.headers.get("x-content-type-options"), "nosniff");
    const html = await index.text();
    const script = /src="\.\/assets\/(console-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const style = /href="\.\/assets\/(style-[A-Z0-9]+\.css)"/.exec(html)?.[1];
    assert.ok(script && style, html);

    const js = await fetch(`${server.url}/console/assets/${script}`);
    assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
    const etag = js.headers.get("etag")!;
    assert.match(etag, /^"[A-Za-z0-9_-]{22}"$/);
    const cached = await fetch(`${server.url}/console/assets/${script}`, { headers: { "If-None-Match": etag } });
    assert.equal(cached.status, 304);
    assert.equal(await cached.text(), "");
    assert.equal((await fetch(`${server.url}/console/assets/${style}`)).headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal((await fetch(`${server.url}/console/assets/nope.js`)).status, 404);
    assert.equal((await fetch(`${server.url}/console/assets/..%2F..%2Fpackage.json`)).status, 404);
  });
});

if (!existsSync(CHROMIUM)) {
  test("console in Chromium", (t) => {
    if (process.env["CI"] === "true") assert.fail(MISSING);
    t.skip(MISSING);
  });
} else {
  describe("console in Chromium", () => {
    let browser: Browser | undefined;
    let tab: Page;
    const pageErrors: string[] = [];
    let player: { id: string; username: string; device: string; tokenA: string; tokenB: string; sessionA: string };

    const shot = (name: string) => tab.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
    const status = (token: string) => server.api.withToken("GET", "/v2/account", token).then((r) => r.status);

    before(async () => {
      const created = await runCli(["admin", "create", ADMIN, "--role", "admin", "--password-stdin", "--data-dir", server.dataDir], {
        input: ADMIN_PASSWORD + "\n",
        timeoutMs: 60_000,
      });
      assert.equal(created.code, 0, created.output);

      const username = `player-${Date.now().toString(36)}`;
      const device = `console-test-device-${Date.now()}`;
      const a = await server.api.device(device, `?username=${username}`);
      const b = await server.api.device(device);
      const id = (await server.api.withToken("GET", "/v2/account", a.token)).body.user.id as string;
      const sessionA = JSON.parse(Buffer.from(a.token.split(".")[1]!, "base64url").toString()).tid as string;
      player = { id, username, device, tokenA: a.token, tokenB: b.token, sessionA };

      mkdirSync(SCREENSHOTS, { recursive: true });
      browser = await launchChromium();
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      tab = await context.newPage();
      tab.setDefaultTimeout(10_000);
      tab.on("pageerror", (err) => pageErrors.push(`pageerror: ${err.message}`));
      tab.on("console", (msg) => {
        if (msg.type() === "error") pageErrors.push(`console: ${msg.text()}`);
      });
    });
    after(async () => {
      await browser?.close().catch(() => undefined);
    });

    it("signs in, finds the player, ends one session, bans it, and shows the audit entries", async () => {
      await tab.goto(server.url + "/console");
      assert.equal(new URL(tab.url()).pathname, "/console/");
      await tab.getByLabel("Username").fill(ADMIN);
      await tab.getByLabel("Password").fill("wrong password!");
      await tab.getByRole("button", { name: "Sign in" }).click();
      await tab.getByRole("alert").filter({ hasText: "Invalid credentials." }).waitFor();
      await tab.getByLabel("Password").fill(ADMIN_PASSWORD);
      await tab.getByRole("button", { name: "Sign in" }).click();

      // Dashboard: live figures from the server.
      await tab.getByRole("heading", { name: "Dashboard" }).waitFor();
      await tab.locator("#fig-sessions").waitFor();
      assert.ok(Number((await tab.locator("#fig-sessions").textContent())!.replace(/\D/g, "")) >= 2);
      assert.ok(Number((await tab.locator("#fig-sign-ins").textContent())!.replace(/\D/g, "")) >= 2);
      assert.match((await tab.locator("#who").textContent())!, new RegExp(`${ADMIN} \\(admin\\)`));
      await shot("console-dashboard");

      // Accounts: search by username prefix, open the player.
      await tab.getByRole("link", { name: "Accounts" }).click();
      await tab.getByRole("heading", { name: "Accounts" }).waitFor();
      await tab.getByLabel("Search").fill(player.username.slice(0, 12));
      await tab.getByRole("button", { name: "Search" }).click();
      const link = tab.getByRole("link", { name: player.username, exact: true });
      await link.waitFor();
      await shot("console-accounts");
      await link.click();
      await tab.getByRole("heading", { name: player.username, level: 1 }).waitFor();
      assert.equal(await tab.locator("tr[data-session]").count(), 2);

      // End one session: that token is refused, the other still works.
      await tab.getByRole("button", { name: `End session ${player.sessionA}` }).click();
      await tab
        .locator("#status")
        .filter({ hasText: `Session ${player.sessionA} ended.` })
        .waitFor();
      await tab.locator(`tr[data-session="${player.sessionA}"]`).waitFor({ state: "detached" });
      assert.equal(await tab.locator("tr[data-session]").count(), 1);
      assert.equal(await status(player.tokenA), 401, "the ended session's token is refused");
      assert.equal(await status(player.tokenB), 200, "the other session still works");
      await shot("console-session-ended");

      // Ban with a kind and a reason.
      await tab.getByLabel("Kind").selectOption("vac");
      await tab.getByLabel("Reason").fill("aimbot in ranked");
      await tab.getByRole("button", { name: "Ban", exact: true }).click();
      await tab.locator("#status").filter({ hasText: "Account banned" }).waitFor();
      await tab.getByRole("button", { name: "Unban" }).waitFor();
      assert.equal(await status(player.tokenB), 401, "a ban ends every session");
      assert.equal((await server.api.withKey("/v2/account/authenticate/device", { id: player.device })).status, 403);
      assert.match((await tab.locator("section[aria-labelledby=profile]").textContent())!, /Banned since .* \(vac\)/);

      // The account's audit entries: its sign-ins, the ended session, the ban, by this operator.
      const events = tab.locator("section[aria-labelledby=audit-events] tbody tr");
      await tab.locator("section[aria-labelledby=audit-events] tbody tr[data-kind=account_banned]").waitFor();
      const rows = await events.evaluateAll((trs) => trs.map((tr) => ({ kind: tr.getAttribute("data-kind"), text: tr.textContent ?? "" })));
      const kinds = rows.map((r) => r.kind);
      for (const kind of ["sign_in", "sessions_ended", "account_banned"]) assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
      assert.match(rows.find((r) => r.kind === "account_banned")!.text, new RegExp(`admin:${ADMIN}.*kind: vac; reason: aimbot in ranked`));
      assert.match(
        rows.find((r) => r.kind === "sessions_ended" && r.text.includes("reason: ended"))!.text,
        new RegExp(`admin:${ADMIN}.*session ids: ${player.sessionA}`),
      );
      assert.equal(rows.filter((r) => r.kind === "sign_in").length, 2);
      await shot("console-banned");

      // The audit log page: the operator's own console sign-in, and the refused attempt before it.
      await tab.getByRole("link", { name: "Audit log" }).click();
      await tab.getByLabel("Event").selectOption("console_sign_in");
      await tab.getByRole("button", { name: "Filter" }).click();
      const signIns = tab.locator("tbody tr[data-kind=console_sign_in]");
      await signIns.first().waitFor();
      assert.match((await signIns.first().textContent())!, new RegExp(`admin:${ADMIN}`));
      await tab.getByLabel("Event").selectOption("console_sign_in_failed");
      await tab.getByRole("button", { name: "Filter" }).click();
      await tab.locator("tbody tr[data-kind=console_sign_in_failed]").filter({ hasText: "reason: wrong_password" }).waitFor();
      await shot("console-audit");

      // Sign out: the console token is refused, the sign-in page is back.
      await tab.getByRole("button", { name: "Sign out" }).click();
      await tab.getByRole("heading", { name: "Sign in to the console" }).waitFor();
      assert.equal(await tab.evaluate(() => sessionStorage.getItem("tessera.console.token")), null);
      // Chromium logs every 4xx fetch; the one 401 is the wrong password typed on purpose above.
      const unexpected = pageErrors.filter((e) => !/Failed to load resource: the server responded with a status of 401/.test(e));
      assert.deepEqual(unexpected, [], "no script errors or CSP violations");
      assert.equal(pageErrors.length - unexpected.length, 1);
    });

    it("finds a Sign in with Apple player by its Apple id and shows every identity, OpenID Connect's too", async () => {
      const appleSub = `001234.${Date.now().toString(36)}apple`;
      const oidcSub = `epic-${Date.now().toString(36)}`;
      const username = `apple-${Date.now().toString(36)}`;
      const signedIn = await server.api.withKey(`/v2/account/authenticate/apple?username=${username}`, {
        token: await issuer.sign({ sub: appleSub, aud: BUNDLE_ID, iss: "https://appleid.apple.com" }),
      });
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      const linked = await server.api.withToken("POST", "/v2/account/link/oidc/studio", signedIn.body.token, {
        token: await issuer.sign({ sub: oidcSub, aud: "game" }),
      });
      assert.equal(linked.status, 200, JSON.stringify(linked.body));

      await tab.getByLabel("Username").fill(ADMIN);
      await tab.getByLabel("Password").fill(ADMIN_PASSWORD);
      await tab.getByRole("button", { name: "Sign in" }).click();
      await tab.getByRole("heading", { name: "Dashboard" }).waitFor();
      await tab.getByRole("link", { name: "Accounts" }).click();
      await tab.getByRole("heading", { name: "Accounts" }).waitFor();
      // The console offers exactly the server's search fields.
      const offered = await tab
        .getByLabel("Field")
        .locator("option")
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      assert.deepEqual([...offered].sort(), [...ACCOUNT_SEARCH_FIELDS].sort());

      await tab.getByLabel("Search").fill(appleSub.slice(0, 10));
      await tab.getByLabel("Field").selectOption("apple_id");
      await tab.getByRole("button", { name: "Search" }).click();
      const hit = tab.locator("tbody tr").filter({ has: tab.getByRole("link", { name: username, exact: true }) });
      await hit.waitFor();
      assert.match((await hit.textContent())!, new RegExp(`apple: ${appleSub}`));
      await tab.getByLabel("Search").fill(`studio:${oidcSub}`);
      await tab.getByLabel("Field").selectOption("oidc");
      await tab.getByRole("button", { name: "Search" }).click();
      await tab
        .locator("tbody tr")
        .filter({ hasText: `oidc: studio:${oidcSub}` })
        .waitFor();
      await shot("console-accounts-apple");

      await tab.getByRole("link", { name: username, exact: true }).click();
      await tab.getByRole("heading", { name: username, level: 1 }).waitFor();
      const rows = await tab
        .locator("section[aria-labelledby=identities] tbody tr")
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(0, 2).map((c) => c.textContent)));
      assert.deepEqual(rows, [
        ["Apple", appleSub],
        ["OpenID Connect (studio)", `studio:${oidcSub}`],
      ]);
      await shot("console-account-identities");
      await tab.getByRole("button", { name: "Sign out" }).click();
      await tab.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    });
  });
}
