#!/usr/bin/env node
/**
 * `npm test` and `npm run test:<tier>`: type-checks and builds once (the SDK's and the console's
 * bundles too), then runs the test files of
 * the tiers asked for (all of them by default) in one `node --test` run.
 *
 *   node scripts/test.mjs                 every tier: unit, contract, api, system
 *   node scripts/test.mjs unit contract   those tiers only
 *   node scripts/test.mjs --no-build api  skip the type-check and build (you just ran them)
 *
 * Tiers are folders: packages/<package>/test/<tier>/*.test.ts (docs/architecture.md, "Tests").
 * The files run compiled (bundle-tests.mjs), one more at once than the machine has cores (at
 * most 4); TEST_CONCURRENCY overrides how many test files run at once.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { bundleTests } from "./bundle-tests.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TIERS = ["unit", "contract", "api", "system"];
// Run the slow tiers first, so the long files do not start last and keep the run waiting.
const RUN_ORDER = ["system", "api", "contract", "unit"];

const args = process.argv.slice(2);
const build = !args.includes("--no-build");
const asked = args.filter((a) => !a.startsWith("--"));
for (const tier of asked) {
  if (!TIERS.includes(tier)) {
    console.error(`test: unknown tier "${tier}" (the tiers: ${TIERS.join(", ")})`);
    process.exit(2);
  }
}
const tiers = asked.length > 0 ? asked : TIERS;

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: "inherit" });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (build) {
  run("npm", ["run", "typecheck", "--silent"]);
  run("npm", ["run", "build", "--silent", "-w", "@tessera/client"]);
  run("npm", ["run", "build", "--silent", "-w", "@tessera/console"]);
}

const files = [];
for (const pkg of readdirSync(join(ROOT, "packages")).sort()) {
  for (const tier of RUN_ORDER.filter((t) => tiers.includes(t))) {
    const dir = join("packages", pkg, "test", tier);
    if (!existsSync(join(ROOT, dir))) continue;
    for (const name of readdirSync(join(ROOT, dir)).sort()) if (name.endsWith(".test.ts")) files.push(join(dir, name));
  }
}
if (files.length === 0) {
  console.error(`test: no test files in the tiers ${tiers.join(", ")}`);
  process.exit(1);
}
// One more file than cores: a file often waits (on a child process, a timer, the network), and
// the next one uses the core meanwhile. At most 4, so a large machine does not start dozens of
// servers and databases at once.
const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.min(4, availableParallelism() + 1));
// Compiled once here rather than by a TypeScript loader in every test process (bundle-tests.mjs).
const bundles = await bundleTests(ROOT, files);
run(process.execPath, ["--enable-source-maps", "--test", `--test-concurrency=${concurrency}`, "--test-timeout=180000", ...bundles]);
