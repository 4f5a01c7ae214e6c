/**
 * Checking untrusted JSON against a schema. The answer is the value typed by the schema (a copy:
 * absent optional fields dropped, `null` optional fields dropped as proto3 JSON means, undeclared
 * fields dropped or refused), or the first problem found: the path of the field and the reason in
 * words, which callers put into their own messages.
 *
 * @example
 * const checked = validate(s.object({ id: s.optional(s.string()) }), JSON.parse(text));
 * if (!checked.ok) throw new Error(`"${checked.problem.path}" ${checked.problem.reason}.`);
 */
import type { Infer, Schema, SchemaNode } from "./schema.js";

/** Where a value differs from its schema: `path` names the field (`account.token`; "" for the value itself). */
export interface Problem {
  readonly path: string;
  /** Lower-case words after the field's name, without a full stop: `must be a string`. */
  readonly reason: string;
  /**
   * For a map or a list, the innermost cause: the element named by key or index and its own
   * reason (`vars["k"]` `must be a string`), or the value itself (`vars` `must be an object`).
   */
  readonly detail?: { readonly path: string; readonly reason: string } | undefined;
}

export type Validation<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: Problem };

export interface ValidateOptions {
  /**
   * Fields of a closed object that its schema does not name: `strip` drops them (requests: as
   * Nakama's gateway ignores them), `refuse` is a problem (checking the server's own answers).
   * Default `strip`.
   */
  readonly unknownFields?: "strip" | "refuse";
}

class ProblemFound extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.path} ${problem.reason}`);
  }
}

/** Checks `value` against `schema`. */
export function validate<S extends Schema>(schema: S, value: unknown, options: ValidateOptions = {}): Validation<Infer<S>> {
  try {
    return { ok: true, value: check(schema, value, "", options.unknownFields === "refuse") as Infer<S> };
  } catch (err) {
    if (err instanceof ProblemFound) return { ok: false, problem: err.problem };
    throw err;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** How a list names its items in a reason: `strings`, `whole numbers`. */
function plural(schema: SchemaNode): string {
  switch (schema.kind) {
    case "string":
      return "strings";
    case "boolean":
      return "booleans";
    case "integer":
      return "whole numbers";
    case "map":
    case "object":
      return "objects";
    case "array":
      return "lists";
    case "unknown":
      return "values";
    case "optional":
      return plural(schema.inner);
  }
}

function listReason(schema: SchemaNode & { kind: "array" }): string {
  return schema.maxItems === undefined ? `must be a list of ${plural(schema.items)}` : `must be a list of at most ${schema.maxItems} ${plural(schema.items)}`;
}

/** Sets `key` as an own field even when it is `__proto__` (keys of maps and open objects are untrusted). */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function fail(path: string, reason: string, detail?: Problem): never {
  throw new ProblemFound(detail === undefined ? { path, reason } : { path, reason, detail: detail.detail ?? { path: detail.path, reason: detail.reason } });
}

function check(schema: SchemaNode, value: unknown, path: string, refuseUnknown: boolean): unknown {
  switch (schema.kind) {
    case "string":
      if (typeof value !== "string") return fail(path, "must be a string");
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return fail(path, `must be a string of at most ${schema.maxLength} characters`);
      if (schema.enum !== undefined && !schema.enum.includes(value))
        return fail(path, `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`);
      return value;
    case "boolean":
      return typeof value === "boolean" ? value : fail(path, "must be true or false");
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value) ? value : fail(path, "must be a whole number");
    case "unknown":
      return value;
    case "optional":
      return value === undefined || value === null ? undefined : check(schema.inner, value, path, refuseUnknown);
    case "map": {
      const reason = `must be an object of ${plural(schema.values).replace(/s$/, "")} values`;
      if (!isRecord(value)) return fail(path, reason, { path, reason: "must be an object" });
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        try {
          put(out, key, check(schema.values, v, `${path}[${JSON.stringify(key)}]`, refuseUnknown));
        } catch (err) {
          if (err instanceof ProblemFound) fail(path, reason, err.problem);
          throw err;
        }
      }
      return out;
    }
    case "array": {
      if (!Array.isArray(value)) return fail(path, listReason(schema), { path, reason: "must be a list" });
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        return fail(path, listReason(schema), { path, reason: `must have at most ${schema.maxItems} items` });
      return value.map((item, index) => {
        try {
          return check(schema.items, item, `${path}[${index}]`, refuseUnknown);
        } catch (err) {
          if (err instanceof ProblemFound) fail(path, listReason(schema), err.problem);
          throw err;
        }
      });
    }
    case "object": {
      if (!isRecord(value)) return fail(path, "must be an object");
      const prefix = path === "" ? "" : path + ".";
      const out: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(schema.fields)) {
        const v = value[name];
        if (field.kind !== "optional" && (v === undefined || v === null)) fail(prefix + name, "is required");
        const checked = check(field, v, prefix + name, refuseUnknown);
        if (checked !== undefined) put(out, name, checked);
      }
      for (const [name, v] of Object.entries(value)) {
        if (Object.hasOwn(schema.fields, name)) continue;
        if (schema.additional !== undefined) put(out, name, check(schema.additional, v, prefix + name, refuseUnknown));
        else if (refuseUnknown) fail(prefix + name, "is not part of the shape");
      }
      return out;
    }
  }
}
