/**
 * Google (docs/providers.md). The client's `token` is either a Google ID token (three dot-separated
 * parts), checked against Google's keys (`social.google.jwks_url`): RS256, `iss`
 * `accounts.google.com` or `https://accounts.google.com`, `aud` one of `social.google.client_ids`
 * (Nakama checks no audience), `exp`; or a Google Play Games v2 server auth code, exchanged at
 * `social.google.token_url` with `google_auth.credentials_json`'s client, whose access token names
 * the player at `social.google.games_player_url`. The subject is `sub` or the Play Games player id,
 * as Nakama stores both in `google_id`. Name, picture and a verified email are used at creation.
 */
import { failedPrecondition } from "../../shared/api-error.js";
import { verifyIdToken } from "../social/id-token.js";
import { checkWithProvider } from "../social/provider-check.js";
import { CredentialRejectedError, ProviderUnavailableError } from "../social/provider-errors.js";
import { fetchProviderJson } from "../social/provider-http.js";
import type { LinkProof, Provider, ProviderCore } from "./provider.js";
import { accountProfile, profileClaims, profileOfClaims, provedBy, tokenOf, tokenSubjectIdentifier } from "./token-credential.js";

export const GOOGLE_ISSUERS = ["accounts.google.com", "https://accounts.google.com"] as const;

export const GoogleMessages = {
  notConfigured: "Google authentication is not configured.",
  tokenRequired: "Google access token is required.",
  notAuthenticated: "Could not authenticate Google profile.",
  inUse: "Google ID is already in use.",
} as const;

const LABEL = { label: "Google", notAuthenticated: GoogleMessages.notAuthenticated };
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

export const googleProvider: Provider<"google"> = {
  name: "google",
  wire: {
    path: "google",
    hooks: { authenticate: "AuthenticateGoogle", link: "LinkGoogle", unlink: "UnlinkGoogle" },
    fields: { token: { description: "A Google ID token, or a Google Play Games v2 server auth code." } },
    link: { kind: "fields", vars: true },
    unlink: { kind: "fields", vars: true },
    summaries: {
      authenticate:
        "Sign in with a Google ID token (checked against Google's keys and social.google.client_ids) or a Play Games server auth code. 503 when Google cannot be asked. docs/providers.md.",
      link: "Link the Google id a token or auth code proves (409 if another account has it). docs/providers.md.",
      unlink: "Unlink the Google id: the one a token proves, or with no token the account's; refused (400) if it is the last identity.",
    },
  },
  perAccount: "one",
  messages: { inUse: GoogleMessages.inUse, notLinked: "Google ID is not linked to this account." },
  accountField: { shape: "subject", in: "user", key: "google_id" },
  console: { searchField: "google_id", summaryKey: "google_id" },
  signInIdentifier: tokenSubjectIdentifier("google"),
  ...provedBy((core, credential) => {
    const google = core.config.social.google;
    if (google.clientIds.length === 0 && google.playGames === undefined) throw failedPrecondition(GoogleMessages.notConfigured);
    const token = tokenOf(credential, GoogleMessages.tokenRequired);
    return { prove: () => checkWithProvider(core.logger, LABEL, () => (JWT_SHAPE.test(token) ? proveIdToken(core, token) : provePlayGamesCode(core, token))) };
  }),
};

async function proveIdToken(core: ProviderCore, token: string): Promise<LinkProof> {
  const keys = core.social.googleKeys;
  if (keys === undefined) throw new CredentialRejectedError("ID tokens are not accepted: social.google.client_ids is not set");
  const claims = await verifyIdToken(token, {
    keys,
    issuers: GOOGLE_ISSUERS,
    audiences: core.config.social.google.clientIds,
    algorithms: ["RS256"],
    leewaySec: core.config.social.leewaySec,
    clock: core.clock,
  });
  return {
    identity: { provider: "google", subject: claims.sub, profile: profileClaims(claims, ["email", "email_verified", "name", "picture"]) },
    accountProfile: profileOfClaims(claims),
  };
}

/** The OAuth 2.0 authorization-code exchange (RFC 6749 §4.1.3), then Play Games' current player. */
async function provePlayGamesCode(core: ProviderCore, code: string): Promise<LinkProof> {
  const { playGames, tokenUrl, gamesPlayerUrl } = core.config.social.google;
  if (playGames === undefined) throw new CredentialRejectedError("auth codes are not accepted: google_auth.credentials_json is not set");
  const timeoutMs = core.config.social.timeoutMs;
  const exchange = await fetchProviderJson({
    service: "Google token endpoint",
    url: tokenUrl,
    timeoutMs,
    form: { grant_type: "authorization_code", code, client_id: playGames.clientId, client_secret: playGames.clientSecret, redirect_uri: "" },
  });
  if (exchange.status !== 200) throw new CredentialRejectedError(`auth code refused (HTTP ${exchange.status}${oauthError(exchange.body)})`);
  const accessToken = (exchange.body as { access_token?: unknown } | null)?.access_token;
  if (typeof accessToken !== "string" || accessToken === "") throw new ProviderUnavailableError("Google token endpoint", "answered without an access_token");

  const player = await fetchProviderJson({ service: "Google Play Games", url: gamesPlayerUrl, timeoutMs, bearer: accessToken });
  if (player.status !== 200) throw new CredentialRejectedError(`Play Games refused the access token (HTTP ${player.status})`);
  const p = player.body as { playerId?: unknown; displayName?: unknown; avatarImageUrl?: unknown } | null;
  if (typeof p?.playerId !== "string" || p.playerId === "") throw new ProviderUnavailableError("Google Play Games", "answered without a playerId");
  const name = typeof p.displayName === "string" && p.displayName !== "" ? p.displayName : undefined;
  const avatar = typeof p.avatarImageUrl === "string" && p.avatarImageUrl !== "" ? p.avatarImageUrl : undefined;
  return {
    identity: { provider: "google", subject: p.playerId, profile: { play_games: true, ...(name === undefined ? {} : { name }) } },
    accountProfile: accountProfile(name, avatar, undefined),
  };
}

function oauthError(body: unknown): string {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === "string" ? `: ${error}` : "";
}
