/**
 * The four providers whose credential is one signed token (Apple, Google ID tokens, Facebook
 * Limited Login, OpenID Connect), described once for the suites that run the same rules over
 * each: the route, Nakama's messages, the fake's token maker and where the fake serves its keys.
 */
import { AppleMessages } from "../../src/auth/providers/apple.js";
import { FacebookMessages } from "../../src/auth/providers/facebook.js";
import { GoogleMessages } from "../../src/auth/providers/google.js";
import { OidcMessages } from "../../src/auth/providers/oidc.js";
import { FAKE_PATHS, type FakeProviders, type IdTokenOptions, type KeyOwner } from "./fake-providers.js";

export interface TokenProvider {
  /** For test names. */
  readonly label: string;
  /** The metrics' and audit log's provider name. */
  readonly provider: "apple" | "google" | "facebook" | "oidc";
  readonly route: string;
  readonly messages: { readonly notConfigured: string; readonly tokenRequired: string; readonly notAuthenticated: string };
  /** The fake's provider of the keys (for `down`, `rotateKeys`). */
  readonly owner: KeyOwner;
  /** Where the fake serves the keys (for its request counters). */
  readonly keysPath: string;
  /** A valid token of this provider unless `options` spoil it. */
  token(fake: FakeProviders, options?: IdTokenOptions): Promise<string>;
}

export const TOKEN_PROVIDERS: readonly TokenProvider[] = [
  {
    label: "Apple",
    provider: "apple",
    route: "/v2/account/authenticate/apple",
    messages: AppleMessages,
    owner: "apple",
    keysPath: FAKE_PATHS.appleKeys,
    token: (fake, o) => fake.appleToken(o),
  },
  {
    label: "Google",
    provider: "google",
    route: "/v2/account/authenticate/google",
    messages: GoogleMessages,
    owner: "google",
    keysPath: FAKE_PATHS.googleKeys,
    token: (fake, o) => fake.googleIdToken(o),
  },
  {
    label: "Facebook Limited Login",
    provider: "facebook",
    route: "/v2/account/authenticate/facebook",
    messages: FacebookMessages,
    owner: "facebook-limited-login",
    keysPath: FAKE_PATHS.limitedLoginKeys,
    token: (fake, o) => fake.limitedLoginToken(o),
  },
  {
    label: "OpenID Connect",
    provider: "oidc",
    route: "/v2/account/authenticate/oidc/acme",
    messages: {
      notConfigured: OidcMessages.notConfigured("acme"),
      tokenRequired: OidcMessages.tokenRequired,
      notAuthenticated: OidcMessages.notAuthenticated("acme"),
    },
    owner: "oidc:acme",
    keysPath: FAKE_PATHS.oidcKeys("acme"),
    token: (fake, o) => fake.oidcToken("acme", o),
  },
];
