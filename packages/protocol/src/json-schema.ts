/**
 * A schema as JSON Schema (draft 2020-12, as OpenAPI 3.1 embeds it), for `/openapi.json`.
 * Required fields are listed; optional ones are not; an open object's other fields are
 * `additionalProperties`.
 *
 * @example
 * toJsonSchema(s.object({ token: s.string() })); // { type: "object", properties: { token: { type: "string" } }, required: ["token"] }
 */
import type { SchemaNode } from "./schema.js";

export type JsonSchema = { [keyword: string]: unknown };

export function toJsonSchema(schema: SchemaNode): JsonSchema {
  const out = keywords(schema);
  return schema.description === undefined ? out : { ...out, description: schema.description };
}

function keywords(schema: SchemaNode): JsonSchema {
  switch (schema.kind) {
    case "string": {
      const out: JsonSchema = { type: "string" };
      if (schema.maxLength !== undefined) out["maxLength"] = schema.maxLength;
      if (schema.enum !== undefined) out["enum"] = [...schema.enum];
      return out;
    }
    case "boolean":
    case "integer":
      return { type: schema.kind };
    case "unknown":
      return {};
    case "optional":
      return toJsonSchema(schema.inner);
    case "map":
      return { type: "object", additionalProperties: toJsonSchema(schema.values) };
    case "array":
      return schema.maxItems === undefined
        ? { type: "array", items: toJsonSchema(schema.items) }
        : { type: "array", items: toJsonSchema(schema.items), maxItems: schema.maxItems };
    case "object": {
      const properties: JsonSchema = {};
      const required: string[] = [];
      for (const [name, field] of Object.entries(schema.fields)) {
        properties[name] = toJsonSchema(field);
        if (field.kind !== "optional") required.push(name);
      }
      const out: JsonSchema = { type: "object", properties };
      if (required.length > 0) out["required"] = required;
      if (schema.additional !== undefined) out["additionalProperties"] = toJsonSchema(schema.additional);
      return out;
    }
  }
}
