/**
 * How a provider's check becomes the API's answer, the same for every provider: a rejected
 * credential is 401 with Nakama's message ("Could not authenticate Apple profile."), logged at
 * info with the reason; a provider that could not be asked is 503 with `Retry-After` and an error
 * in the log, never "invalid" (the player may be genuine).
 */
import { ApiError, GrpcCode, unauthenticated } from "../../shared/api-error.js";
import type { Logger } from "../../shared/logger.js";
import { CredentialRejectedError, ProviderUnavailableError } from "./provider-errors.js";

/** Seconds a client is told to wait after a provider outage. */
export const PROVIDER_RETRY_AFTER_SEC = 5;

export interface ProviderLabel {
  /** "Apple", "Google", "Facebook", "Game Center", an OpenID Connect provider's name. */
  readonly label: string;
  /** Nakama's 401 message: "Could not authenticate Apple profile.". */
  readonly notAuthenticated: string;
}

/** The 503 of a provider outage. */
export function providerUnavailable(label: string, reason: string): ApiError {
  return new ApiError(GrpcCode.UNAVAILABLE, `${label} is unavailable (${reason}); try again later.`, {
    headers: { "Retry-After": String(PROVIDER_RETRY_AFTER_SEC) },
  });
}

/** Runs a provider's check, answering its two failures as the API does. */
export async function checkWithProvider<T>(logger: Logger, provider: ProviderLabel, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof CredentialRejectedError) {
      logger.info(`${provider.label} credential refused`, { reason: err.reason });
      throw unauthenticated(provider.notAuthenticated);
    }
    if (err instanceof ProviderUnavailableError) {
      logger.error(`${provider.label} could not be asked`, { service: err.service, reason: err.reason });
      throw providerUnavailable(provider.label, err.reason);
    }
    throw err;
  }
}
