/**
 * The protocol's schema builder as a specification: what `validate` accepts, what it answers for
 * each kind of mistake (the path and the reason the server turns into its messages), and the JSON
 * Schema `toJsonSchema` documents.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { s, toJsonSchema, validate, type Infer, type Problem } from "../../src/index.js";

const Body = s.object({
  token: s.optional(s.string({ description: "The refresh token." })),
  create: s.optional(s.boolean()),
  app_id: s.optional(s.integer()),
  vars: s.optional(s.map(s.string())),
  ack: s.optional(s.array(s.string({ maxLength: 64 }), { maxItems: 2 })),
  account: s.optional(s.object({ id: s.optional(s.string()) })),
});

const Answer = s.object({
  id: s.string(),
  state: s.oneOf(["issued", "in_use"]),
  expire_time: s.optional(s.string()),
});

function problemOf(schema: Parameters<typeof validate>[0], value: unknown, options?: Parameters<typeof validate>[2]): Problem {
  const checked = validate(schema, value, options);
  assert.equal(checked.ok, false, `expected a problem for ${JSON.stringify(value)}`);
  return checked.ok ? { path: "", reason: "" } : checked.problem;
}

describe("validate", () => {
  it("answers the value typed by the schema, without undeclared fields and with null optional fields dropped", () => {
    const checked = validate(Body, { token: "t", create: null, vars: { a: "1" }, account: { id: "x", other: 1 }, extra: true });
    assert.ok(checked.ok);
    const value: Infer<typeof Body> = checked.value;
    assert.deepEqual(value, { token: "t", vars: { a: "1" }, account: { id: "x" } });
    assert.equal(Object.hasOwn(value, "create"), false);
  });

  it("names the field and the reason of the first problem, nested fields by their dotted path", () => {
    assert.deepEqual(problemOf(Body, { token: 1 }), { path: "token", reason: "must be a string" });
    assert.deepEqual(problemOf(Body, { create: "yes" }), { path: "create", reason: "must be true or false" });
    assert.deepEqual(problemOf(Body, { app_id: 1.5 }), { path: "app_id", reason: "must be a whole number" });
    assert.deepEqual(problemOf(Body, { app_id: 2 ** 53 }), { path: "app_id", reason: "must be a whole number" });
    const mapReason = "must be an object of string values";
    assert.deepEqual(problemOf(Body, { vars: { a: 1 } }), { path: "vars", reason: mapReason, detail: { path: 'vars["a"]', reason: "must be a string" } });
    assert.deepEqual(problemOf(Body, { vars: ["a"] }), { path: "vars", reason: mapReason, detail: { path: "vars", reason: "must be an object" } });
    const listReason = "must be a list of at most 2 strings";
    assert.deepEqual(problemOf(Body, { ack: ["a", "b", "c"] }), {
      path: "ack",
      reason: listReason,
      detail: { path: "ack", reason: "must have at most 2 items" },
    });
    assert.deepEqual(problemOf(Body, { ack: ["a", "x".repeat(65)] }), {
      path: "ack",
      reason: listReason,
      detail: { path: "ack[1]", reason: "must be a string of at most 64 characters" },
    });
    assert.deepEqual(problemOf(Body, { ack: "a" }), { path: "ack", reason: listReason, detail: { path: "ack", reason: "must be a list" } });
    assert.deepEqual(problemOf(Body, { account: [] }), { path: "account", reason: "must be an object" });
    assert.deepEqual(problemOf(Body, { account: { id: false } }), { path: "account.id", reason: "must be a string" });
  });

  it("checks required fields, fixed sets and lengths", () => {
    assert.deepEqual(problemOf(Answer, { state: "issued" }), { path: "id", reason: "is required" });
    assert.deepEqual(problemOf(Answer, { id: null, state: "issued" }), { path: "id", reason: "is required" });
    assert.deepEqual(problemOf(Answer, { id: "1", state: "used" }), { path: "state", reason: 'must be one of "issued", "in_use"' });
    assert.deepEqual(problemOf(s.string({ maxLength: 3 }), "abcd"), { path: "", reason: "must be a string of at most 3 characters" });
  });

  it("refuses undeclared fields when asked to (checking the server's own answers), but not those of an open object", () => {
    assert.ok(validate(Answer, { id: "1", state: "in_use", more: 1 }).ok);
    assert.deepEqual(problemOf(Answer, { id: "1", state: "in_use", more: 1 }, { unknownFields: "refuse" }), {
      path: "more",
      reason: "is not part of the shape",
    });
    const Open = s.openObject({ id: s.string() }, s.string());
    const open = validate(Open, { id: "1", steam_id: "7" }, { unknownFields: "refuse" });
    assert.deepEqual(open, { ok: true, value: { id: "1", steam_id: "7" } });
    assert.deepEqual(problemOf(Open, { id: "1", steam_id: 7 }), { path: "steam_id", reason: "must be a string" });
    // The innermost cause inside nested collections.
    const Nested = s.object({ groups: s.map(s.array(s.integer())) });
    assert.deepEqual(problemOf(Nested, { groups: { a: [1, "2"] } }), {
      path: "groups",
      reason: "must be an object of list values",
      detail: { path: 'groups["a"][1]', reason: "must be a whole number" },
    });
  });

  it("keeps a `__proto__` key of a map as an own field, never as the prototype", () => {
    const checked = validate(s.map(s.string()), JSON.parse('{"__proto__": "x", "a": "b"}'));
    assert.ok(checked.ok);
    assert.equal(Object.getPrototypeOf(checked.value), Object.prototype);
    assert.deepEqual(Object.keys(checked.value), ["__proto__", "a"]);
  });

  it("extends a shape with more fields", () => {
    const More = s.extend(Answer, { banned: s.optional(s.boolean()) });
    const checked = validate(More, { id: "1", state: "issued", banned: true }, { unknownFields: "refuse" });
    assert.ok(checked.ok);
    assert.equal(checked.value.banned, true);
  });
});

describe("toJsonSchema", () => {
  it("documents each kind, listing required fields and leaving out absent keywords", () => {
    assert.deepEqual(toJsonSchema(Body), {
      type: "object",
      properties: {
        token: { type: "string", description: "The refresh token." },
        create: { type: "boolean" },
        app_id: { type: "integer" },
        vars: { type: "object", additionalProperties: { type: "string" } },
        ack: { type: "array", items: { type: "string", maxLength: 64 }, maxItems: 2 },
        account: { type: "object", properties: { id: { type: "string" } } },
      },
    });
    assert.deepEqual(toJsonSchema(Answer), {
      type: "object",
      properties: { id: { type: "string" }, state: { type: "string", enum: ["issued", "in_use"] }, expire_time: { type: "string" } },
      required: ["id", "state"],
    });
    assert.deepEqual(toJsonSchema(s.openObject({}, s.unknown(), { description: "open" })), {
      type: "object",
      properties: {},
      additionalProperties: {},
      description: "open",
    });
  });
});
