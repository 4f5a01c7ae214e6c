/**
 * The SDK in a real browser: the main entry is bundled for the browser with esbuild (which also
 * proves it has no Node-only imports), served from one origin, and signs in against a real Tessera
 * server on another origin (a different port: real CORS). Chromium is driven with playwright-core.
 *
 * Without Chromium the test is skipped with instructions, except in CI (CI=true), where it fails.
 */
import { after, before, describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_MISSING as MISSING, launchChromium } from "../../../server/test/support/chromium.js";
import { startTestServer, type TestServer } from "../../../server/test/support/harness.js";

const ENTRY = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const PROJECT = "browser-test";
const TOKEN_KEY = `${PROJECT}.default.tessera.session_token`;

/** What the page publishes as `window.tesseraResult` once its sign-in settled. */
interface PageResult {
  ok: boolean;
  error?: string;
  state?: string;
  playerId?: string | null;
  sessionId?: string;
  created?: boolean;
  tokenCached?: boolean;
  accessToken?: string | null;
  events?: string[];
}

interface PageWindow {
  tesseraResult?: PageResult;
  auth?: { signOut(options?: { clearCredentials?: boolean }): Promise<void>; state: string; sessionTokenExists: boolean };
}

function page(tesseraUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>Tessera SDK browser test</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem; color: #222; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { font-weight: 600; } dd { margin: 0; font-family: ui-monospace, monospace; }
  #state.Authorized { color: #0a7a2f; } #state.error { color: #b00020; }
</style>
</head>
<body>
<h1>Tessera — signed in from the browser</h1>
<dl>
  <dt>State</dt><dd id="state">SigningIn</dd>
  <dt>Player id</dt><dd id="player">—</dd>
  <dt>Session token cached</dt><dd id="cached">—</dd>
  <dt>New account</dt><dd id="created">—</dd>
  <dt>Server</dt><dd>${tesseraUrl}</dd>
</dl>
<script src="/tessera.js"></script>
<script>
(async () => {
  const $ = (id) => document.getElementById(id);
  const client = new Tessera.Client({ url: ${JSON.stringify(tesseraUrl)}, serverKey: "defaultkey" });
  const auth = new Tessera.AuthenticationService({ client, projectId: ${JSON.stringify(PROJECT)}, storage: new Tessera.WebStorage() });
  window.auth = auth;
  const events = [];
  for (const name of ["signedIn", "signedOut", "expired", "signInFailed"]) auth.on(name, () => events.push(name));
  let result;
  try {
    await auth.signInAnonymously();
    result = { ok: true, state: auth.state, playerId: auth.playerId, sessionId: auth.currentSession.sessionId,
               created: auth.currentSession.created, tokenCached: auth.sessionTokenExists,
               accessToken: auth.accessToken, events };
    $("state").className = auth.state;
  } catch (e) {
    result = { ok: false, error: e.name + " " + e.errorCode + ": " + e.message, state: auth.state, events };
    $("state").className = "error";
  }
  $("state").textContent = result.ok ? result.state : result.error;
  $("player").textContent = result.playerId ?? "—";
  $("cached").textContent = String(result.tokenCached ?? false);
  $("created").textContent = String(result.created ?? "—");
  window.tesseraResult = result;
})();
</script>
</body>
</html>`;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

if (!existsSync(CHROMIUM)) {
  test("browser: SDK signs in from Chromium", (t) => {
    if (process.env["CI"] === "true") assert.fail(MISSING);
    t.skip(MISSING);
  });
} else {
  describe("browser: SDK in Chromium against a real server (cross-origin)", () => {
    let tessera: TestServer | undefined;
    let statics: Server | undefined;
    let browser: Browser | undefined;
    let context: BrowserContext | undefined;
    let tab: Page;
    let pageUrl = "";
    let bundle = "";
    let metafile: Metafile;
    const pageErrors: string[] = [];
    /** Origin headers the page's calls to the Tessera server carried. */
    const apiOrigins: Promise<string>[] = [];

    before(async () => {
      const out = await build({
        entryPoints: [ENTRY],
        bundle: true,
        format: "iife",
        globalName: "Tessera",
        platform: "browser",
        target: "es2022",
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      bundle = out.outputFiles[0]!.text;
      metafile = out.metafile;

      tessera = await startTestServer();
      const html = page(tessera.url);
      statics = createServer((req, res) => {
        const path = (req.url ?? "/").split("?")[0];
        const send = (type: string, body: string) => {
          res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" });
          res.end(body);
        };
        if (path === "/") send("text/html; charset=utf-8", html);
        else if (path === "/tessera.js") send("text/javascript; charset=utf-8", bundle);
        else {
          res.writeHead(404);
          res.end();
        }
      });
      pageUrl = await listen(statics);

      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 900, height: 420 } });
      tab = await context.newPage();
      context.on("request", (req) => {
        if (req.url().startsWith(tessera!.url + "/")) apiOrigins.push(req.allHeaders().then((h) => h["origin"] ?? "(none)"));
      });
      tab.on("pageerror", (err) => pageErrors.push(`pageerror: ${err.message}`));
      tab.on("console", (msg) => {
        if (msg.type() === "error") pageErrors.push(`console: ${msg.text()}`);
      });
    });

    after(async () => {
      // Each step on its own, so one failure never leaves a browser or a server running.
      await browser?.close().catch(() => undefined);
      await new Promise<void>((resolve) => (statics?.listening ? statics.close(() => resolve()) : resolve()));
      await tessera?.close().catch(() => undefined);
    });

    /** Loads (or reloads) the page and waits until its sign-in settled. */
    async function signedInPage(p: Page, reload = false): Promise<PageResult> {
      if (reload) await p.reload();
      else await p.goto(pageUrl);
      await p.waitForFunction(() => (window as unknown as PageWindow).tesseraResult !== undefined, null, { timeout: 10_000 });
      const result = await p.evaluate(() => (window as unknown as PageWindow).tesseraResult!);
      assert.equal(result.ok, true, `sign-in in the page failed: ${result.error}; ${pageErrors.join("; ")}`);
      return result;
    }

    const storedToken = (p: Page) => p.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);

    it("bundles the main entry for the browser without Node built-ins", () => {
      const inputs = Object.keys(metafile.inputs);
      assert.ok(inputs.length > 0);
      for (const input of inputs) {
        // The SDK's own files, its folders (tickets/) included, and the wire contract it bundles in (@tessera/protocol's build).
        assert.match(input, /packages\/(client\/src\/([a-z-]+\/)*[a-z-]+\.ts|protocol\/dist\/([a-z-]+\/)*[a-z-]+\.js)$/, `unexpected bundle input ${input}`);
        assert.doesNotMatch(input, /node\.ts$/);
      }
      assert.doesNotMatch(bundle, /require\(|"node:/);
    });

    it("signs in anonymously, then a reload resumes the same player from the cached session token", async () => {
      const first = await signedInPage(tab);
      assert.equal(first.state, "Authorized");
      assert.equal(first.created, true, "the first launch creates an anonymous account");
      assert.equal(first.tokenCached, true);
      assert.deepEqual(first.events, ["signedIn"]);
      const playerA = first.playerId!;
      assert.match(playerA, /^[0-9a-f-]{36}$/);
      assert.notEqual(new URL(pageUrl).origin, new URL(tessera!.url).origin);
      assert.deepEqual([...new Set(await Promise.all(apiOrigins))], [pageUrl], "the SDK's calls were cross-origin requests from the page");
      const token1 = await storedToken(tab);
      assert.ok(token1, `localStorage["${TOKEN_KEY}"] holds the session token`);

      mkdirSync(SCREENSHOTS, { recursive: true });
      await tab.screenshot({ path: SCREENSHOTS + "browser-signed-in.png" });

      const again = await signedInPage(tab, true);
      assert.equal(again.playerId, playerA, "the reload is the same player");
      assert.equal(again.created, false, "no new account on reload");
      assert.equal(again.sessionId, first.sessionId, "the same server session continued");
      const token2 = await storedToken(tab);
      assert.ok(token2);
      assert.notEqual(token2, token1, "the cached session token rotated on use");

      // The server agrees: the new access token belongs to player A, still with one session.
      const account = await tessera!.api.withToken("GET", "/v2/account", again.accessToken!);
      assert.equal(account.status, 200);
      assert.equal(account.body.user.id, playerA);
      const sessions = await tessera!.api.withToken("GET", "/v2/account/sessions", again.accessToken!);
      assert.equal(sessions.status, 200);
      assert.equal(sessions.body.sessions.length, 1);

      // A second tab shares localStorage: it resumes the same player too.
      const tab2 = await context!.newPage();
      try {
        const other = await signedInPage(tab2);
        assert.equal(other.playerId, playerA);
        assert.equal(other.created, false);
        assert.notEqual(await storedToken(tab2), token2, "the second tab rotated the shared token");
      } finally {
        await tab2.close();
      }
      assert.deepEqual(pageErrors, []);
    });

    it("signOut({ clearCredentials: true }) forgets the player: the reload is a new anonymous player", async () => {
      const before = await signedInPage(tab, true);
      const playerA = before.playerId!;
      const state = await tab.evaluate(async () => {
        const auth = (window as unknown as PageWindow).auth!;
        await auth.signOut({ clearCredentials: true });
        return { state: auth.state, cached: auth.sessionTokenExists };
      });
      assert.deepEqual(state, { state: "SignedOut", cached: false });
      assert.equal(await storedToken(tab), null);
      // Clearing credentials also ended the session on the server.
      const old = await tessera!.api.withToken("GET", "/v2/account", before.accessToken!);
      assert.equal(old.status, 401);

      const next = await signedInPage(tab, true);
      assert.equal(next.created, true);
      assert.notEqual(next.playerId, playerA, "a new anonymous player B");
      assert.ok(await storedToken(tab));
      const account = await tessera!.api.withToken("GET", "/v2/account", next.accessToken!);
      assert.equal(account.body.user.id, next.playerId);
      assert.deepEqual(pageErrors, []);
    });
  });
}
