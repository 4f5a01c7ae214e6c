/**
 * The peer: better-auth 1.7 with its anonymous and bearer plugins on SQLite (better-sqlite3),
 * rate limiting off, mounted with `toNodeHandler` on a node:http server. The schema is created
 * with better-auth's own programmatic migrations (`getMigrations` from "better-auth/db/migration") before listening. `/__rss` answers its RSS.
 * Env: BENCH_BA_DB (SQLite file path, required).
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { anonymous } from "better-auth/plugins/anonymous";
import { bearer } from "better-auth/plugins/bearer";

const dbPath = process.env["BENCH_BA_DB"];
if (!dbPath) throw new Error("BENCH_BA_DB must name the SQLite file");

const db = new Database(dbPath);
// The same journal mode Tessera uses, so the comparison is about the servers, not SQLite settings.
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");

const server = createServer();
server.listen(0, "127.0.0.1", () => void start());

async function start(): Promise<void> {
  const { port } = server.address() as AddressInfo;
  const baseURL = `http://127.0.0.1:${port}`;
  const options = {
    baseURL,
    secret: randomBytes(32).toString("hex"),
    database: db,
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    plugins: [anonymous(), bearer()],
  } satisfies BetterAuthOptions;
  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  const auth = betterAuth(options);
  const handler = toNodeHandler(auth);
  server.on("request", (req, res) => {
    if (req.url === "/__rss") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ rss: process.memoryUsage().rss }));
      return;
    }
    void handler(req, res);
  });
  process.stdout.write(`better-auth listening on ${baseURL}\n`);
}

process.on("SIGTERM", () =>
  server.close(() => {
    db.close();
    process.exit(0);
  }),
);
