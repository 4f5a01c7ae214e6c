/**
 * The README is part of the product: its configuration table must list every setting, and its
 * curl walkthrough must work as printed (run here against a real server, port substituted).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SETTINGS } from "../../src/config/settings.js";
import { startTestServer, tempDir, type TestServer } from "../support/harness.js";

const README = readFileSync(fileURLToPath(new URL("../../../../README.md", import.meta.url)), "utf8");

describe("README", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it("documents every configuration setting in its table", () => {
    for (const s of SETTINGS) assert.ok(README.includes(`| \`${s.path}\` |`), `README configuration table lacks ${s.path}`);
  });

  it("runs the curl walkthrough as printed", async () => {
    const start = README.indexOf("## Try it with curl");
    const block = /```sh\n([\s\S]*?)```/.exec(README.slice(start));
    assert.ok(block, "curl block not found");
    const port = new URL(t.url).port;
    const script = "set -e\n" + block[1]!.replaceAll("127.0.0.1:7350", `127.0.0.1:${port}`);
    const dir = tempDir();
    try {
      const output = await new Promise<string>((resolve, reject) =>
        execFile("bash", ["-c", script], { cwd: dir.path, timeout: 30_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
        ),
      );
      assert.match(output, /"username":"alice"/);
      assert.match(output, /"devices":\[\{"id":"my-device-000001"\}\]/);
      assert.match(output, /"sessions":\[\{"id":"[0-9a-f-]{36}"/);
      assert.ok(output.trimEnd().endsWith('{"code":16,"message":"Auth token invalid"}'), output);
    } finally {
      dir.remove();
    }
  });
});
