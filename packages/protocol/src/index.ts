/**
 * @tessera/protocol: Tessera's wire contract, imported by the server, the SDK and the console so
 * each shape, code table and message exists once. No dependencies: the SDK bundles it.
 */
export { s, type Infer, type InferFields, type Schema, type ObjectSchema, type OptionalSchema, type SchemaNode } from "./schema.js";
export { validate, type Problem, type Validation, type ValidateOptions } from "./validate.js";
export { toJsonSchema, type JsonSchema } from "./json-schema.js";
export { GrpcCode } from "./grpc-code.js";
export { Messages } from "./messages.js";
export { BeginAuthSessionResult, AuthSessionResponse, beginResultName, responseName } from "./steam-results.js";
export * from "./shapes/error.js";
export * from "./shapes/health.js";
export * from "./shapes/account.js";
export * from "./shapes/tickets.js";
export * from "./shapes/console.js";
export * from "./shapes/code-link.js";
