/**
 * The SqlExecutor over a better-sqlite3 connection. Statements are prepared once and cached.
 * better-sqlite3 is synchronous, so every promise here is already settled when returned: a
 * transaction body that awaits only this executor runs start to end without yielding to the event
 * loop, and no other request's statement can land inside it.
 */
import type Database from "better-sqlite3";
import type { SqlExecutor } from "../sql-executor.js";
import type { Row } from "../row-mapping.js";

export class SqliteExecutor implements SqlExecutor {
  private readonly statements = new Map<string, Database.Statement>();
  private depth = 0;

  constructor(private readonly db: Database.Database, private readonly translate: <T>(fn: () => T) => T) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.translate(() => this.statement(sql).all(...params) as Row[]);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.translate(() => this.statement(sql).run(...params).changes);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const name = `tx${this.depth}`;
    this.db.exec(this.depth === 0 ? "BEGIN IMMEDIATE" : `SAVEPOINT ${name}`);
    this.depth++;
    try {
      const result = await fn(this);
      this.depth--;
      this.db.exec(this.depth === 0 ? "COMMIT" : `RELEASE ${name}`);
      return result;
    } catch (err) {
      this.depth--;
      if (this.depth === 0) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
      } else {
        this.db.exec(`ROLLBACK TO ${name}`);
        this.db.exec(`RELEASE ${name}`);
      }
      throw err;
    }
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) this.statements.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }
}
