/**
 * Session variables: a small string-to-string map carried in both tokens (`vrs`). Limits keep
 * tokens (and so every request header) small; breaking one is a 400 with the limit in the message.
 */
import { invalidArgument } from "../shared/api-error.js";
import { clientSafeJson } from "./token-json.js";

export type Vars = Record<string, string>;

export const VARS_LIMITS = {
  /** Most entries in one map. */
  maxEntries: 32,
  /** Longest key, in UTF-8 bytes. */
  maxKeyBytes: 64,
  /** Longest value, in UTF-8 bytes. */
  maxValueBytes: 256,
  /**
   * Largest map, as the sum of key and value sizes as written into the token payload: escaped
   * characters (`>`, `?`, `~`, quotes, non-ASCII) count as their escape, up to 6 bytes each. Counting
   * raw bytes instead let a map within limits grow a token past the 8 KiB verify limit and the
   * HTTP header limit, so the session could never be used.
   */
  maxTotalBytes: 4096,
} as const;

/** Validates an untrusted vars value from a request body; `undefined` stays `undefined`. */
export function parseVars(value: unknown): Vars | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw invalidArgument("Session vars must be an object of string values.");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > VARS_LIMITS.maxEntries) {
    throw invalidArgument(`Session vars invalid, at most ${VARS_LIMITS.maxEntries} entries are allowed.`);
  }
  let total = 0;
  const vars: Vars = {};
  for (const [key, v] of entries) {
    if (typeof v !== "string") throw invalidArgument(`Session var "${truncate(key)}" must be a string.`);
    const keyBytes = Buffer.byteLength(key);
    const valueBytes = Buffer.byteLength(v);
    if (keyBytes === 0 || keyBytes > VARS_LIMITS.maxKeyBytes) {
      throw invalidArgument(`Session var key invalid, must be 1-${VARS_LIMITS.maxKeyBytes} bytes.`);
    }
    if (/[\u0000-\u001f\u007f]/.test(key)) throw invalidArgument("Session var key invalid, no control characters allowed.");
    if (valueBytes > VARS_LIMITS.maxValueBytes) {
      throw invalidArgument(`Session var "${truncate(key)}" invalid, value must be at most ${VARS_LIMITS.maxValueBytes} bytes.`);
    }
    total += encodedSize(key) + encodedSize(v);
    // defineProperty, not assignment: `vars["__proto__"] = v` would silently drop the entry.
    Object.defineProperty(vars, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  if (total > VARS_LIMITS.maxTotalBytes) {
    throw invalidArgument(
      `Session vars invalid, at most ${VARS_LIMITS.maxTotalBytes} bytes in total are allowed, counted as encoded in the token (escaped characters such as non-ASCII count up to 6 bytes).`,
    );
  }
  return vars;
}

/** Size of a string inside the token payload: its client-safe JSON form (pure ASCII) without the quotes. */
function encodedSize(s: string): number {
  return clientSafeJson(s).length - 2;
}

function truncate(key: string): string {
  return key.length > 32 ? key.slice(0, 32) + "…" : key;
}
