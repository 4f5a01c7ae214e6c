/**
 * The two storage backends the contract suites run over: SQLite (the server's own file) and
 * PostgreSQL (a throwaway database per server, dropped at the end). PostgreSQL's suites are
 * skipped, with the reason, where it cannot be reached (outside CI).
 */
import { createTestDatabase, dropAllTestDatabases, postgresSkip } from "./postgres.js";

export const BACKENDS = ["sqlite", "postgres"] as const;
export type Backend = (typeof BACKENDS)[number];

const postgresSkipped = await postgresSkip();

/**
 * For `describe`'s `skip`: why `backend` cannot run here, or false.
 *
 * @example
 * for (const backend of BACKENDS) describe(`tickets on ${backend}`, { skip: backendSkip(backend) }, () => { ... });
 */
export function backendSkip(backend: Backend): string | false {
  return backend === "postgres" ? postgresSkipped : false;
}

/**
 * The settings that put a test server on `backend`: a fresh PostgreSQL database, or none (SQLite).
 *
 * @example
 * const t = await startTestServer({ ...(await backendSettings(backend)), "tickets.app_id": 480 });
 */
export async function backendSettings(backend: Backend): Promise<Record<string, string>> {
  return backend === "postgres" ? { "database.url": (await createTestDatabase()).url } : {};
}

/** Drops the PostgreSQL databases this process created for `backend` (nothing for SQLite). */
export async function dropBackendDatabases(backend: Backend): Promise<void> {
  if (backend === "postgres") await dropAllTestDatabases();
}
