/**
 * A tiny schema builder for Tessera's JSON: each shape is declared once as a value, its
 * TypeScript type is `Infer<typeof shape>`, `validate` checks untrusted JSON against it and
 * `toJsonSchema` documents it in OpenAPI. Only what the wire uses exists: strings, booleans,
 * whole numbers, string-keyed maps, lists, objects, optional object fields, and `unknown`.
 *
 * @example
 * const Ticket = s.object({ handle: s.integer(), ticket: s.string(), identity: s.optional(s.string()) });
 * type Ticket = Infer<typeof Ticket>; // { handle: number; ticket: string; identity?: string }
 */

/** Type-level only: the value a schema accepts. Never present at run time. */
declare const VALUE: unique symbol;
/** Type-level only: marks an object field that may be absent. */
declare const OPTIONAL: unique symbol;

interface Described {
  readonly description?: string | undefined;
}

export interface StringNode extends Described {
  readonly kind: "string";
  readonly maxLength?: number | undefined;
  /** The only values allowed, when the string is one of a fixed set. */
  readonly enum?: readonly string[] | undefined;
}
export interface BooleanNode extends Described {
  readonly kind: "boolean";
}
export interface IntegerNode extends Described {
  readonly kind: "integer";
}
/** An object whose keys are free and whose values all have one schema (session vars). */
export interface MapNode extends Described {
  readonly kind: "map";
  readonly values: Schema;
}
export interface ArrayNode extends Described {
  readonly kind: "array";
  readonly items: Schema;
  readonly maxItems?: number | undefined;
}
export interface ObjectNode extends Described {
  readonly kind: "object";
  readonly fields: Readonly<Record<string, Schema>>;
  /** The schema of fields not named in `fields` (an open shape); absent: such fields are not part of the shape. */
  readonly additional?: Schema | undefined;
}
/** Anything JSON (free-form details). */
export interface UnknownNode extends Described {
  readonly kind: "unknown";
}
/** An object field that may be absent (or `null`, which JSON from proto3 clients means the same). */
export interface OptionalNode extends Described {
  readonly kind: "optional";
  readonly inner: Schema;
}

export type SchemaNode = StringNode | BooleanNode | IntegerNode | MapNode | ArrayNode | ObjectNode | UnknownNode | OptionalNode;

/** A schema node that accepts values of type `T`. */
export type Schema<T = unknown> = SchemaNode & { readonly [VALUE]?: T };
export type ObjectSchema<T = unknown> = ObjectNode & { readonly [VALUE]?: T };
export type OptionalSchema<T = unknown> = OptionalNode & { readonly [VALUE]?: T; readonly [OPTIONAL]?: true };

/** The type of the values `S` accepts. */
export type Infer<S> = S extends { readonly [VALUE]?: infer T } ? T : never;

type Fields = Readonly<Record<string, Schema>>;
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends { readonly [OPTIONAL]?: true } ? K : never }[keyof F];
type Flatten<T> = { [K in keyof T]: T[K] };
/** The object type of `fields`: optional fields become `?:` keys. */
export type InferFields<F extends Fields> = Flatten<
  { -readonly [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & { -readonly [K in OptionalKeys<F>]?: Infer<F[K]> }
>;

interface Options {
  readonly description?: string;
}

/** The node of a schema, with only the keys given (no `description: undefined`). */
function node<S>(base: SchemaNode, options: Options | undefined): S {
  const out = options?.description === undefined ? base : { ...base, description: options.description };
  return out as S;
}

/** The schema builder. */
export const s = {
  string(options?: Options & { readonly maxLength?: number }): Schema<string> {
    const base: StringNode = options?.maxLength === undefined ? { kind: "string" } : { kind: "string", maxLength: options.maxLength };
    return node(base, options);
  },
  /** A string that is one of `values`. */
  oneOf<const V extends readonly string[]>(values: V, options?: Options): Schema<V[number]> {
    return node({ kind: "string", enum: values }, options);
  },
  boolean(options?: Options): Schema<boolean> {
    return node({ kind: "boolean" }, options);
  },
  /** A safe integer (JSON number without a fraction). */
  integer(options?: Options): Schema<number> {
    return node({ kind: "integer" }, options);
  },
  map<V>(values: Schema<V>, options?: Options): Schema<Record<string, V>> {
    return node({ kind: "map", values }, options);
  },
  array<I>(items: Schema<I>, options?: Options & { readonly maxItems?: number }): Schema<I[]> {
    const base: ArrayNode = options?.maxItems === undefined ? { kind: "array", items } : { kind: "array", items, maxItems: options.maxItems };
    return node(base, options);
  },
  object<const F extends Fields>(fields: F, options?: Options): ObjectSchema<InferFields<F>> {
    return node({ kind: "object", fields }, options);
  },
  /** An object with the named `fields` and any others of schema `additional` (a shape providers extend). */
  openObject<const F extends Fields, A>(fields: F, additional: Schema<A>, options?: Options): ObjectSchema<InferFields<F> & Record<string, A>> {
    return node({ kind: "object", fields, additional }, options);
  },
  unknown(options?: Options): Schema<unknown> {
    return node({ kind: "unknown" }, options);
  },
  optional<T>(inner: Schema<T>): OptionalSchema<T> {
    return { kind: "optional", inner } as OptionalSchema<T>;
  },
  /** `schema` with the fields of `more` added (a shape that extends another). */
  extend<T, const F extends Fields>(schema: ObjectSchema<T>, more: F, options?: Options): ObjectSchema<Flatten<T & InferFields<F>>> {
    const description = options?.description ?? schema.description;
    const base: ObjectNode = { ...schema, fields: { ...schema.fields, ...more } };
    return node(base, description === undefined ? undefined : { description });
  },
} as const;
