/**
 * Sign in with Apple (docs/providers.md): the client's `token` is the identity token Apple gave
 * the app, checked against Apple's keys (`social.apple.jwks_url`): RS256 or ES256, `iss`
 * `https://appleid.apple.com`, `aud` one of `social.apple.bundle_id` (Nakama checks no audience,
 * so any app's token would do there), `exp`, and `nonce` when the client sends one. The subject is
 * `sub`; Apple's email is kept in the identity's profile and used at creation.
 */
import { failedPrecondition } from "../../shared/api-error.js";
import { verifyIdToken } from "../social/id-token.js";
import { checkWithProvider } from "../social/provider-check.js";
import { CredentialRejectedError } from "../social/provider-errors.js";
import { field, type Provider } from "./provider.js";
import { nonceMatches, profileClaims, profileOfClaims, provedBy, tokenOf, tokenSubjectIdentifier } from "./token-credential.js";

export const APPLE_ISSUER = "https://appleid.apple.com";

export const AppleMessages = {
  notConfigured: "Apple authentication is not configured.",
  tokenRequired: "Apple ID token is required.",
  notAuthenticated: "Could not authenticate Apple profile.",
  inUse: "Apple ID is already in use.",
} as const;

const TOKEN = { description: "Apple identity token (a JWT signed by Apple)." };
const NONCE = { description: "Tessera: the nonce the app gave Apple; the token's nonce must be it or its SHA-256 (hex)." };

export const appleProvider: Provider<"apple"> = {
  name: "apple",
  wire: {
    path: "apple",
    hooks: { authenticate: "AuthenticateApple", link: "LinkApple", unlink: "UnlinkApple" },
    fields: { token: TOKEN, nonce: NONCE },
    link: { kind: "fields", vars: true },
    unlink: { kind: "fields", vars: true },
    summaries: {
      authenticate:
        "Sign in with an Apple identity token, checked against Apple's keys and social.apple.bundle_id. 503 when Apple cannot be asked. docs/providers.md.",
      link: "Link the Apple id an identity token proves (409 if another account has it). docs/providers.md.",
      unlink: "Unlink the Apple id: the one a token proves, or with no token the account's; refused (400) if it is the last identity.",
    },
  },
  perAccount: "one",
  messages: { inUse: AppleMessages.inUse, notLinked: "Apple ID is not linked to this account." },
  accountField: { shape: "subject", in: "user", key: "apple_id" },
  console: { searchField: "apple_id", summaryKey: "apple_id" },
  signInIdentifier: tokenSubjectIdentifier("apple"),
  ...provedBy((core, credential) => {
    const bundleIds = core.config.social.apple.bundleIds;
    const keys = core.social.appleKeys;
    if (bundleIds.length === 0 || keys === undefined) throw failedPrecondition(AppleMessages.notConfigured);
    const token = tokenOf(credential, AppleMessages.tokenRequired);
    const nonce = field(credential, "nonce");
    return {
      prove: () =>
        checkWithProvider(core.logger, { label: "Apple", notAuthenticated: AppleMessages.notAuthenticated }, async () => {
          const claims = await verifyIdToken(token, {
            keys,
            issuers: [APPLE_ISSUER],
            audiences: bundleIds,
            leewaySec: core.config.social.leewaySec,
            clock: core.clock,
          });
          if (nonce !== "" && !nonceMatches(claims, nonce)) throw new CredentialRejectedError("nonce does not match");
          return {
            identity: { provider: "apple", subject: claims.sub, profile: profileClaims(claims, ["email", "is_private_email"]) },
            // Apple sends no name in the token; its email is verified unless it says otherwise.
            accountProfile: { verifiedEmail: profileOfClaims(claims, { emailVerifiedByDefault: true }).verifiedEmail },
          };
        }),
    };
  }),
};
