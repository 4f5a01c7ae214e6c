/**
 * Compiles test files for `scripts/test.mjs`: each test file and what it imports from the
 * repository (sources, the test kit) become one JavaScript file, so that a test process starts
 * without a TypeScript loader and without resolving its modules one by one. Packages from
 * node_modules stay imports. The bundles are written under `<package>/.tmp/tests/`, mirroring
 * `<package>/test/`, so that packages resolve from the same place as the sources.
 *
 * `import.meta.url` keeps naming the original file (fixtures, the console's files and the dist
 * folder are found relative to it), and inline source maps make stack traces name the .ts lines.
 */
import { readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** Every `import.meta.url` in a compiled file becomes the URL of the file it was written in. */
const originalImportMetaUrl = {
  name: "original-import-meta-url",
  setup(context) {
    context.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      return { contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader: "ts" };
    });
  },
};

/**
 * Bundles `files` (paths relative to `root`, `packages/<package>/test/<tier>/<name>.test.ts`);
 * answers the bundles' paths, relative to `root`, in the same order.
 */
export async function bundleTests(root, files) {
  const byPackage = new Map();
  for (const file of files) {
    const pkg = file.split(sep).slice(0, 2).join(sep);
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), file]);
  }
  await Promise.all(
    [...byPackage].map(([pkg, entries]) =>
      build({
        absWorkingDir: root,
        entryPoints: entries,
        outbase: join(pkg, "test"),
        outdir: join(pkg, ".tmp", "tests"),
        outExtension: { ".js": ".mjs" },
        bundle: true,
        packages: "external",
        platform: "node",
        format: "esm",
        target: "node20",
        sourcemap: "inline",
        plugins: [originalImportMetaUrl],
        logLevel: "warning",
      }),
    ),
  );
  return files.map((file) => {
    const pkg = file.split(sep).slice(0, 2).join(sep);
    return join(pkg, ".tmp", "tests", relative(join(pkg, "test"), file)).replace(/\.ts$/, ".mjs");
  });
}
