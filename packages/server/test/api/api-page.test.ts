/**
 * The browsable API page at `GET /api`: served self-contained under a strict CSP, and rendered in
 * headless Chromium, where it must list every operation of `/openapi.json` and its "try it" forms
 * must call the server (with the server key and a bearer token typed into the page).
 *
 * Without Chromium the browser part is skipped with instructions, except in CI (CI=true), where it fails.
 */
import { after, before, describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_MISSING as MISSING, launchChromium } from "../support/chromium.js";
import { startTestServer, type TestServer } from "../support/harness.js";
import { ok } from "../support/expect.js";

const hashOf = (text: string): string => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

describe("GET /api", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it("is one self-contained HTML page whose CSP allows exactly its inline script and style", async () => {
    const res = await fetch(t.url + "/api");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const html = await res.text();
    const csp = res.headers.get("content-security-policy") ?? "";
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1);
    assert.equal(styles.length, 1);
    assert.ok(csp.includes(`script-src ${hashOf(scripts[0]!)}`), csp);
    assert.ok(csp.includes(`style-src ${hashOf(styles[0]!)}`), csp);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'self'/);
    // Nothing is loaded from elsewhere: no external scripts, styles, fonts or images.
    assert.ok(!/\b(src|href)="(https?:)?\/\//.test(html), "no absolute URLs in the page");
    assert.ok(!/<script\s+src=/.test(html) && !/<link\s+rel="stylesheet"/.test(html));
  });
});

if (!existsSync(CHROMIUM)) {
  test("API page in Chromium", (t) => {
    if (process.env["CI"] === "true") assert.fail(MISSING);
    t.skip(MISSING);
  });
} else {
  describe("API page in Chromium", () => {
    let t: TestServer;
    let browser: Browser | undefined;
    let tab: Page;
    const problems: string[] = [];

    before(async () => {
      t = await startTestServer();
      browser = await launchChromium();
      tab = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
      // A CSP violation (a hash that does not match) shows up as a console error.
      tab.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
      tab.on("console", (msg) => {
        // A tried call answering 4xx is logged by Chromium as a failed load: that is the point of trying.
        if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource: the server responded with a status of 4")) {
          problems.push(`console: ${msg.text()}`);
        }
      });
      await tab.goto(t.url + "/api");
      await tab.waitForSelector("body[data-ready]", { timeout: 15_000 });
    });

    after(async () => {
      await browser?.close().catch(() => undefined);
      await t?.close();
    });

    it("renders every operation of the OpenAPI document, grouped by tag, without errors", async () => {
      assert.equal(await tab.getAttribute("body", "data-ready"), "true", problems.join("\n"));
      const doc = ok(await t.api.call("GET", "/openapi.json"));
      const expected = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
        .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
        .sort();
      const shown = (await tab.$$eval("details.op", (els) => els.map((e) => `${e.getAttribute("data-method")} ${e.getAttribute("data-path")}`))).sort();
      assert.deepEqual(shown, expected);
      const tags = await tab.$$eval("section[data-tag]", (els) => els.map((e) => e.getAttribute("data-tag")));
      assert.deepEqual(
        tags,
        (doc.tags as { name: string }[]).map((tag) => tag.name),
      );
      assert.equal(await tab.textContent("#version"), doc.info.version);
      assert.deepEqual(problems, []);
    });

    it("shows an operation's parameters, body fields and responses", async () => {
      const op = tab.locator('details.op[data-method="post"][data-path="/v2/account/authenticate/device"]');
      await op.locator("summary").click();
      const text = (await op.textContent()) ?? "";
      for (const part of ["create", "username", "vars", "200", "default", "serverKey", "Error"]) assert.ok(text.includes(part), `shows ${part}`);
    });

    it("tries operations against the server: sign-in with the server key, then a bearer call", async () => {
      const send = async (method: string, path: string, fill?: (op: ReturnType<Page["locator"]>) => Promise<void>) => {
        const op = tab.locator(`details.op[data-method="${method}"][data-path="${path}"]`);
        if ((await op.getAttribute("open")) === null) await op.locator("summary").click();
        await fill?.(op);
        await op.locator("form.try button").click();
        const status = op.locator(".result-status");
        await status.waitFor({ timeout: 10_000 });
        return {
          status: await status.getAttribute("data-status"),
          body: (await op.locator(".result-body").textContent()) ?? "",
          line: (await op.locator(".result p").textContent()) ?? "",
        };
      };

      const health = await send("get", "/healthz");
      assert.equal(health.status, "200");
      assert.match(health.line, /X-Request-Id: [0-9a-f-]{36}/);

      assert.equal((await send("get", "/v2/account")).status, "401", "no token yet");
      await tab.fill("#server-key", "defaultkey");
      const signIn = await send("post", "/v2/account/authenticate/device", async (op) => {
        await op.locator('input[name="username"]').fill("pagetester");
        await op.locator('textarea[name="body"]').fill(JSON.stringify({ id: "api-page-device-000001" }));
      });
      assert.equal(signIn.status, "200", signIn.body);
      const session = JSON.parse(signIn.body) as { token: string; created: boolean };
      assert.equal(session.created, true);

      await tab.fill("#bearer-token", session.token);
      const account = await send("get", "/v2/account");
      assert.equal(account.status, "200", account.body);
      assert.equal((JSON.parse(account.body) as { user: { username: string } }).user.username, "pagetester");

      const sessions = await send("delete", "/v2/account/sessions/{id}", (op) => op.locator('input[name="id"]').fill("00000000-0000-4000-8000-000000000000"));
      assert.equal(sessions.status, "404", "the path parameter is filled in");
      assert.deepEqual(problems, []);
      if (process.env["API_PAGE_SCREENSHOT"]) await tab.screenshot({ path: process.env["API_PAGE_SCREENSHOT"], fullPage: false });
    });
  });
}
