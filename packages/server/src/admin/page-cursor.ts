/**
 * Opaque page cursors of the console API: the keyset position of a page's last row, as
 * base64url JSON. Clients pass them back unchanged; anything else is a 400, never a 500.
 */
import { invalidArgument } from "../shared/api-error.js";

/** Most rows a console page may ask for, and the default. */
export const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 50;

export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/** Decodes a cursor whose fields all have the types of `shape`; 400 "Invalid cursor." otherwise. */
export function decodeCursor<T extends Record<string, "string" | "number">>(
  cursor: string,
  shape: T,
): { [K in keyof T]: T[K] extends "string" ? string : number } {
  let value: unknown;
  try {
    value = cursor.length <= 2048 && /^[A-Za-z0-9_-]*$/.test(cursor) ? JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) : undefined;
  } catch {
    value = undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidArgument("Invalid cursor.");
  const fields = value as Record<string, unknown>;
  for (const [name, type] of Object.entries(shape)) {
    const v = fields[name];
    if (type === "number" ? !Number.isSafeInteger(v) : typeof v !== "string") throw invalidArgument("Invalid cursor.");
  }
  return fields as { [K in keyof T]: T[K] extends "string" ? string : number };
}

/** A page size from a query parameter: 1 to MAX_PAGE_LIMIT, default DEFAULT_PAGE_LIMIT. */
export function pageLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_PAGE_LIMIT;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE_LIMIT)
    throw invalidArgument(`Invalid limit: expected a whole number from 1 to ${MAX_PAGE_LIMIT}.`);
  return Number(raw);
}
