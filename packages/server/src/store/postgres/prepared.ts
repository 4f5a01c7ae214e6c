/**
 * Named prepared statements. PostgreSQL parses and plans a named statement once per connection
 * and then only binds and executes it; for the short statements of the hot paths that is most of
 * the database's work (point reads ran about 35% faster named than unnamed in a measurement on
 * this project's 2-core machine; docs/performance.md).
 *
 * A statement whose result columns come from a `*` is sent unnamed: once another node's migration
 * adds a column, a prepared `SELECT *` fails with "cached plan must not change result type" until
 * its connection closes. The store names its columns on the hot paths for that reason.
 */
import type pg from "pg";

/** Distinct statement texts named at most; past it (never with this code's SQL) statements go unnamed. */
const MAX_NAMED = 2_000;
const names = new Map<string, string | null>();

/** The query config of `text` with `values`: named when it can be, unnamed otherwise. */
export function statement(text: string, values: unknown[] | undefined): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = names.size >= MAX_NAMED || text.replace(/COUNT\(\*\)/gi, "").includes("*") ? null : `tessera_${names.size}`;
    names.set(text, name);
  }
  return name === null ? { text, values } : { name, text, values };
}
