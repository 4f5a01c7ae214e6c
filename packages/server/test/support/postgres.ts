/**
 * The real PostgreSQL for tests: throwaway databases (`tessera_test_<random>`) created through the
 * maintenance database named by TESSERA_TEST_POSTGRES_URL, and dropped (connections terminated
 * first) by `dropAll()`. When the server is unreachable, `postgresSkipReason()` explains how to
 * start it; with CI=true the suites fail instead of skipping.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

export const ADMIN_URL = process.env["TESSERA_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";
const START_HINT = "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set TESSERA_TEST_POSTGRES_URL)";

/** Undefined when PostgreSQL answers; otherwise why not and how to start it. */
export async function postgresSkipReason(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (err) {
    return `PostgreSQL is not reachable at ${ADMIN_URL} (${(err as Error).message || (err as { code?: string }).code}); ${START_HINT}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The `skip` option for a PostgreSQL describe: a reason, or false; throws under CI=true. */
export async function postgresSkip(): Promise<string | false> {
  const reason = await postgresSkipReason();
  if (reason === undefined) return false;
  if (process.env["CI"] === "true") throw new Error(`CI=true requires PostgreSQL. ${reason}`);
  return reason;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const created = new Set<string>();

/** Creates an empty database and returns its URL. */
export async function createTestDatabase(): Promise<{ name: string; url: string }> {
  const name = `tessera_test_${randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  created.add(name);
  const url = new URL(ADMIN_URL);
  url.pathname = "/" + name;
  return { name, url: url.toString() };
}

/**
 * Creates an empty database reached through a TCP proxy the test controls (cut it to make the
 * database unreachable, restore it to bring it back). Close the proxy when done.
 */
export async function createProxiedTestDatabase(): Promise<{ name: string; url: string; proxy: TcpProxy }> {
  const { name, url } = await createTestDatabase();
  const admin = new URL(ADMIN_URL);
  const proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
  const viaProxy = new URL(url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  return { name, url: viaProxy.toString(), proxy };
}

/** Drops a test database at once, terminating its connections (the database "goes away"). */
export async function dropTestDatabase(name: string): Promise<void> {
  if (!/^tessera_test_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await admin(async (c) => {
    await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  created.delete(name);
}

/** Drops every database this process created (for after()). */
export async function dropAllTestDatabases(): Promise<void> {
  for (const name of [...created]) await dropTestDatabase(name);
}

/** Runs one statement in a test database (to set up states the Store cannot produce). */
export async function execIn(url: string, sql: string, values: unknown[] = []): Promise<void> {
  await admin((c) => c.query(sql, values), url);
}
