// Builds the console into dist/: src/main.ts bundled (esbuild) and src/console.css, both with
// content-hashed names under dist/assets/, and dist/index.html naming them. The server serves
// dist/ at /console/ (assets cached for a year, index.html revalidated).
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));
const dist = join(root, "dist");
const assets = join(dist, "assets");

const result = await build({
  absWorkingDir: root,
  entryPoints: { console: "src/main.ts", style: "src/console.css" },
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  entryNames: "[name]-[hash]",
  outdir: assets,
  write: false,
  logLevel: "warning",
});

rmSync(dist, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });
const names = {};
for (const file of result.outputFiles) {
  writeFileSync(file.path, file.contents);
  names[file.path.endsWith(".css") ? "style" : "script"] = basename(file.path);
}
const html = readFileSync(join(root, "src", "index.html"), "utf8")
  .replace("%STYLE%", names.style)
  .replace("%SCRIPT%", names.script);
writeFileSync(join(dist, "index.html"), html);
