/** One schema migration of a store; each backend keeps its own ordered list in its dialect. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
