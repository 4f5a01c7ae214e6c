/** Nakama's query parameters on authenticate calls: `create` (default true), `username`, and Steam's `sync`. */
import { invalidArgument } from "../../shared/api-error.js";
import type { QuerySchema } from "../route.js";

export const AUTHENTICATE_QUERY: Record<string, QuerySchema> = {
  create: { type: "boolean", description: "Create the account if the identity is unknown (default true)." },
  username: { type: "string", description: "Username for a new account; a random one when absent." },
};

/** grpc-gateway reads booleans as true/false/1/0 (any case); anything else is a 400. */
export function queryBoolean(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  if (/^(true|t|1)$/i.test(raw)) return true;
  if (/^(false|f|0)$/i.test(raw)) return false;
  throw invalidArgument(`Invalid query parameter "${name}": expected true or false.`);
}

export function queryString(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  return raw === null ? undefined : raw;
}
