/**
 * Reading and checking request bodies: a size limit (413 past it), JSON only, an object at the
 * top, and each declared field of the declared type. Undeclared fields are ignored, as Nakama's
 * gateway does.
 */
import type { IncomingMessage } from "node:http";
import { ApiError, GrpcCode, invalidArgument } from "../shared/api-error.js";
import type { FieldSchema } from "./route.js";

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
 * Checks declared fields; `null` counts as absent (proto3 JSON). Returns the body with nulls and
 * undeclared fields removed. `prefix` names nested fields in messages (`account.token`).
 */
export function checkFields(body: Record<string, unknown>, fields: Record<string, FieldSchema>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(fields)) {
    let value = body[field];
    const name = prefix + field;
    if (value === undefined || value === null) continue;
    switch (schema.type) {
      case "string":
        if (typeof value !== "string") throw invalidArgument(`Invalid request body: "${name}" must be a string.`);
        break;
      case "boolean":
        if (typeof value !== "boolean") throw invalidArgument(`Invalid request body: "${name}" must be true or false.`);
        break;
      case "integer":
        if (typeof value !== "number" || !Number.isSafeInteger(value)) throw invalidArgument(`Invalid request body: "${name}" must be a whole number.`);
        break;
      case "string_map":
        if (typeof value !== "object" || Array.isArray(value)) throw invalidArgument(`Invalid request body: "${name}" must be an object of string values.`);
        for (const v of Object.values(value as Record<string, unknown>)) {
          if (typeof v !== "string") throw invalidArgument(`Invalid request body: "${name}" must be an object of string values.`);
        }
        break;
      case "string_list":
        if (!Array.isArray(value) || value.length > schema.maxItems || !value.every((v) => typeof v === "string" && v.length <= 64)) {
          throw invalidArgument(`Invalid request body: "${name}" must be a list of at most ${schema.maxItems} strings.`);
        }
        break;
      case "object":
        if (typeof value !== "object" || Array.isArray(value)) throw invalidArgument(`Invalid request body: "${name}" must be an object.`);
        value = checkFields(value as Record<string, unknown>, schema.fields, name + ".");
        break;
    }
    out[field] = value;
  }
  return out;
}
