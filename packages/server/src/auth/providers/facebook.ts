/**
 * Facebook (docs/providers.md). The client's `token` is either a Limited Login token (a JWT, iOS),
 * checked against Facebook's keys (`social.facebook_limited_login.jwks_url`): RS256, `iss`
 * `https://www.facebook.com` or `https://facebook.com`, `aud` = `social.facebook_limited_login.app_id`,
 * `exp`; or a Graph API user access token, which must be valid and issued to
 * `social.facebook.app_id` (Graph's `debug_token`, asked with the app's access token) before the
 * profile is read with `appsecret_proof`. Nakama checks neither app, so a token of any Facebook
 * app would sign in there. The subject is the app-scoped user id; name, picture and email are
 * used at creation. `sync` (friend import) is accepted and ignored.
 */
import { createHmac } from "node:crypto";
import { failedPrecondition } from "../../shared/api-error.js";
import { verifyIdToken } from "../social/id-token.js";
import { checkWithProvider } from "../social/provider-check.js";
import { CredentialRejectedError, ProviderUnavailableError } from "../social/provider-errors.js";
import { fetchProviderJson } from "../social/provider-http.js";
import type { LinkProof, Provider, ProviderCore } from "./provider.js";
import { accountProfile, profileClaims, profileOfClaims, provedBy, tokenOf, tokenSubjectIdentifier } from "./token-credential.js";

export const FACEBOOK_ISSUERS = ["https://www.facebook.com", "https://facebook.com"] as const;

export const FacebookMessages = {
  notConfigured: "Facebook authentication is not configured.",
  tokenRequired: "Facebook access token is required.",
  notAuthenticated: "Could not authenticate Facebook profile.",
  inUse: "Facebook ID is already in use.",
} as const;

const LABEL = { label: "Facebook", notAuthenticated: FacebookMessages.notAuthenticated };
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

export const facebookProvider: Provider<"facebook"> = {
  name: "facebook",
  wire: {
    path: "facebook",
    hooks: { authenticate: "AuthenticateFacebook", link: "LinkFacebook", unlink: "UnlinkFacebook" },
    fields: { token: { description: "A Facebook user access token (Graph API), or a Limited Login token (JWT)." } },
    sync: true,
    link: { kind: "fields", vars: true },
    unlink: { kind: "fields", vars: true },
    summaries: {
      authenticate:
        "Sign in with a Facebook access token (checked with debug_token against social.facebook.app_id) or a Limited Login token. 503 when Facebook cannot be asked. docs/providers.md.",
      link: "Link the Facebook id a token proves (409 if another account has it). docs/providers.md.",
      unlink: "Unlink the Facebook id: the one a token proves, or with no token the account's; refused (400) if it is the last identity.",
    },
  },
  perAccount: "one",
  messages: { inUse: FacebookMessages.inUse, notLinked: "Facebook ID is not linked to this account." },
  accountField: { shape: "subject", in: "user", key: "facebook_id" },
  console: { searchField: "facebook_id", summaryKey: "facebook_id" },
  // A Limited Login token names its subject; a Graph token does not, so those count per address only.
  signInIdentifier: tokenSubjectIdentifier("facebook"),
  ...provedBy((core, credential) => {
    const facebook = core.config.social.facebook;
    if (facebook.app === undefined && facebook.limitedLoginAppId === undefined) throw failedPrecondition(FacebookMessages.notConfigured);
    const token = tokenOf(credential, FacebookMessages.tokenRequired);
    return {
      prove: () => checkWithProvider(core.logger, LABEL, () => (JWT_SHAPE.test(token) ? proveLimitedLogin(core, token) : proveGraphToken(core, token))),
    };
  }),
};

async function proveLimitedLogin(core: ProviderCore, token: string): Promise<LinkProof> {
  const appId = core.config.social.facebook.limitedLoginAppId;
  const keys = core.social.facebookLimitedLoginKeys;
  if (appId === undefined || keys === undefined)
    throw new CredentialRejectedError("Limited Login tokens are not accepted: social.facebook_limited_login.app_id is not set");
  const claims = await verifyIdToken(token, {
    keys,
    issuers: FACEBOOK_ISSUERS,
    audiences: [appId],
    algorithms: ["RS256"],
    leewaySec: core.config.social.leewaySec,
    clock: core.clock,
  });
  // Facebook only puts an email it confirmed into the token.
  return {
    identity: { provider: "facebook", subject: claims.sub, profile: { limited_login: true, ...profileClaims(claims, ["email", "name", "picture"]) } },
    accountProfile: profileOfClaims(claims, { emailVerifiedByDefault: true }),
  };
}

interface DebugToken {
  data?: { app_id?: unknown; is_valid?: unknown; user_id?: unknown };
}

interface GraphProfile {
  id?: unknown;
  name?: unknown;
  email?: unknown;
  picture?: { data?: { url?: unknown } };
}

async function proveGraphToken(core: ProviderCore, token: string): Promise<LinkProof> {
  const { app, graphUrl } = core.config.social.facebook;
  if (app === undefined) throw new CredentialRejectedError("Graph API tokens are not accepted: social.facebook.app_id is not set");
  const timeoutMs = core.config.social.timeoutMs;
  const debug = new URL(`${graphUrl}/debug_token`);
  debug.search = new URLSearchParams({ input_token: token, access_token: `${app.id}|${app.secret}` }).toString();
  const check = await fetchProviderJson({ service: "Facebook Graph API", url: debug.toString(), timeoutMs });
  if (check.status !== 200) throw new CredentialRejectedError(`debug_token answered HTTP ${check.status}`);
  const data = (check.body as DebugToken | null)?.data;
  if (typeof data !== "object" || data === null) throw new ProviderUnavailableError("Facebook Graph API", "debug_token answered without data");
  if (data.is_valid !== true) throw new CredentialRejectedError("token is not valid");
  if (String(data.app_id) !== app.id) throw new CredentialRejectedError("token was issued to another app");
  const userId = typeof data.user_id === "string" || typeof data.user_id === "number" ? String(data.user_id) : "";
  if (userId === "") throw new CredentialRejectedError("token names no user");

  const me = new URL(`${graphUrl}/me`);
  const proof = createHmac("sha256", app.secret).update(token).digest("hex");
  me.search = new URLSearchParams({ fields: "id,name,email,picture", access_token: token, appsecret_proof: proof }).toString();
  const answer = await fetchProviderJson({ service: "Facebook Graph API", url: me.toString(), timeoutMs });
  if (answer.status !== 200) throw new CredentialRejectedError(`/me answered HTTP ${answer.status}`);
  const p = answer.body as GraphProfile | null;
  if (String(p?.id) !== userId) throw new CredentialRejectedError("/me names another user than debug_token");
  const name = typeof p?.name === "string" && p.name !== "" ? p.name : undefined;
  const email = typeof p?.email === "string" && p.email !== "" ? p.email : undefined;
  const picture = p?.picture?.data?.url;
  return {
    identity: { provider: "facebook", subject: userId, profile: { ...(name === undefined ? {} : { name }), ...(email === undefined ? {} : { email }) } },
    // Graph only returns an email the person confirmed.
    accountProfile: accountProfile(name, typeof picture === "string" ? picture : undefined, email),
  };
}
