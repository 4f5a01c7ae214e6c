/**
 * Reading and checking request bodies: a size limit (413 past it), JSON only, an object at the
 * top, and each declared field of the declared type (the route's @tessera/protocol schema).
 * Undeclared fields are ignored, as Nakama's gateway does.
 */
import type { IncomingMessage } from "node:http";
import { ApiError, GrpcCode, invalidArgument } from "../shared/api-error.js";
import { validate, type ObjectSchema } from "@tessera/protocol";

export function tooLarge(limit: number): ApiError {
  return new ApiError(GrpcCode.INVALID_ARGUMENT, `Request body too large, the limit is ${limit} bytes.`, { httpStatus: 413 });
}

/** Reads the whole body up to `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

/** Parses a JSON object body; an empty body is `{}`. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    throw invalidArgument("Request body is not valid JSON.");
  }
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidArgument("Request body must be a JSON object.");
  return value as Record<string, unknown>;
}

/**
 * Checks a body against the route's schema; `null` counts as absent (proto3 JSON). Returns the
 * body with nulls and undeclared fields removed, typed by the schema. A problem becomes a 400
 * naming the field (`account.token` for nested ones).
 */
export function checkBody<B>(body: Record<string, unknown>, schema: ObjectSchema<B>): B {
  const checked = validate(schema, body);
  if (!checked.ok) throw invalidArgument(`Invalid request body: "${checked.problem.path}" ${checked.problem.reason}.`);
  return checked.value;
}
