/**
 * The web console's static files (`packages/console`, built into its `dist/`) at `/console/`:
 * index.html (never cached without revalidation) and content-hashed assets (cached for a year),
 * each with its content type, an ETag, and a Content-Security-Policy that allows scripts, styles
 * and API calls from this origin only. Not part of the API, so not in the OpenAPI document.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { notFound } from "../../shared/api-error.js";
import { FileReply, route, type RequestContext, type Route } from "../route.js";

interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".map": "application/json; charset=utf-8",
};

/** The console talks to this origin only and may not be framed. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  "Content-Security-Policy": CONSOLE_CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** Where the built console is: the @tessera/console package's dist/, or beside this package in the repository. */
function consoleDistDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("@tessera/console/package.json")), "dist");
  } catch {
    return fileURLToPath(new URL("../../../../console/dist/", import.meta.url));
  }
}

/** Reads index.html and assets/ once; undefined while the console is not built. */
function loadFiles(dir: string): Map<string, ConsoleFile> | undefined {
  const files = new Map<string, ConsoleFile>();
  const add = (urlPath: string, path: string) => {
    const body = readFileSync(path);
    files.set(urlPath, {
      body,
      type: TYPES[extname(path)] ?? "application/octet-stream",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
    });
  };
  try {
    add("index.html", join(dir, "index.html"));
    for (const name of readdirSync(join(dir, "assets"))) add(`assets/${name}`, join(dir, "assets", name));
  } catch {
    return undefined;
  }
  return files;
}

export function consolePageRoutes(dir = consoleDistDir()): Route[] {
  let files: Map<string, ConsoleFile> | undefined;
  const serve = async (ctx: RequestContext<undefined>, name: string): Promise<FileReply> => {
    files ??= loadFiles(dir);
    if (!files) throw notFound("The web console is not built: run `npm run build` (it builds packages/console).");
    const file = files.get(name);
    if (!file) throw notFound("Not Found");
    const cache = name === "index.html" ? "no-cache" : "public, max-age=31536000, immutable";
    const headers = { ...SECURITY_HEADERS, "Content-Type": file.type, "Cache-Control": cache, ETag: file.etag };
    return ctx.req.headers["if-none-match"] === file.etag ? new FileReply(304, Buffer.alloc(0), headers) : new FileReply(200, file.body, headers);
  };
  return [
    route({
      method: "GET",
      path: "/console",
      auth: "none",
      tag: "console",
      summary: "The web console (redirects to /console/).",
      handler: async () => new FileReply(308, Buffer.alloc(0), { Location: "/console/" }),
    }),
    route({ method: "GET", path: "/console/", auth: "none", tag: "console", summary: "The web console.", handler: (ctx) => serve(ctx, "index.html") }),
    route({
      method: "GET",
      path: "/console/assets/{file}",
      auth: "none",
      tag: "console",
      summary: "The web console's scripts and styles.",
      handler: (ctx) => serve(ctx, `assets/${ctx.params["file"]}`),
    }),
  ];
}
