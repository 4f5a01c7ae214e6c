/**
 * Local stand-ins for the token sign-in providers: one node:http server on 127.0.0.1 (ephemeral
 * port) speaking each provider's documented format, with signing keys made here (jose): Apple's
 * and Google's JWKS, Google's OAuth token endpoint (RFC 6749 §4.1.3) and Play Games' current
 * player, Facebook Limited Login's JWKS and the Graph API's `debug_token` and `/me` (with
 * `appsecret_proof`), and OpenID Connect issuers (discovery document + JWKS). Token makers sign
 * valid tokens by default (times from the clock given at start, so they follow a `TestClock`);
 * each option spoils one thing. `down` makes a service fail as real ones do (503, no answer, a
 * dropped connection), `rotateKeys` replaces a provider's key, and every request is recorded.
 *
 * @example
 * const fake = await startFakeProviders({ clock });
 * const t = await startTestServer(fake.settings(), undefined, { clock });
 * await t.api.withKey("/v2/account/authenticate/apple", { token: await fake.appleToken({ sub: "000123.abc" }) });
 */
import { createHmac, generateKeyPair as generateNodeKeyPair, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { base64url, exportJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import type { Clock } from "../../src/shared/time.js";

/** The documented issuers (written here, not imported: the fake must not share the server's mistakes). */
export const ISSUERS = {
  apple: "https://appleid.apple.com",
  google: "https://accounts.google.com",
  facebook: "https://www.facebook.com",
} as const;

export const FAKE_APPLE_BUNDLE_ID = "com.example.tessera";
export const FAKE_GOOGLE_CLIENT_ID = "1234-tessera.apps.googleusercontent.com";
/** The OAuth client of `google_auth.credentials_json` (Play Games). */
export const FAKE_PLAY_GAMES_CLIENT = { id: "5678-games.apps.googleusercontent.com", secret: "fake-play-games-client-secret" } as const;
/** The Facebook app of Graph tokens and of Limited Login tokens' `aud`. */
export const FAKE_FACEBOOK_APP = { id: "100200300400", secret: "fake-facebook-app-secret-0001" } as const;
/** An OpenID Connect provider's client id (the `aud` of its tokens). */
export const oidcClientId = (name: string): string => `${name}-client`;

/** Where each provider lives on the fake. */
export const FAKE_PATHS = {
  appleKeys: "/apple/auth/keys",
  googleKeys: "/google/oauth2/v3/certs",
  googleToken: "/google/token",
  playGamesPlayer: "/google/games/v1/players/me",
  limitedLoginKeys: "/facebook/.well-known/oauth/openid/jwks/",
  graph: "/graph",
  graphDebugToken: "/graph/debug_token",
  graphMe: "/graph/me",
  oidcDiscovery: (name: string) => `/oidc/${name}/.well-known/openid-configuration`,
  oidcKeys: (name: string) => `/oidc/${name}/jwks`,
} as const;

/** What `down` and `up` name. */
export type FakeService = "apple" | "google" | "google-token" | "play-games" | "facebook-limited-login" | "graph" | `oidc:${string}`;
/** The providers that sign tokens (and have keys to rotate). */
export type KeyOwner = "apple" | "google" | "facebook-limited-login" | `oidc:${string}`;
/** How a service that is down fails: HTTP 503, no answer at all, or the connection closed without an answer. */
export type OutageMode = "503" | "hang" | "close";

/** What a token maker may change; every default makes a valid token. */
export interface IdTokenOptions {
  /** Default: a fresh random subject (a new player). */
  sub?: string;
  aud?: string | string[];
  iss?: string;
  /** Unix seconds; default now + 10 minutes. */
  exp?: number;
  /** Unix seconds; default now. */
  iat?: number;
  nonce?: string;
  email?: string;
  /** The header's `kid`; default the provider's current key. A kid it does not serve makes an unknown-key token. */
  kid?: string;
  /**
   * Default RS256 with the provider's key. `HS256` signs with the provider's public key (PEM) as the
   * HMAC secret (the key-confusion attack), `none` is unsigned; RS384, RS512, PS256 use the RSA key.
   */
  alg?: "RS256" | "RS384" | "RS512" | "PS256" | "HS256" | "none";
  /** More claims (`name`, `picture`, `email_verified` …); an undefined value removes a default claim. */
  claims?: Record<string, unknown>;
}

/** A Facebook user as Graph tells of them; `id` is the app-scoped user id. */
export interface FakeFacebookUser {
  id: string;
  name?: string;
  email?: string;
  pictureUrl?: string;
}

/** A Play Games player as `players/me` tells of them. */
export interface FakePlayGamesPlayer {
  playerId: string;
  displayName?: string;
  avatarImageUrl?: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** A form body (the token endpoint), parsed. */
  form?: Record<string, string>;
  authorization?: string;
}

export interface FakeProviders {
  readonly url: string;
  readonly requests: readonly FakeRequest[];
  /** Requests to `path` so far (all of them, answered or not). */
  count(path: string): number;
  /** Requests to any path of `service` so far (an OpenID Connect issuer's discovery and keys). */
  countFor(service: FakeService): number;
  /** The setting overrides that point every provider at this fake (and a 1 s `social.timeout_ms`). */
  settings(): Record<string, string | number | boolean>;
  /** The issuer of the OpenID Connect provider `name` (`<url>/oidc/<name>`). */
  oidcIssuer(name: string): string;
  appleToken(options?: IdTokenOptions): Promise<string>;
  googleIdToken(options?: IdTokenOptions): Promise<string>;
  limitedLoginToken(options?: IdTokenOptions): Promise<string>;
  oidcToken(name: string, options?: IdTokenOptions): Promise<string>;
  /** A Graph user access token for `user`, issued to `appId` (default the configured app); `valid: false`: debug_token says is_valid false. */
  facebookAccessToken(user: FakeFacebookUser, options?: { appId?: string; valid?: boolean }): string;
  /** A fresh single-use Play Games server auth code for `player`. */
  playGamesCode(player: FakePlayGamesPlayer): string;
  down(service: FakeService | "all", mode: OutageMode): void;
  /** Every service answers again (the hanging requests are dropped). */
  up(): void;
  /** A new key with a new kid; the old one is no longer served. */
  rotateKeys(owner: KeyOwner): Promise<void>;
  /** The `issuer` the discovery document of `name` states (default its own: a test may make it name another). */
  setDiscoveryIssuer(name: string, issuer: string | undefined): void;
  close(): Promise<void>;
}

/** A fresh random subject (`prefix-<uuid>`). */
export const randomSubject = (prefix = "sub"): string => `${prefix}-${randomUUID()}`;
/** A fresh random numeric id, as Facebook's app-scoped ids and Play Games' player ids look. */
export const numericId = (): string => BigInt(`0x${randomBytes(7).toString("hex")}`).toString();

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
}

const generateRsa = promisify(generateNodeKeyPair);
let keySerial = 0;

async function newKey(owner: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateRsa("rsa", { modulusLength: 2048 });
  const kid = `${owner.replace(":", "-")}-${++keySerial}`;
  return { kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

/** Signs `payload` with `key` as `options` ask (a claim set to undefined is left out). */
async function sign(signingKey: Promise<SigningKey>, base: JWTPayload, options: IdTokenOptions): Promise<string> {
  const key = await signingKey;
  const payload = Object.fromEntries(Object.entries({ ...base, ...options.claims }).filter(([, v]) => v !== undefined)) as JWTPayload;
  const alg = options.alg ?? "RS256";
  const header = { alg, kid: options.kid ?? key.kid, typ: "JWT" };
  if (alg === "none") {
    const encode = (v: unknown) => base64url.encode(JSON.stringify(v));
    return `${encode(header)}.${encode(payload)}.`;
  }
  const secret = alg === "HS256" ? new TextEncoder().encode(key.publicKey.export({ type: "spki", format: "pem" }).toString()) : key.privateKey;
  return new SignJWT(payload).setProtectedHeader(header).sign(secret);
}

export async function startFakeProviders(options: { clock?: Clock; oidc?: readonly string[] } = {}): Promise<FakeProviders> {
  const clock = options.clock ?? { now: () => Date.now() };
  const oidcNames = options.oidc ?? ["acme", "zenith"];
  const owners: KeyOwner[] = ["apple", "google", "facebook-limited-login", ...oidcNames.map((n) => `oidc:${n}` as const)];
  // Made when first asked for (an RSA key takes a quarter of a second), so a suite pays for the providers it uses.
  const keys = new Map<KeyOwner, Promise<SigningKey>>();
  const keyOf = (owner: KeyOwner): Promise<SigningKey> => {
    if (!owners.includes(owner)) throw new Error(`fake providers: no provider ${owner}`);
    let key = keys.get(owner);
    if (key === undefined) keys.set(owner, (key = newKey(owner)));
    return key;
  };

  const requests: FakeRequest[] = [];
  const outages = new Map<FakeService | "all", OutageMode>();
  const hanging = new Set<ServerResponse>();
  const discoveryIssuers = new Map<string, string>();
  const graphTokens = new Map<string, { user: FakeFacebookUser; appId: string; valid: boolean }>();
  const codes = new Map<string, FakePlayGamesPlayer>();
  const accessTokens = new Map<string, FakePlayGamesPlayer>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const body = Buffer.concat(chunks).toString("utf8");
      const form = req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded") ? Object.fromEntries(new URLSearchParams(body)) : undefined;
      requests.push({
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        ...(form === undefined ? {} : { form }),
        ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
      });
      const service = serviceOf(url.pathname);
      const outage = outages.get("all") ?? (service === undefined ? undefined : outages.get(service));
      if (outage === "hang") return void hanging.add(res);
      if (outage === "close") return void req.socket.destroy();
      if (outage === "503") return send(res, 503, "<html><body><h1>503 Service Unavailable</h1></body></html>", "text/html");
      route(url, req, res, form ?? {}).catch((err: unknown) => send(res, 500, String(err), "text/plain"));
    });
  });

  function serviceOf(path: string): FakeService | undefined {
    if (path.startsWith("/apple/")) return "apple";
    if (path.startsWith("/google/oauth2/")) return "google";
    if (path === FAKE_PATHS.googleToken) return "google-token";
    if (path.startsWith("/google/games/")) return "play-games";
    if (path.startsWith("/facebook/")) return "facebook-limited-login";
    if (path.startsWith("/graph/")) return "graph";
    const oidc = /^\/oidc\/([^/]+)\//.exec(path);
    return oidc === null ? undefined : `oidc:${oidc[1]}`;
  }

  const jwks = async (owner: KeyOwner) => ({ keys: [(await keyOf(owner)).jwk] });

  async function route(url: URL, req: IncomingMessage, res: ServerResponse, form: Record<string, string>): Promise<void> {
    const path = url.pathname;
    const q = url.searchParams;
    if (path === FAKE_PATHS.appleKeys) {
      json(res, 200, await jwks("apple"));
      return;
    }
    if (path === FAKE_PATHS.googleKeys) {
      json(res, 200, await jwks("google"));
      return;
    }
    if (path === FAKE_PATHS.limitedLoginKeys) {
      json(res, 200, await jwks("facebook-limited-login"));
      return;
    }
    if (path === FAKE_PATHS.googleToken && req.method === "POST") return tokenEndpoint(req, res, form);
    if (path === FAKE_PATHS.playGamesPlayer) return playGamesPlayer(req, res, q);
    if (path === FAKE_PATHS.graphDebugToken) return debugToken(res, q);
    if (path === FAKE_PATHS.graphMe) return graphMe(res, q);
    const oidc = /^\/oidc\/([^/]+)\/(.*)$/.exec(path);
    if (oidc !== null && oidcNames.includes(oidc[1]!)) {
      const name = oidc[1]!;
      if (path === FAKE_PATHS.oidcKeys(name)) {
        json(res, 200, await jwks(`oidc:${name}`));
        return;
      }
      if (path === FAKE_PATHS.oidcDiscovery(name)) {
        return json(res, 200, {
          issuer: discoveryIssuers.get(name) ?? issuerOf(name),
          jwks_uri: fakeUrl + FAKE_PATHS.oidcKeys(name),
          authorization_endpoint: `${issuerOf(name)}/authorize`,
          token_endpoint: `${issuerOf(name)}/token`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
        });
      }
    }
    send(res, 404, "<html><body><h1>404 Not Found</h1></body></html>", "text/html");
  }

  /** RFC 6749 §4.1.3 (client authentication in the body or HTTP Basic, §2.3.1), errors as §5.2; codes are single use. */
  function tokenEndpoint(req: IncomingMessage, res: ServerResponse, form: Record<string, string>): void {
    let { client_id: clientId, client_secret: clientSecret } = form;
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
    if (basic !== null) [clientId, clientSecret] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":");
    if (clientId !== FAKE_PLAY_GAMES_CLIENT.id || clientSecret !== FAKE_PLAY_GAMES_CLIENT.secret) {
      json(res, 401, { error: "invalid_client", error_description: "The OAuth client was not found." });
      return;
    }
    if (form["grant_type"] !== "authorization_code") {
      json(res, 400, { error: "unsupported_grant_type" });
      return;
    }
    const player = codes.get(form["code"] ?? "");
    if (player === undefined) {
      json(res, 400, { error: "invalid_grant", error_description: "Bad Request" });
      return;
    }
    codes.delete(form["code"]!);
    const accessToken = `ya29.${randomBytes(24).toString("base64url")}`;
    accessTokens.set(accessToken, player);
    json(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: 3599, scope: "https://www.googleapis.com/auth/games_lite" });
  }

  function playGamesPlayer(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): void {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? q.get("access_token") ?? "";
    const player = accessTokens.get(bearer);
    if (player === undefined) {
      json(res, 401, { error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } });
      return;
    }
    json(res, 200, { kind: "games#player", ...player });
  }

  const oauthError = (res: ServerResponse, message: string) => json(res, 400, { error: { message, type: "OAuthException", code: 190, fbtrace_id: "Afake" } });

  /** Graph's `debug_token`, asked with the app access token `<app_id>|<app_secret>`. */
  function debugToken(res: ServerResponse, q: URLSearchParams): void {
    if (q.get("access_token") !== `${FAKE_FACEBOOK_APP.id}|${FAKE_FACEBOOK_APP.secret}`) {
      oauthError(res, "Invalid OAuth access token signature.");
      return;
    }
    const token = graphTokens.get(q.get("input_token") ?? "");
    if (token === undefined) {
      json(res, 200, { data: { error: { code: 190, message: "Invalid OAuth access token - Cannot parse access token" }, is_valid: false, scopes: [] } });
      return;
    }
    const nowSec = Math.floor(clock.now() / 1000);
    json(res, 200, {
      data: {
        app_id: token.appId,
        type: "USER",
        application: "Tessera test app",
        data_access_expires_at: nowSec + 90 * 86_400,
        expires_at: nowSec + 3600,
        is_valid: token.valid,
        issued_at: nowSec,
        scopes: ["public_profile", "email"],
        user_id: token.user.id,
      },
    });
  }

  /** Graph's `/me`: the app's calls must carry `appsecret_proof` = HMAC-SHA256(app secret, token) in hex. */
  function graphMe(res: ServerResponse, q: URLSearchParams): void {
    const accessToken = q.get("access_token") ?? "";
    const token = graphTokens.get(accessToken);
    if (token === undefined || !token.valid) {
      oauthError(res, "Invalid OAuth access token - Cannot parse access token");
      return;
    }
    if (q.get("appsecret_proof") !== appsecretProof(accessToken)) {
      oauthError(res, "Invalid appsecret_proof provided in the API argument");
      return;
    }
    const fields = new Set((q.get("fields") ?? "id,name").split(","));
    const { user } = token;
    json(res, 200, {
      id: user.id,
      ...(fields.has("name") && user.name !== undefined ? { name: user.name } : {}),
      ...(fields.has("email") && user.email !== undefined ? { email: user.email } : {}),
      ...(fields.has("picture") && user.pictureUrl !== undefined
        ? { picture: { data: { height: 50, is_silhouette: false, url: user.pictureUrl, width: 50 } } }
        : {}),
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const fakeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuerOf = (name: string) => `${fakeUrl}/oidc/${name}`;

  const times = (o: IdTokenOptions) => {
    const now = Math.floor(clock.now() / 1000);
    return { iat: o.iat ?? now, exp: o.exp ?? now + 600 };
  };

  return {
    url: fakeUrl,
    requests,
    count: (path) => requests.filter((r) => r.path === path).length,
    countFor: (service) => requests.filter((r) => serviceOf(r.path) === service).length,
    settings: () => ({
      "social.timeout_ms": 1000,
      "social.apple.bundle_id": FAKE_APPLE_BUNDLE_ID,
      "social.apple.jwks_url": fakeUrl + FAKE_PATHS.appleKeys,
      "social.google.client_ids": FAKE_GOOGLE_CLIENT_ID,
      "social.google.jwks_url": fakeUrl + FAKE_PATHS.googleKeys,
      "social.google.token_url": fakeUrl + FAKE_PATHS.googleToken,
      "social.google.games_player_url": fakeUrl + FAKE_PATHS.playGamesPlayer,
      "google_auth.credentials_json": JSON.stringify({
        web: { client_id: FAKE_PLAY_GAMES_CLIENT.id, client_secret: FAKE_PLAY_GAMES_CLIENT.secret, token_uri: fakeUrl + FAKE_PATHS.googleToken },
      }),
      "social.facebook.app_id": FAKE_FACEBOOK_APP.id,
      "social.facebook.app_secret": FAKE_FACEBOOK_APP.secret,
      "social.facebook.graph_url": fakeUrl + FAKE_PATHS.graph,
      "social.facebook_limited_login.app_id": FAKE_FACEBOOK_APP.id,
      "social.facebook_limited_login.jwks_url": fakeUrl + FAKE_PATHS.limitedLoginKeys,
      "social.oidc": JSON.stringify(oidcNames.map((name) => ({ name, issuer: issuerOf(name), client_ids: [oidcClientId(name)] }))),
    }),
    oidcIssuer: issuerOf,
    appleToken: (o = {}) =>
      sign(
        keyOf("apple"),
        {
          iss: o.iss ?? ISSUERS.apple,
          aud: o.aud ?? FAKE_APPLE_BUNDLE_ID,
          ...times(o),
          sub: o.sub ?? randomSubject("001234"),
          nonce: o.nonce,
          nonce_supported: true,
          ...(o.email === undefined ? {} : { email: o.email, email_verified: "true", is_private_email: "false" }),
          auth_time: times(o).iat,
        },
        o,
      ),
    googleIdToken: (o = {}) =>
      sign(
        keyOf("google"),
        {
          iss: o.iss ?? ISSUERS.google,
          azp: FAKE_GOOGLE_CLIENT_ID,
          aud: o.aud ?? FAKE_GOOGLE_CLIENT_ID,
          sub: o.sub ?? numericId(),
          ...(o.email === undefined ? {} : { email: o.email, email_verified: true }),
          nonce: o.nonce,
          ...times(o),
        },
        o,
      ),
    limitedLoginToken: (o = {}) =>
      sign(
        keyOf("facebook-limited-login"),
        {
          iss: o.iss ?? ISSUERS.facebook,
          aud: o.aud ?? FAKE_FACEBOOK_APP.id,
          sub: o.sub ?? numericId(),
          jti: randomUUID(),
          nonce: o.nonce,
          email: o.email,
          ...times(o),
        },
        o,
      ),
    oidcToken: (name, o = {}) =>
      sign(
        keyOf(`oidc:${name}`),
        { iss: o.iss ?? issuerOf(name), aud: o.aud ?? oidcClientId(name), sub: o.sub ?? randomSubject(name), nonce: o.nonce, email: o.email, ...times(o) },
        o,
      ),
    facebookAccessToken(user, o = {}) {
      const token = `EAAB${randomBytes(30).toString("base64url").replace(/[-_]/g, "Z")}`;
      graphTokens.set(token, { user: { ...user }, appId: o.appId ?? FAKE_FACEBOOK_APP.id, valid: o.valid ?? true });
      return token;
    },
    playGamesCode(player) {
      const code = `4/0A${randomBytes(30).toString("base64url")}`;
      codes.set(code, { ...player });
      return code;
    },
    down(service, mode) {
      outages.set(service, mode);
    },
    up() {
      outages.clear();
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
    async rotateKeys(owner) {
      await keyOf(owner);
      const next = newKey(owner);
      keys.set(owner, next);
      await next;
    },
    setDiscoveryIssuer(name, issuer) {
      if (issuer === undefined) discoveryIssuers.delete(name);
      else discoveryIssuers.set(name, issuer);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `appsecret_proof` as Graph checks it. */
export function appsecretProof(accessToken: string, secret: string = FAKE_FACEBOOK_APP.secret): string {
  return createHmac("sha256", secret).update(accessToken).digest("hex");
}

/** `token` with one character of its signature changed (the header and claims untouched). */
export function tamperedSignature(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const i = Math.floor(signature.length / 2);
  const swapped = signature[i] === "A" ? "B" : "A";
  return `${header}.${payload}.${signature.slice(0, i)}${swapped}${signature.slice(i + 1)}`;
}

/** `token` with a claim changed but the original signature kept. */
export function tamperedClaims(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), ...change };
  return `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
}

function send(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { "Content-Type": `${type}; charset=UTF-8`, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown): void => send(res, status, JSON.stringify(body), "application/json");
