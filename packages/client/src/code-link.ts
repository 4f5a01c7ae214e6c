/**
 * Code-Link's secret on the signed-out device: a PKCE code verifier and its challenge, Unity's
 * variant (the challenge is the lower-case hex SHA-256 of the verifier, not RFC 7636's base64url),
 * made with WebCrypto so it runs in browsers and Node alike. docs/code-link.md.
 */

const VERIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Unity's verifier length. */
export const CODE_VERIFIER_LENGTH = 125;
/** The largest multiple of 62 below 256: bytes at or above it are drawn again, so every character is equally likely. */
const UNBIASED_LIMIT = 256 - (256 % VERIFIER_ALPHABET.length);

/**
 * A new code verifier: 125 characters of A-Z a-z 0-9 from the platform's cryptographic RNG, by
 * rejection sampling (no modulo bias).
 *
 * @example
 * const verifier = newCodeVerifier();
 */
export function newCodeVerifier(): string {
  let out = "";
  const bytes = new Uint8Array(CODE_VERIFIER_LENGTH * 2);
  while (out.length < CODE_VERIFIER_LENGTH) {
    webCrypto().getRandomValues(bytes);
    for (const b of bytes) {
      if (b >= UNBIASED_LIMIT) continue;
      out += VERIFIER_ALPHABET[b % VERIFIER_ALPHABET.length];
      if (out.length === CODE_VERIFIER_LENGTH) break;
    }
  }
  return out;
}

/**
 * The code challenge of `verifier`: lower-case hex SHA-256 of its UTF-8 bytes.
 *
 * @example
 * const challenge = await codeChallengeOf(verifier); // 64 hex characters
 */
export async function codeChallengeOf(verifier: string): Promise<string> {
  const digest = new Uint8Array(await webCrypto().subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}

function webCrypto(): Crypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.subtle === undefined || typeof c.getRandomValues !== "function")
    throw new TypeError("Code-Link needs WebCrypto (globalThis.crypto.subtle), a secure context in browsers.");
  return c;
}
