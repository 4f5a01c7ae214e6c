/**
 * Any OpenID Connect provider of `social.oidc` (Epic, Discord, Keycloak, a studio's own; Tessera's,
 * Nakama has none): `POST /v2/account/authenticate/oidc/{name}` with `{token}`, an ID token
 * checked against the issuer's keys (from its discovery document, or `jwks_url`): RS256 or ES256,
 * `iss` the configured issuer exactly, `aud` one of its `client_ids`, `exp`, and `nonce` when
 * sent. The subject is `<name>:<sub>`, so two providers' ids never meet; an account may hold
 * identities of several. Name, picture and a verified email are used at creation.
 */
import { failedPrecondition } from "../../shared/api-error.js";
import { claimedSubject, verifyIdToken } from "../social/id-token.js";
import { checkWithProvider } from "../social/provider-check.js";
import { CredentialRejectedError } from "../social/provider-errors.js";
import { field, type Provider } from "./provider.js";
import { nonceMatches, profileClaims, profileOfClaims, provedBy, tokenOf } from "./token-credential.js";

export const OidcMessages = {
  notConfigured: (name: string) =>
    /^[a-z0-9][a-z0-9_-]{0,31}$/.test(name)
      ? `OpenID Connect provider ${JSON.stringify(name)} is not configured.`
      : "OpenID Connect provider is not configured.",
  tokenRequired: "OpenID Connect ID token is required.",
  notAuthenticated: (name: string) => `Could not authenticate ${name} profile.`,
  inUse: "OpenID Connect ID is already in use.",
} as const;

/** The identity's subject: the provider's name, then its `sub`. */
export const oidcSubject = (name: string, sub: string): string => `${name}:${sub}`;

export const oidcProvider: Provider<"oidc"> = {
  name: "oidc",
  wire: {
    path: "oidc",
    pathParams: ["name"],
    hooks: { authenticate: "AuthenticateOidc", link: "LinkOidc", unlink: "UnlinkOidc" },
    fields: {
      token: { description: "An OpenID Connect ID token of the provider named in the path." },
      nonce: { description: "The nonce the client gave the provider, when it gave one; the token's nonce must be it or its SHA-256 (hex)." },
    },
    link: { kind: "fields", vars: true },
    unlink: { kind: "fields", vars: true },
    summaries: {
      authenticate:
        "Sign in with an ID token of the OpenID Connect provider named in the path (social.oidc): its issuer's keys, issuer and client ids. 503 when it cannot be asked. docs/providers.md.",
      link: "Link the identity an ID token of the named provider proves (409 if another account has it). docs/providers.md.",
      unlink: "Unlink the named provider's identity: the one a token proves, or with no token the account's; refused (400) if it is the last identity.",
    },
  },
  // Links add: an account holds identities of several OpenID Connect providers (each subject names its provider).
  perAccount: "many",
  messages: { inUse: OidcMessages.inUse, notLinked: "No identity of this OpenID Connect provider is linked to this account." },
  accountField: { shape: "none" },
  console: { searchField: "oidc", summaryKey: "oidc_id" },
  signInIdentifier(body, _query) {
    const sub = claimedSubject(body["token"]);
    return sub === undefined ? undefined : `oidc:${sub}`;
  },
  holds: (credential, subject) => subject.startsWith(`${field(credential, "name")}:`),
  ...provedBy((core, credential) => {
    const name = field(credential, "name");
    const issuer = core.social.oidc.get(name);
    if (issuer === undefined) throw failedPrecondition(OidcMessages.notConfigured(name));
    const token = tokenOf(credential, OidcMessages.tokenRequired);
    const nonce = field(credential, "nonce");
    const label = { label: name, notAuthenticated: OidcMessages.notAuthenticated(name) };
    return {
      prove: () =>
        checkWithProvider(core.logger, label, async () => {
          const claims = await verifyIdToken(token, {
            keys: issuer.keys,
            issuers: [issuer.config.issuer],
            audiences: issuer.config.clientIds,
            leewaySec: core.config.social.leewaySec,
            clock: core.clock,
          });
          if (nonce !== "" && !nonceMatches(claims, nonce)) throw new CredentialRejectedError("nonce does not match");
          return {
            identity: {
              provider: "oidc",
              subject: oidcSubject(name, claims.sub),
              profile: profileClaims(claims, ["email", "email_verified", "name", "picture"]),
            },
            accountProfile: profileOfClaims(claims),
          };
        }),
    };
  }),
};
