/** Every error answer: a gRPC status code and a message (Nakama's shape); and the empty answer. */
import { s, type Infer } from "../schema.js";

export const ErrorSchema = s.object(
  { code: s.integer({ description: "gRPC status code" }), message: s.string() },
  { description: "Every error: a gRPC status code and a message (Nakama's shape)." },
);
export type ErrorJson = Infer<typeof ErrorSchema>;

/** The empty answer `{}` of calls that only act. */
export const EmptySchema = s.object({});
