/**
 * The two ways a sign-in provider's check fails, kept apart on purpose: the credential is bad
 * (401 with Nakama's message) or the provider could not be asked (503 with `Retry-After`: the
 * player may be genuine, so an outage is never reported as a bad credential).
 */

/** The credential is not valid: a bad signature, an expired token, a wrong audience or issuer. */
export class CredentialRejectedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "CredentialRejectedError";
  }
}

/** The provider (or its keys, its discovery document, its certificate) could not be reached or answered nonsense. */
export class ProviderUnavailableError extends Error {
  constructor(
    /** What was called, for the log: "Apple keys", "Facebook Graph API" … */
    readonly service: string,
    readonly reason: string,
  ) {
    super(`${service}: ${reason}`);
    this.name = "ProviderUnavailableError";
  }
}
