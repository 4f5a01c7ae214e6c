/**
 * The SqlExecutor over a better-sqlite3 connection, and the only way to it once the store is open:
 * every statement of every part of the store (accounts, sessions, tickets, admin) passes through
 * here, so nothing bypasses its transaction lock.
 *
 * Group commit: writes and transactions asked for in one turn of the event loop run in ONE
 * transaction, each inside its own savepoint, so a failing one (a unique conflict) is undone alone;
 * every promise settles only after the COMMIT, so an answered write is durable exactly as one
 * committed alone. One commit per batch instead of one per write is what makes a sign-in storm
 * cheap: the commit, not the insert, is most of a write's cost.
 *
 * Read batching: reads (read-only statements) asked for in one turn run in ONE read transaction
 * after that turn's writes. In WAL mode a statement outside a transaction opens and closes its
 * own read transaction, and each of those takes and releases file locks on the database and its
 * shared memory (system calls, the larger part of a primary-key read here); one transaction per
 * batch pays that once. A read still sees every write answered before it was asked.
 *
 * One batch runs at a time. A transaction's body runs inside its batch and spans several awaits;
 * other flows' continuations can run in between, but whatever they ask for waits for the next
 * batch, so nothing of another flow lands inside it. Statements are prepared once and cached.
 */
import type Database from "better-sqlite3";
import type { Row } from "../row-mapping.js";
import type { SqlExecutor } from "../sql-executor.js";
import { StoreUnavailableError } from "../store.js";

type Translate = (err: unknown) => unknown;

/** A write or transaction waiting for the next group commit; `op` runs inside the batch's transaction. */
interface QueuedWrite {
  op: (tx: SqlExecutor) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A read waiting for the next read batch. */
interface QueuedRead {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const closed = (): StoreUnavailableError => new StoreUnavailableError("the SQLite database is closed");

/** A prepared statement and whether it only reads (asked of SQLite once, not on every call). */
interface Prepared {
  stmt: Database.Statement;
  readonly: boolean;
}

/** Prepared statements of one connection, shared by the executor and its transaction executors. */
class Statements {
  private readonly cache = new Map<string, Prepared>();
  constructor(private readonly db: Database.Database) {}
  prepared(sql: string): Prepared {
    let prepared = this.cache.get(sql);
    if (!prepared) {
      const stmt = this.db.prepare(sql);
      this.cache.set(sql, (prepared = { stmt, readonly: stmt.readonly }));
    }
    return prepared;
  }
  get(sql: string): Database.Statement {
    return this.prepared(sql).stmt;
  }
}

export class SqliteExecutor implements SqlExecutor {
  private readonly statements: Statements;
  private readonly control: Record<"begin" | "beginRead" | "commit" | "rollback" | "savepoint" | "release" | "rollbackTo", Database.Statement>;
  private writes: QueuedWrite[] = [];
  private reads: QueuedRead[] = [];
  private scheduled = false;
  /** Settles when the batch running now ends; undefined while none runs. */
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly translate: Translate,
  ) {
    this.statements = new Statements(db);
    this.control = {
      begin: db.prepare("BEGIN IMMEDIATE"),
      beginRead: db.prepare("BEGIN"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
      savepoint: db.prepare("SAVEPOINT queued_write"),
      release: db.prepare("RELEASE queued_write"),
      rollbackTo: db.prepare("ROLLBACK TO queued_write"),
    };
  }

  all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const prepared = this.prepare(sql);
    if (prepared instanceof Error) return Promise.reject(prepared);
    const { stmt } = prepared;
    // A statement that writes (UPDATE … RETURNING) is a write, whatever it returns.
    return this.enqueue(prepared.readonly ? this.reads : this.writes, () => stmt.all(...params) as Row[]);
  }

  get(sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    const prepared = this.prepare(sql);
    if (prepared instanceof Error) return Promise.reject(prepared);
    const { stmt } = prepared;
    return this.enqueue(prepared.readonly ? this.reads : this.writes, () => stmt.get(...params) as Row | undefined);
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const prepared = this.prepare(sql);
    if (prepared instanceof Error) return Promise.reject(prepared);
    const { stmt } = prepared;
    return this.enqueue(this.writes, () => stmt.run(...params).changes);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (!this.db.open) return Promise.reject(closed());
    return this.enqueue(this.writes, fn);
  }

  /** Resolves once everything asked for so far is answered (the store's close). */
  async idle(): Promise<void> {
    while (this.running || this.writes.length > 0 || this.reads.length > 0) {
      if (this.running) await this.running;
      else await this.drain();
    }
  }

  /** Closes the connection; every later call answers StoreUnavailableError. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * The cached statement, or the translated error (a closed connection, a syntax error). A cached
   * statement of a closed connection is refused by its batch, which checks the connection once.
   */
  private prepare(sql: string): Prepared | Error {
    try {
      return this.statements.prepared(sql);
    } catch (err) {
      const e = this.translate(err);
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  private enqueue<T, Op>(queue: { op: Op; resolve: (value: unknown) => void; reject: (error: unknown) => void }[], op: Op): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    while (this.running) await this.running;
    let end!: () => void;
    this.running = new Promise<void>((resolve) => (end = resolve));
    try {
      const writes = this.writes;
      this.writes = [];
      if (writes.length > 0) await this.commitBatch(writes);
      // Taken after the writes: reads their answers led to are served in the same turn.
      const reads = this.reads;
      this.reads = [];
      if (reads.length > 0) this.readBatch(reads);
    } finally {
      this.running = undefined;
      end();
    }
  }

  private async commitBatch(batch: QueuedWrite[]): Promise<void> {
    if (!this.db.open) {
      for (const w of batch) w.reject(closed());
      return;
    }
    const tx = new SqliteTransaction(this.db, this.statements, this.translate);
    const outcomes: Outcome[] = [];
    try {
      this.control.begin.run();
      for (const w of batch) {
        this.control.savepoint.run();
        try {
          const result = w.op(tx);
          const value: unknown = result instanceof Promise ? await result : result;
          this.control.release.run();
          outcomes.push({ ok: true, value });
        } catch (error) {
          this.control.rollbackTo.run();
          this.control.release.run();
          outcomes.push({ ok: false, error: this.translate(error) });
        }
      }
      this.control.commit.run();
    } catch (error) {
      // The transaction itself failed (disk full, I/O error, closed): nothing of the batch was written.
      const failure = this.translate(error);
      try {
        if (this.db.open && this.db.inTransaction) this.control.rollback.run();
      } catch {
        // A rollback that fails leaves SQLite to roll back the transaction itself; the batch is answered either way.
      }
      for (const w of batch) w.reject(failure);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }

  private readBatch(batch: QueuedRead[]): void {
    if (!this.db.open) {
      for (const r of batch) r.reject(closed());
      return;
    }
    try {
      this.control.beginRead.run();
    } catch (error) {
      const failure = this.translate(error);
      for (const r of batch) r.reject(failure);
      return;
    }
    // Promises settle after this function returns (microtasks), so nothing runs inside the transaction but the reads.
    for (const r of batch) {
      try {
        r.resolve(r.op());
      } catch (error) {
        r.reject(this.translate(error));
      }
    }
    // Ending a read-only transaction releases its locks; it has nothing to write and cannot fail for lack of space.
    try {
      if (this.db.open && this.db.inTransaction) this.control.commit.run();
    } catch {
      // Its reads are answered already; the next BEGIN would find the transaction open, so end it.
      try {
        if (this.db.open && this.db.inTransaction) this.control.rollback.run();
      } catch {
        // Nothing is left to answer; SQLite ends the transaction with the connection.
      }
    }
  }
}

/** The executor inside one batch's transaction: statements run at once; nested transactions are savepoints. */
class SqliteTransaction implements SqlExecutor {
  private depth = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly statements: Statements,
    private readonly translate: Translate,
  ) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return this.statements.get(sql).all(...params) as Row[];
    } catch (err) {
      throw this.translate(err);
    }
  }

  async get(sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    try {
      return this.statements.get(sql).get(...params) as Row | undefined;
    } catch (err) {
      throw this.translate(err);
    }
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      return this.statements.get(sql).run(...params).changes;
    } catch (err) {
      throw this.translate(err);
    }
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
