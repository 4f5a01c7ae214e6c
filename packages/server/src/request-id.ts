/**
 * Request ids: the id a client or proxy sent in `X-Request-Id` when it is safe to log and echo
 * (at most 128 characters of a conservative set), else a new UUID. Every HTTP answer and socket
 * upgrade answer carries it back, and every log line written while serving it names it.
 */
import { randomUUID } from "node:crypto";

export const REQUEST_ID_HEADER = "X-Request-Id";

/** Letters, digits and the punctuation ids are made of (UUIDs, trace ids, base64); no spaces or quotes. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:+=@\/-]{1,128}$/;

/** The incoming `x-request-id` header if it is safe, otherwise a fresh UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}
