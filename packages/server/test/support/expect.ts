/**
 * Assertions and id makers shared by the wire-behaviour suites: Nakama-shaped error bodies and
 * unique identities per test, so tests never depend on each other's accounts.
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import type { ApiResponse } from "./harness.js";

/** gRPC code → HTTP status, as Nakama's gateway maps them (REFERENCE.md §2). */
const CODE_FOR_STATUS: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 413: 3 };

/**
 * Asserts a Nakama-shaped error: the status, and a body that is exactly `{code, message}`.
 * `code` defaults to the usual gRPC code of the status; `message` may be a RegExp.
 */
export function assertError(res: ApiResponse, status: number, message: string | RegExp, code = CODE_FOR_STATUS[status]): void {
  const context = `${res.status} ${JSON.stringify(res.body)}`;
  assert.equal(res.status, status, context);
  assert.equal(res.headers.get("content-type"), "application/json", context);
  assert.ok(res.body !== null && typeof res.body === "object" && !Array.isArray(res.body), context);
  assert.deepEqual(Object.keys(res.body).sort(), ["code", "message"], context);
  assert.equal(res.body.code, code, context);
  if (typeof message === "string") assert.equal(res.body.message, message, context);
  else assert.match(res.body.message, message, context);
}

/** Asserts a 401 that also carries a `WWW-Authenticate` challenge of `scheme`. */
export function assertUnauthorized(res: ApiResponse, message: string, scheme: "Basic" | "Bearer"): void {
  assertError(res, 401, message, 16);
  const challenge = res.headers.get("www-authenticate");
  assert.ok(challenge !== null, "401 without WWW-Authenticate");
  assert.match(challenge, new RegExp(`^${scheme}\\b`));
}

/** Asserts a 200 and returns the body, showing the error body on failure. */
/** `what` names the call in the failure (a string; anything else, such as an array index from `map(ok)`, is ignored). */
export function ok<T = any>(res: ApiResponse<T>, what?: unknown): T {
  assert.equal(res.status, 200, `${typeof what === "string" ? `${what}: ` : ""}expected 200, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A unique device id (40 bytes). */
export const deviceId = (): string => `dev-${randomUUID()}`;
/** A unique custom id (39 bytes). */
export const customId = (): string => `cu-${randomUUID()}`;
/** A unique, lower-case email address. */
export const email = (): string => `p${randomBytes(6).toString("hex")}@example.com`;
/** A unique username of letters and digits. */
export const username = (prefix = "user"): string => `${prefix}${randomBytes(5).toString("hex")}`;

export const PASSWORD = "correct horse battery";

export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** A UUID of version 4 (random: tickets, events) or 7 (time-ordered: accounts, sessions, audit events). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
