/**
 * Code-Link (Unity's sign-in codes over RFC 8628's device grant; docs/code-link.md): the bodies
 * and answers of `/v2/account/code-link/*`, the code's alphabet and the sign-in poll's RFC 8628
 * error names, shared by the server and the SDK.
 */
import { s, type Infer } from "../schema.js";

/** RFC 8628 §6.1's base-20 consonants: no vowels (no words), no look-alikes (0/O, 1/I). */
export const SIGN_IN_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
/** Characters of a sign-in code, shown as `XXXX-XXXX`. */
export const SIGN_IN_CODE_LENGTH = 8;
/** Most UTF-8 bytes of a device's identifier (Unity documents 128 characters). */
export const CODE_LINK_IDENTIFIER_MAX_BYTES = 128;
/** Seconds RFC 8628 §3.5 adds to the interval at each `slow_down`. */
export const SLOW_DOWN_STEP_SEC = 5;

/** The RFC 8628 §3.5 `error` of a sign-in poll that did not sign in. */
export const CodeLinkPollErrors = {
  /** The code is not confirmed yet: poll again after `interval` seconds (HTTP 400, code 9). */
  authorizationPending: "authorization_pending",
  /** Polled sooner than `interval` after the previous poll: `interval` grew by 5 s (HTTP 400, code 9). */
  slowDown: "slow_down",
  /** The code expired, was used, or never existed: generate a new one (HTTP 404, code 5). */
  expiredToken: "expired_token",
  /** The code verifier does not match the code's challenge (HTTP 401, code 16). */
  invalidGrant: "invalid_grant",
} as const;
export type CodeLinkPollError = (typeof CodeLinkPollErrors)[keyof typeof CodeLinkPollErrors];

/** `POST /v2/account/code-link/generate`. */
export const CodeLinkGenerateBodySchema = s.object({
  identifier: s.optional(
    s.string({ maxLength: 512, description: "Names the waiting device to the confirming player: at most 128 UTF-8 bytes, no control characters." }),
  ),
  code_challenge: s.string({ maxLength: 128, description: "Lower-case hex SHA-256 of the device's code verifier (64 characters)." }),
});
export type CodeLinkGenerateBody = Infer<typeof CodeLinkGenerateBodySchema>;

export const CodeLinkGenerateSchema = s.object(
  {
    code_link_session_id: s.string({ description: "The id the waiting device signs in with, with its code verifier." }),
    sign_in_code: s.string({ description: "The code to show, XXXX-XXXX." }),
    expiration: s.string({ description: "When the code expires: unix seconds, as a string (Unity's SignInCodeInfo.Expiration)." }),
    interval: s.integer({ description: "Seconds to leave between sign-in polls." }),
  },
  { description: "A new sign-in code for a signed-out device." },
);
export type CodeLinkGenerateJson = Infer<typeof CodeLinkGenerateSchema>;

/** `POST /v2/account/code-link/info` and `/confirm`. */
export const CodeLinkCodeBodySchema = s.object({
  sign_in_code: s.string({ maxLength: 64, description: "The code as the player typed it: any case, dashes and spaces ignored." }),
});
export type CodeLinkCodeBody = Infer<typeof CodeLinkCodeBodySchema>;

export const CodeLinkInfoSchema = s.object(
  {
    sign_in_code: s.string({ description: "XXXX-XXXX" }),
    identifier: s.string({ description: "What the waiting device calls itself; empty when it gave nothing." }),
    expiration: s.string({ description: "Unix seconds, as a string." }),
  },
  { description: "A live sign-in code, for the signed-in player to check before confirming it." },
);
export type CodeLinkInfoJson = Infer<typeof CodeLinkInfoSchema>;

/** `POST /v2/account/code-link/sign-in` (the server adds `vars`). */
export const CodeLinkSignInBodySchema = s.object({
  code_link_session_id: s.string({ maxLength: 64 }),
  code_verifier: s.string({ maxLength: 256, description: "The secret whose SHA-256 was the code challenge: 43-128 characters of A-Z a-z 0-9 . _ ~ -." }),
});
export type CodeLinkSignInBody = Infer<typeof CodeLinkSignInBodySchema>;

export const CodeLinkPollErrorSchema = s.object(
  {
    code: s.integer({ description: "gRPC status code" }),
    message: s.string(),
    error: s.oneOf([CodeLinkPollErrors.authorizationPending, CodeLinkPollErrors.slowDown, CodeLinkPollErrors.expiredToken, CodeLinkPollErrors.invalidGrant]),
    interval: s.optional(s.integer({ description: "With authorization_pending and slow_down: seconds to wait before the next poll." })),
  },
  { description: "A sign-in poll that did not sign in: Nakama's error shape plus RFC 8628's error name." },
);
export type CodeLinkPollErrorJson = Infer<typeof CodeLinkPollErrorSchema>;
