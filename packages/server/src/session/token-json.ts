/**
 * JSON for token payloads that every Nakama client can decode.
 *
 * nakama-js 2.8 decodes the payload with a base64 decoder that drops `-` and `_` and reads bytes as
 * Latin-1. Pure ASCII JSON without `>`, `?` and `~` never produces those two base64url characters,
 * so those three and every character from U+007F up are written as `\uXXXX` escapes, which any
 * JSON parser reads back to the same text.
 */
const UNSAFE = /[>?~\u007f-\uffff]/g;

export function clientSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (ch) => "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0"));
}
