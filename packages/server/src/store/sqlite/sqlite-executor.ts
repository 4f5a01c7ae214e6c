/**
 * The SqlExecutor over a better-sqlite3 connection. Statements are prepared once and cached.
 * better-sqlite3 is synchronous, so every promise here is already settled when returned. A
 * transaction still spans several awaits of its body, and other flows' continuations can run in
 * between (two requests resumed by the same group commit, say): so one transaction runs at a
 * time, and while it is open every other statement through this executor waits for it to end —
 * nothing of another flow lands inside it. The body gets its own executor, on which nested
 * transactions are savepoints. (The store's own synchronous writes do not pass through here; one
 * made by another flow while such a transaction is open would share its fate. The transactions
 * here roll back only on a failing statement, which their portable SQL is written never to hit.)
 */
import type Database from "better-sqlite3";
import type { SqlExecutor } from "../sql-executor.js";
import type { Row } from "../row-mapping.js";

type Translate = <T>(fn: () => T) => T;

/** Prepared statements of one connection, shared by the executor and its transaction executors. */
class Statements {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}
  get(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) this.cache.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }
}

export class SqliteExecutor implements SqlExecutor {
  private readonly statements: Statements;
  /** Settles when the open transaction ends; undefined while none is open. */
  private open: Promise<void> | undefined;

  constructor(private readonly db: Database.Database, private readonly translate: Translate) {
    this.statements = new Statements(db);
  }

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    while (this.open) await this.open;
    return this.translate(() => this.statements.get(sql).all(...params) as Row[]);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    while (this.open) await this.open;
    return this.translate(() => this.statements.get(sql).run(...params).changes);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    while (this.open) await this.open;
    let end!: () => void;
    this.open = new Promise<void>((resolve) => (end = resolve));
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(new SqliteTransaction(this.db, this.statements, this.translate));
        this.db.exec("COMMIT");
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw err;
      }
    } finally {
      this.open = undefined;
      end();
    }
  }
}

/** The executor inside one open transaction: statements run at once; nested transactions are savepoints. */
class SqliteTransaction implements SqlExecutor {
  private depth = 0;

  constructor(private readonly db: Database.Database, private readonly statements: Statements, private readonly translate: Translate) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.translate(() => this.statements.get(sql).all(...params) as Row[]);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.translate(() => this.statements.get(sql).run(...params).changes);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const name = `nested${this.depth++}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      throw err;
    } finally {
      this.depth--;
    }
  }
}
