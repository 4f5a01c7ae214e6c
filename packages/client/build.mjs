// Builds the SDK into dist/: tsc (`tsc -b packages/client`, run first) emits the .d.ts files;
// this bundles src/index.ts and src/node.ts into dist/index.js and dist/node.js with esbuild, the
// wire contract (@tessera/protocol) inlined, so the published package has no runtime dependency.
// The protocol's declarations are copied to dist/protocol/ and the .d.ts files point there, so
// the types need no dependency either.
import { build } from "esbuild";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));
const dist = join(root, "dist");
const protocolDist = join(root, "..", "protocol", "dist");
if (!existsSync(join(dist, "index.d.ts")) || !existsSync(join(protocolDist, "index.d.ts"))) {
  throw new Error("Run `tsc -b packages/protocol packages/client` first: the declarations are missing.");
}

/** Every file under `dir`, recursively. */
const files = (dir) => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));

// JavaScript from an earlier build (tsc once emitted it) would be shipped next to the bundles.
for (const file of files(dist)) if (/\.js(\.map)?$/.test(file)) rmSync(file);

await build({
  absWorkingDir: root,
  entryPoints: { index: "src/index.ts", node: "src/node.ts" },
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  external: ["node:*"],
  sourcemap: true,
  outdir: dist,
  logLevel: "warning",
});

const protocolTypes = join(dist, "protocol");
rmSync(protocolTypes, { recursive: true, force: true });
cpSync(protocolDist, protocolTypes, { recursive: true, filter: (src) => statSync(src).isDirectory() || src.endsWith(".d.ts") });
for (const file of files(dist)) {
  if (!file.endsWith(".d.ts") || file.startsWith(protocolTypes)) continue;
  const text = readFileSync(file, "utf8");
  let target = relative(dirname(file), join(protocolTypes, "index.js")).replaceAll("\\", "/");
  if (!target.startsWith(".")) target = `./${target}`;
  const rewritten = text.replaceAll('"@tessera/protocol"', JSON.stringify(target));
  if (rewritten !== text) writeFileSync(file, rewritten);
}
