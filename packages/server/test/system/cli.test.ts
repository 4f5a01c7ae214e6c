/**
 * The real `tessera` CLI in child processes: start-up on an ephemeral port, configuration sources
 * and their precedence, configuration errors (exit code 2 naming the setting), `--help`, the
 * default-key warning, and graceful shutdown on SIGTERM with requests in flight.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { SETTINGS } from "../../src/config/settings.js";
import { ChildServers, stopServer } from "../support/child-servers.js";
import { Api, claimsOf, runCli, type SpawnedServer } from "../support/harness.js";

const START_TIMEOUT_MS = 20_000;

/** The suite's child servers and data directories, stopped and removed at the end. */
const children = new ChildServers("tessera-cli-", START_TIMEOUT_MS);

after(() => children.close(2_000));

/** Writes a YAML file into a fresh temporary directory and returns its path. */
function yamlFile(text: string): string {
  const file = join(children.dir(), "tessera.yml");
  writeFileSync(file, text);
  return file;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

async function signInDevice(api: Api, id: string, key = "defaultkey") {
  return api.withKey("/v2/account/authenticate/device", { id }, key);
}

describe("tessera serve: start-up", () => {
  it("--port 0 prints the real address and answers there", async () => {
    const s = await children.serve(["--port", "0", "--data-dir", children.dir()]);
    const port = portOf(s.url);
    assert.ok(Number.isInteger(port) && port > 0 && port <= 65535, `real port in ${s.url}`);
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(s.url + "/healthz");
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });

    const api = new Api(s.url);
    const res = await signInDevice(api, "cli-port0-device-1");
    assert.equal(res.status, 200);
    assert.equal(res.body.created, true);
    // Default access token lifetime (DESIGN.md): 3600 s.
    const claims = claimsOf(res.body.token);
    assert.equal(claims.exp - claims.iat, 3600);
    await stopServer(s);
  });

  it("runs two servers side by side on different ports and data directories", async () => {
    const dirA = children.dir();
    const dirB = children.dir();
    const [a, b] = await Promise.all([children.serve(["--port", "0", "--data-dir", dirA]), children.serve(["--port", "0", "--data-dir", dirB])]);
    assert.notEqual(portOf(a.url), portOf(b.url));
    const apiA = new Api(a.url);
    const apiB = new Api(b.url);
    const [ra, rb] = await Promise.all([signInDevice(apiA, "cli-side-by-side-a"), signInDevice(apiB, "cli-side-by-side-b")]);
    assert.equal(ra.status, 200);
    assert.equal(rb.status, 200);
    // Each has its own database and its own generated signing keys.
    assert.ok(existsSync(join(dirA, "tessera.db")) && existsSync(join(dirB, "tessera.db")));
    assert.notDeepEqual(readFileSync(join(dirA, "keys.json"), "utf8"), readFileSync(join(dirB, "keys.json"), "utf8"));
    assert.equal((await apiA.withToken("GET", "/v2/account", ra.body.token)).status, 200);
    assert.equal((await apiB.withToken("GET", "/v2/account", rb.body.token)).status, 200);
    // A token of one server is not valid on the other.
    assert.equal((await apiB.withToken("GET", "/v2/account", ra.body.token)).status, 401);
    // The device signed in on A does not exist on B.
    const missing = await apiB.withKey("/v2/account/authenticate/device?create=false", { id: "cli-side-by-side-a" });
    assert.equal(missing.status, 404);
    await Promise.all([stopServer(a), stopServer(b)]);
  });

  it("warns about the default server key", async () => {
    const s = await children.serve(["--port", "0", "--data-dir", children.dir()]);
    assert.match(s.output(), /WARN.*socket\.server_key.*defaultkey/);
    await stopServer(s);
  });

  it("prints no default-key warning with an own server key", async () => {
    const s = await children.serve(["--port", "0", "--data-dir", children.dir(), "--server-key", "own-server-key"]);
    assert.doesNotMatch(s.output(), /socket\.server_key/);
    await stopServer(s);
  });
});

describe("tessera serve: invalid configuration exits with code 2 naming the setting", { concurrency: true }, () => {
  /** Runs `serve` with a safe port and data dir, so a wrongly accepted configuration cannot clash. */
  async function expectConfigError(args: string[], setting: RegExp, env?: Record<string, string>): Promise<string> {
    const { code, output } = await runCli(["serve", "--data-dir", children.dir(), ...args], { env, timeoutMs: START_TIMEOUT_MS });
    assert.equal(code, 2, `exit code; output:\n${output}`);
    assert.match(output, setting);
    assert.match(output, /Invalid configuration/);
    assert.doesNotMatch(output, /listening on/);
    return output;
  }

  it("--port 70000", async () => {
    await expectConfigError(["--port", "70000"], /socket\.port/);
  });

  it("--port abc", async () => {
    await expectConfigError(["--port", "abc"], /socket\.port.*abc/);
  });

  it("an unknown flag", async () => {
    await expectConfigError(["--port", "0", "--no-such-flag", "1"], /--no-such-flag/);
  });

  it("an unknown key in the YAML file", async () => {
    const file = yamlFile("socket:\n  port: 0\nsession:\n  token_expiry_seconds: 60\n");
    await expectConfigError(["--config", file], /session\.token_expiry_seconds/);
  });

  it("session.token_expiry_sec: 0 in the YAML file", async () => {
    const file = yamlFile("socket:\n  port: 0\nsession:\n  token_expiry_sec: 0\n");
    await expectConfigError(["--config", file], /session\.token_expiry_sec/);
  });

  it("equal session.encryption_key and session.refresh_encryption_key", async () => {
    const key = "k".repeat(48);
    const file = yamlFile(`socket:\n  port: 0\nsession:\n  encryption_key: "${key}"\n  refresh_encryption_key: "${key}"\n`);
    const output = await expectConfigError(["--config", file], /session\.refresh_encryption_key/);
    assert.match(output, /session\.encryption_key/);
  });

  it("--production with the default server key", async () => {
    const output = await expectConfigError(["--port", "0", "--production"], /socket\.server_key/);
    assert.match(output, /production/);
  });

  it("an invalid value from the environment names the setting", async () => {
    await expectConfigError([], /socket\.port/, { TESSERA_PORT: "-1" });
  });
});

describe("tessera serve: configuration sources", () => {
  it("reads TESSERA_PORT, TESSERA_DATA_DIR and TESSERA_SERVER_KEY", async () => {
    const dataDir = children.dir();
    const s = await children.serve([], { TESSERA_PORT: "0", TESSERA_DATA_DIR: dataDir, TESSERA_SERVER_KEY: "xyz" });
    assert.notEqual(portOf(s.url), 0);
    assert.notEqual(portOf(s.url), 7350);
    assert.match(s.output(), new RegExp(`database="${join(dataDir, "tessera.db").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
    assert.ok(existsSync(join(dataDir, "keys.json")), "keys generated in TESSERA_DATA_DIR");
    assert.doesNotMatch(s.output(), /socket\.server_key/, "no default-key warning");

    const api = new Api(s.url);
    const ok = await signInDevice(api, "cli-env-device-1", "xyz");
    assert.equal(ok.status, 200);
    const bad = await signInDevice(api, "cli-env-device-1", "defaultkey");
    assert.equal(bad.status, 401);
    assert.equal(bad.body.message, "Server key invalid");
    await stopServer(s);
  });

  it("applies defaults < YAML < environment < flags", async () => {
    const file = yamlFile(`socket:\n  port: 0\n  server_key: yamlkey\nsession:\n  token_expiry_sec: 100\n`);
    const env = { TESSERA_SERVER_KEY: "envkey", TESSERA_SESSION_TOKEN_EXPIRY_SEC: "200" };
    const [yamlOnly, yamlEnv, all] = await Promise.all([
      children.serve(["--config", file, "--data-dir", children.dir()]),
      children.serve(["--config", file, "--data-dir", children.dir()], env),
      children.serve(["--config", file, "--data-dir", children.dir(), "--server-key", "flagkey", "--session.token_expiry_sec", "300"], env),
    ]);

    async function check(s: SpawnedServer, winner: string, losers: string[], expiry: number, device: string): Promise<void> {
      const api = new Api(s.url);
      for (const key of losers) {
        const res = await signInDevice(api, device, key);
        assert.equal(res.status, 401, `key ${key} must be rejected on ${s.url}`);
        assert.equal(res.body.message, "Server key invalid");
      }
      const res = await signInDevice(api, device, winner);
      assert.equal(res.status, 200, `key ${winner} must work`);
      const claims = claimsOf(res.body.token);
      assert.equal(claims.exp - claims.iat, expiry);
    }
    await check(yamlOnly, "yamlkey", ["defaultkey", "envkey", "flagkey"], 100, "cli-precedence-yaml");
    await check(yamlEnv, "envkey", ["defaultkey", "yamlkey", "flagkey"], 200, "cli-precedence-env");
    await check(all, "flagkey", ["defaultkey", "yamlkey", "envkey"], 300, "cli-precedence-flag");
    await Promise.all([stopServer(yamlOnly), stopServer(yamlEnv), stopServer(all)]);
  });

  it("TESSERA_CONFIG names the YAML file", async () => {
    const file = yamlFile(`socket:\n  port: 0\n  server_key: fromconfigenv\n`);
    const s = await children.serve(["--data-dir", children.dir()], { TESSERA_CONFIG: file });
    const api = new Api(s.url);
    assert.equal((await signInDevice(api, "cli-config-env-1", "fromconfigenv")).status, 200);
    assert.equal((await signInDevice(api, "cli-config-env-1", "defaultkey")).status, 401);
    await stopServer(s);
  });
});

describe("tessera --help", () => {
  it("serve --help lists every setting and exits 0 without starting", async () => {
    const { code, output } = await runCli(["serve", "--help"], { timeoutMs: START_TIMEOUT_MS });
    assert.equal(code, 0);
    assert.doesNotMatch(output, /listening on/);
    assert.ok(SETTINGS.length > 5);
    for (const s of SETTINGS) {
      assert.ok(output.includes(`--${s.path}`), `--help names --${s.path}`);
      if (s.flag) assert.ok(output.includes(s.flag), `--help names ${s.flag}`);
    }
    assert.match(output, /--config/);
    assert.match(output, /TESSERA_PORT/);
  });

  it("--help without a command prints the same settings", async () => {
    const { code, output } = await runCli(["--help"], { timeoutMs: START_TIMEOUT_MS });
    assert.equal(code, 0);
    for (const s of SETTINGS) assert.ok(output.includes(`--${s.path}`), `--help names --${s.path}`);
  });

  it("an unknown command exits 2", async () => {
    const { code, output } = await runCli(["frobnicate"], { timeoutMs: START_TIMEOUT_MS });
    assert.equal(code, 2);
    assert.match(output, /frobnicate/);
  });
});

/**
 * POST with `Expect: 100-continue` on its own connection. `headersReceived` resolves when the
 * server has parsed the request head (it answers "100 Continue"), i.e. the request is in flight on
 * the server; `send()` then writes the body; `response` resolves with status and parsed body.
 */
function postInTwoSteps(url: string, path: string, body: unknown, serverKey: string) {
  const text = JSON.stringify(body);
  const req = httpRequest(url + path, {
    method: "POST",
    agent: false,
    headers: {
      Authorization: "Basic " + Buffer.from(serverKey + ":").toString("base64"),
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
      Expect: "100-continue",
    },
  });
  const headersReceived = new Promise<void>((resolve) => req.once("continue", () => resolve()));
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.once("error", reject);
    req.once("response", (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (data += d));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body: data === "" ? undefined : JSON.parse(data) }));
      res.once("error", reject);
    });
  });
  req.flushHeaders();
  return { headersReceived, response, send: () => req.end(text) };
}

describe("tessera serve: SIGTERM", () => {
  it("lets in-flight requests finish with 200, exits 0, and stops answering", async () => {
    const s = await children.serve(["--port", "0", "--data-dir", children.dir()]);
    // Email sign-ins that create accounts hash the password with argon2id on the thread pool, so
    // they are still being worked on when SIGTERM arrives right after their bodies are sent.
    const N = 6;
    let answered = 0;
    const requests = Array.from({ length: N }, (_, i) =>
      postInTwoSteps(s.url, "/v2/account/authenticate/email", { email: `sigterm-${i}@example.com`, password: "correct horse battery" }, "defaultkey"),
    );
    const responses = requests.map((r) =>
      r.response.then((res) => {
        answered++;
        return res;
      }),
    );
    // Every request has reached the server before the signal (no race with accepting connections).
    await Promise.all(requests.map((r) => r.headersReceived));
    for (const r of requests) r.send();
    s.child.kill("SIGTERM");
    const pendingAtSignal = N - answered;

    const results = await Promise.all(responses);
    assert.equal(pendingAtSignal, N, "all sign-ins were in flight when SIGTERM was sent");
    for (const res of results) {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.created, true);
      assert.equal(typeof res.body.token, "string");
    }
    assert.equal(await s.exited, 0);
    const out = s.output();
    assert.match(out, /SIGTERM received/);
    assert.match(out, /shutdown complete/);
    assert.ok(out.indexOf("SIGTERM received") < out.indexOf("shutdown complete"));
    await assert.rejects(fetch(s.url + "/healthz"), "the port no longer answers after exit");
  });
});
