/**
 * The one migrator of both backends: under the dialect's migration lock, in one transaction, it
 * creates `schema_migrations`, refuses a database a newer Tessera migrated, applies every pending
 * migration in order and records each version. It is a plan of statements (a generator) that the
 * backend runs on one connection: SQLite synchronously at open (its store opens synchronously),
 * PostgreSQL on one pooled client. A failed statement is thrown back into the plan, which rolls
 * back and releases the lock before the error leaves.
 */
import type { Migration } from "./migration.js";
import { num, type Row } from "./row-mapping.js";
import { StoreUnavailableError } from "./store.js";

/** One statement of the plan: `script` is several statements without parameters (a migration's SQL). */
export interface MigrationStatement {
  sql: string;
  params?: readonly unknown[];
  script?: boolean;
}

export interface MigrationDialect {
  /** `CREATE TABLE IF NOT EXISTS schema_migrations (…)` with the backend's column types. */
  readonly table: string;
  /** Starts the migration transaction (SQLite's `BEGIN IMMEDIATE` takes the write lock at once). */
  readonly begin: string;
  /**
   * A lock held on the connection around the transaction, so a node that waited for another's
   * migrations starts its transaction with a snapshot that sees them; none where `begin` suffices.
   */
  readonly lock: { acquire: MigrationStatement; release: MigrationStatement } | undefined;
}

/** The plan: each statement yielded is answered with its rows (none for a statement that returns none). */
export function* migrationPlan(migrations: readonly Migration[], dialect: MigrationDialect, now: () => number): Generator<MigrationStatement, void, Row[]> {
  const newest = migrations.at(-1)?.version ?? 0;
  const lock = dialect.lock;
  if (lock) yield lock.acquire;
  try {
    yield { sql: dialect.begin };
    try {
      yield { sql: dialect.table, script: true };
      const applied = new Set((yield { sql: "SELECT version FROM schema_migrations" }).map((r) => num(r["version"])));
      const unknown = [...applied].filter((v) => v > newest);
      if (unknown.length > 0) {
        throw new StoreUnavailableError(`database schema version ${Math.max(...unknown)} is newer than this Tessera (${newest}); upgrade Tessera`);
      }
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        yield { sql: m.sql, script: true };
        yield { sql: "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", params: [m.version, m.name, now()] };
      }
      yield { sql: "COMMIT" };
    } catch (err) {
      try {
        yield { sql: "ROLLBACK" };
      } catch {
        // The connection failed: its transaction is gone with it.
      }
      throw err;
    }
  } finally {
    if (lock) {
      try {
        yield lock.release;
      } catch {
        // Only a failed connection refuses it, and its end releases the lock.
      }
    }
  }
}

/** Runs the plan with a synchronous `exec` (SQLite). */
export function migrateSync(migrations: readonly Migration[], dialect: MigrationDialect, exec: (s: MigrationStatement) => Row[]): void {
  const plan = migrationPlan(migrations, dialect, Date.now);
  for (let step = plan.next(); !step.done; ) {
    let rows: Row[];
    try {
      rows = exec(step.value);
    } catch (err) {
      step = plan.throw(err);
      continue;
    }
    step = plan.next(rows);
  }
}

/** Runs the plan with an asynchronous `exec` (PostgreSQL). */
export async function migrate(migrations: readonly Migration[], dialect: MigrationDialect, exec: (s: MigrationStatement) => Promise<Row[]>): Promise<void> {
  const plan = migrationPlan(migrations, dialect, Date.now);
  for (let step = plan.next(); !step.done; ) {
    let rows: Row[];
    try {
      rows = await exec(step.value);
    } catch (err) {
      step = plan.throw(err);
      continue;
    }
    step = plan.next(rows);
  }
}
