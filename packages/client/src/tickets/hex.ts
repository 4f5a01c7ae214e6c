/**
 * Hex, the transport form of ticket bytes (what Steam's wrappers send between client and server),
 * without Node's `Buffer`, so it works in browsers too.
 */

const DIGITS = "0123456789abcdef";
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Lower-case hex of `bytes`.
 *
 * @example
 * toHex(new Uint8Array([1, 171])); // "01ab"
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += DIGITS[b >> 4]! + DIGITS[b & 15]!;
  return out;
}

/** Whether `text` is hex: pairs of digits, either case, nothing else ("" is hex of no bytes). */
export function isHex(text: string): boolean {
  return HEX.test(text);
}

/**
 * The bytes of a hex string (either case). Throws a `TypeError` for anything that is not an even
 * number of hex digits: whitespace, a `0x` prefix or an odd length are refused, not guessed at.
 *
 * @example
 * fromHex("01AB"); // Uint8Array [1, 171]
 */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== "string" || !isHex(hex)) throw new TypeError("Not hex: expected an even number of the digits 0-9 and a-f.");
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
