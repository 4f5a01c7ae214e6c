/**
 * Every sign-in provider, in the order routes, hooks and metrics list them. Adding a provider is
 * one module implementing `Provider` (provider.ts) and one line here; docs/architecture.md has
 * the steps.
 */
import { appleProvider } from "./apple.js";
import { customProvider } from "./custom.js";
import { deviceProvider } from "./device.js";
import { emailProvider } from "./email.js";
import { facebookProvider } from "./facebook.js";
import { facebookInstantGameProvider } from "./facebook-instant-game.js";
import { gamecenterProvider } from "./gamecenter.js";
import { googleProvider } from "./google.js";
import { oidcProvider } from "./oidc.js";
import type { Provider } from "./provider.js";
import { steamProvider } from "./steam.js";

export const PROVIDERS = [
  deviceProvider,
  emailProvider,
  customProvider,
  steamProvider,
  appleProvider,
  googleProvider,
  facebookProvider,
  facebookInstantGameProvider,
  gamecenterProvider,
  oidcProvider,
] as const;

/** A provider's name: an `identities.provider` value. */
export type ProviderName = (typeof PROVIDERS)[number]["name"];

/** Any provider of the registry (its name typed as one of theirs). */
export type RegisteredProvider = Provider<ProviderName>;

export const PROVIDER_NAMES: readonly ProviderName[] = PROVIDERS.map((p) => p.name);

/**
 * How a player signed in, as the audit log and the metrics name it: a provider, anonymously (no
 * identity), or with a Code-Link code another signed-in device confirmed (auth/code-link.ts).
 */
export type SignInProvider = ProviderName | "anonymous" | "code_link";

/** The metrics' `provider` label values. */
export const SIGN_IN_PROVIDERS: readonly SignInProvider[] = [...PROVIDER_NAMES, "anonymous", "code_link"];
