/**
 * The published SDK has no runtime dependency: package.json declares none, and the built dist/
 * (`npm run build`) bundles the wire contract (@tessera/protocol) in, so its JavaScript imports
 * nothing but Node built-ins and its declarations name no other package.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = fileURLToPath(new URL("../..", import.meta.url));
const DIST = join(PACKAGE, "dist");

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));

/** The module specifiers a JavaScript or declaration file imports or re-exports (comments, whose examples import the SDK, left out). */
function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  for (const m of code.matchAll(/\b(?:from|import)\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push(m[1] ?? m[2] ?? m[3] ?? "");
  }
  return found;
}

describe("the built SDK package", () => {
  it("declares no runtime dependency", () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as Record<string, unknown>;
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "bundleDependencies", "bundledDependencies"]) {
      const value = pkg[field];
      assert.ok(
        value === undefined || (typeof value === "object" && value !== null && Object.keys(value).length === 0),
        `${field} must be empty: ${JSON.stringify(value)}`,
      );
    }
  });

  it("ships JavaScript that imports only Node built-ins, with the protocol bundled in", async () => {
    assert.ok(existsSync(join(DIST, "index.js")) && existsSync(join(DIST, "node.js")), "dist/ is not built: run `npm run build` first");
    const scripts = files(DIST).filter((f) => f.endsWith(".js"));
    assert.deepEqual(scripts.map((f) => f.slice(DIST.length + 1)).sort(), ["index.js", "node.js"]);
    for (const file of scripts) {
      const text = readFileSync(file, "utf8");
      assert.ok(!text.includes("@tessera/protocol"), `${file} names @tessera/protocol`);
      for (const spec of specifiers(text)) assert.match(spec, /^node:/, `${file} imports ${spec}`);
    }
    // The protocol's values are in the bundle: the entry point exports them.
    const sdk = (await import(join(DIST, "index.js"))) as { BeginAuthSessionResult: Record<string, number>; AuthSessionResponse: Record<string, number> };
    assert.equal(sdk.BeginAuthSessionResult["InvalidTicket"], 1);
    assert.equal(sdk.AuthSessionResponse["AuthTicketCanceled"], 6);
  });

  it("ships declarations that name no other package (the protocol's types are copied in)", () => {
    const declarations = files(DIST).filter((f) => f.endsWith(".d.ts"));
    assert.ok(declarations.some((f) => f.endsWith("index.d.ts")));
    for (const file of declarations) {
      for (const spec of specifiers(readFileSync(file, "utf8"))) assert.match(spec, /^(\.{1,2}\/|node:)/, `${file} imports ${spec}`);
    }
  });
});
