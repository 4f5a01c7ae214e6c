/**
 * Named prepared statements. PostgreSQL parses and plans a named statement once per connection
 * and then only binds and executes it; for the short statements of the hot paths that is most of
 * the database's work (point reads ran about 35% faster named than unnamed in a measurement on
 * this project's 2-core machine; docs/performance.md).
 *
 * Every statement is named, keyed by its text. That is safe because every statement of the store
 * names its columns: a prepared `SELECT *` would fail with "cached plan must not change result
 * type" once another node's migration added a column, until its connection closed.
 */
import type pg from "pg";

/** Distinct statement texts named at most (each connection keeps a plan of each); past it statements go unnamed. */
const MAX_NAMED = 2_000;
const names = new Map<string, string | null>();

/** The query config of `text` with `values`: named, unless `MAX_NAMED` texts were named already. */
export function statement(text: string, values: unknown[] | undefined): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = names.size >= MAX_NAMED ? null : `tessera_${names.size}`;
    names.set(text, name);
  }
  return name === null ? { text, values } : { name, text, values };
}
