/**
 * Sign-in providers through the SDK against a real server that checks real signatures: ID tokens
 * of a local issuer (its JWKS on port 0) standing for Apple, Google, Facebook Limited Login and an
 * OpenID Connect provider, and Facebook Instant Games' signed player info under the configured app
 * secret. States, events, the cached session, linking and unlinking, the identity list, and the
 * Unity error codes with the server's messages; the request bodies of Game Center and Facebook.
 */
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  AuthenticationError,
  AuthenticationErrorCodes as Codes,
  AuthenticationService,
  AuthenticationState,
  Client,
  CommonErrorCodes,
  MemoryStorage,
  sessionTokenKey,
  type TokenStorage,
} from "../../src/index.js";
import { countEvents, deviceId, plainClient, SERVER_KEY, startTestServer, type TestServer } from "../support/helpers.js";
import { signedPlayerInfo, startTokenIssuer, type TokenIssuer } from "../support/signed-credentials.js";

const PROJECT = "tessera-provider-tests";
const KEY = sessionTokenKey(PROJECT, "default");
const BUNDLE_ID = "com.example.game";
const FB_SECRET = "instant-games-app-secret";
const GOOGLE_CLIENT = "google-client.apps.googleusercontent.com";
const FB_APP = "1234567890";

let issuer: TokenIssuer;
let server: TestServer;

before(async () => {
  issuer = await startTokenIssuer();
  server = await startTestServer({
    "social.apple.bundle_id": BUNDLE_ID,
    "social.apple.jwks_url": issuer.jwksUrl,
    "social.google.client_ids": GOOGLE_CLIENT,
    "social.google.jwks_url": issuer.jwksUrl,
    "social.facebook_limited_login.app_id": FB_APP,
    "social.facebook_limited_login.jwks_url": issuer.jwksUrl,
    "social.facebook_instant_game.app_secret": FB_SECRET,
    "social.oidc": JSON.stringify([{ name: "studio", issuer: issuer.url, client_ids: ["game"], jwks_url: issuer.jwksUrl }]),
  });
});
after(async () => {
  await server?.close();
  await issuer?.close();
});

const appleToken = (sub: string, claims: Record<string, unknown> = {}) => issuer.sign({ sub, aud: BUNDLE_ID, iss: "https://appleid.apple.com", ...claims });
const studioToken = (sub: string, claims: Record<string, unknown> = {}) => issuer.sign({ sub, aud: "game", ...claims });

function service(t: TestContext, storage: TokenStorage = new MemoryStorage()): AuthenticationService {
  const auth = new AuthenticationService({ client: plainClient(server.url), projectId: PROJECT, storage });
  t.after(() => auth.signOut());
  return auth;
}

async function rejectsWithCode(promise: Promise<unknown>, errorCode: number, status?: number): Promise<AuthenticationError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AuthenticationError, `expected an AuthenticationError, got ${String(caught)}`);
  assert.equal(caught.errorCode, errorCode, caught.message);
  if (status !== undefined) assert.equal(caught.status, status, caught.message);
  return caught;
}

describe("AuthenticationService with sign-in providers (locally signed credentials)", { concurrency: true }, () => {
  it("signInWithApple: SigningIn → Authorized, signedIn once, token cached, identities apple.com and Apple's email; the cached token resumes", async (t) => {
    const auth = service(t);
    const events = countEvents(auth);
    const sub = `001234.${randomUUID()}`;
    const email = `p-${randomUUID()}@privaterelay.appleid.com`;
    const pending = auth.signInWithApple(await appleToken(sub, { email }), { username: `apple-${sub.slice(-12)}`, vars: { platform: "ios" } });
    assert.equal(auth.state, AuthenticationState.SigningIn);
    await pending;
    assert.equal(auth.state, AuthenticationState.Authorized);
    assert.equal(auth.currentSession!.created, true);
    assert.equal(auth.playerName, `apple-${sub.slice(-12)}`);
    assert.deepEqual({ ...auth.currentSession!.vars }, { platform: "ios" });
    assert.deepEqual(events, { signedIn: 1, signedOut: 0, expired: 0, signInFailed: 0, signInCodeReceived: 0, signInCodeExpired: 0 });
    const stored = (auth as unknown as { storage: TokenStorage }).storage;
    assert.equal(stored.getItem(KEY), auth.currentSession!.refreshToken);
    assert.deepEqual((await auth.getPlayerInfo()).identities, [
      { typeId: "email", userId: email },
      { typeId: "apple.com", userId: sub },
    ]);

    const id = auth.playerId;
    await auth.signOut();
    await auth.signInAnonymously({ createAccount: false });
    assert.equal(auth.playerId, id, "the cached token resumes the Apple player");
    await auth.signOut({ clearCredentials: true });
    await auth.signInWithApple(await appleToken(sub), { createAccount: false });
    assert.equal(auth.playerId, id);
    assert.equal(auth.currentSession!.created, false);
  });

  it("a refused Apple token is InvalidToken (51) with the server's 401 message, signInFailed fires, the state is SignedOut", async (t) => {
    const auth = service(t);
    const failures: AuthenticationError[] = [];
    auth.on("signInFailed", (e) => failures.push(e));
    // Issued for another app: Nakama would take it, Tessera checks the audience.
    const otherApp = await issuer.sign({ sub: "001.x", aud: "com.other.app", iss: "https://appleid.apple.com" });
    const refused = await rejectsWithCode(auth.signInWithApple(otherApp), CommonErrorCodes.InvalidToken, 401);
    assert.equal(refused.message, "Could not authenticate Apple profile.");
    await rejectsWithCode(auth.signInWithApple(await appleToken("001.y", { nonce: "other" }), { nonce: "mine" }), CommonErrorCodes.InvalidToken, 401);
    await rejectsWithCode(auth.signInWithApple(""), Codes.InvalidParameters, 400);
    await rejectsWithCode(auth.signInWithApple(await appleToken(`001.${randomUUID()}`), { createAccount: false }), CommonErrorCodes.NotFound, 404);
    assert.deepEqual(
      failures.map((f) => f.errorCode),
      [CommonErrorCodes.InvalidToken, CommonErrorCodes.InvalidToken, Codes.InvalidParameters, CommonErrorCodes.NotFound],
    );
    assert.equal(auth.state, AuthenticationState.SignedOut);
    assert.equal(auth.sessionTokenExists, false);
    // A nonce the token carries (or its SHA-256) is accepted.
    await auth.signInWithApple(await appleToken(`001.${randomUUID()}`, { nonce: "n-1" }), { nonce: "n-1" });
    assert.equal(auth.state, AuthenticationState.Authorized);
  });

  it("signInWithFacebookInstantGame: signed player info signs in; a bad signature is a 401, not a 500; createAccount false finds no one", async (t) => {
    const auth = service(t);
    const playerId = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    await auth.signInWithFacebookInstantGame(signedPlayerInfo(FB_SECRET, playerId));
    assert.equal(auth.state, AuthenticationState.Authorized);
    assert.deepEqual((await auth.getPlayerInfo()).identities, [{ typeId: "facebook-instant-games", userId: playerId }]);
    const id = auth.playerId;
    await auth.signOut({ clearCredentials: true });

    const forged = await rejectsWithCode(auth.signInWithFacebookInstantGame(signedPlayerInfo("not-the-secret", playerId)), CommonErrorCodes.InvalidToken, 401);
    assert.equal(forged.message, "Could not authenticate Facebook Instant Game profile.");
    const stale = Math.floor(Date.now() / 1000) - 2 * 3600;
    await rejectsWithCode(auth.signInWithFacebookInstantGame(signedPlayerInfo(FB_SECRET, playerId, stale)), CommonErrorCodes.InvalidToken, 401);
    await rejectsWithCode(
      auth.signInWithFacebookInstantGame(signedPlayerInfo(FB_SECRET, "9" + playerId), { createAccount: false }),
      CommonErrorCodes.NotFound,
      404,
    );

    await auth.signInWithFacebookInstantGame(signedPlayerInfo(FB_SECRET, playerId), { createAccount: false });
    assert.equal(auth.playerId, id);
  });

  it("signInWithOidc: the provider named in the path; the identity is <name>:<sub> (not in the account JSON); an unknown name is InvalidProvider", async (t) => {
    const auth = service(t);
    const sub = randomUUID();
    await auth.signInWithOidc("studio", await studioToken(sub, { name: "Studio Player", email: `${sub}@studio.example`, email_verified: true }));
    assert.equal(auth.state, AuthenticationState.Authorized);
    const info = await auth.getPlayerInfo();
    assert.equal(info.displayName, "Studio Player", "the provider's name is the new account's display name");
    assert.deepEqual(
      info.identities,
      [{ typeId: "email", userId: `${sub}@studio.example` }],
      "a verified email becomes the email identity; OIDC itself is not in Nakama's JSON",
    );
    const identities = await server.server.core.store.listIdentities(auth.playerId!);
    assert.deepEqual(
      identities.filter((i) => i.provider === "oidc").map((i) => i.subject),
      [`studio:${sub}`],
    );

    await auth.signOut({ clearCredentials: true });
    const unknown = await rejectsWithCode(auth.signInWithOidc("nobody", await studioToken(sub)), Codes.InvalidProvider, 400);
    assert.equal(unknown.message, 'OpenID Connect provider "nobody" is not configured.');
    const wrongAud = await rejectsWithCode(
      auth.signInWithOidc("studio", await issuer.sign({ sub, aud: "another-client" })),
      CommonErrorCodes.InvalidToken,
      401,
    );
    assert.equal(wrongAud.message, "Could not authenticate studio profile.");
  });

  it("signInWithGoogle and signInWithFacebook (Limited Login) with locally signed ID tokens: google.com and facebook.com identities", async (t) => {
    const auth = service(t);
    const googleSub = String(100000 + Math.floor(Math.random() * 1e9));
    await auth.signInWithGoogle(await issuer.sign({ sub: googleSub, aud: GOOGLE_CLIENT, iss: "https://accounts.google.com" }));
    assert.deepEqual((await auth.getPlayerInfo()).identities, [{ typeId: "google.com", userId: googleSub }]);
    const fbSub = String(200000 + Math.floor(Math.random() * 1e9));
    await auth.linkFacebook(await issuer.sign({ sub: fbSub, aud: FB_APP, iss: "https://www.facebook.com" }));
    assert.deepEqual((await auth.getPlayerInfo()).identities, [
      { typeId: "google.com", userId: googleSub },
      { typeId: "facebook.com", userId: fbSub },
    ]);
    const id = auth.playerId;
    await auth.signOut({ clearCredentials: true });
    await auth.signInWithFacebook(await issuer.sign({ sub: fbSub, aud: FB_APP, iss: "https://www.facebook.com" }), { createAccount: false, sync: true });
    assert.equal(auth.playerId, id);
    await auth.unlinkGoogle();
    assert.deepEqual((await auth.getPlayerInfo()).identities, [{ typeId: "facebook.com", userId: fbSub }]);
    const refused = await rejectsWithCode(auth.signInWithGoogle("x.y.z"), Codes.ClientInvalidUserState);
    assert.match(refused.message, /Authorized/);
  });

  it("an anonymous player links Apple, then a fresh service signs in with Apple: the same player; unlink rules", async (t) => {
    const auth = service(t);
    await rejectsWithCode(auth.linkApple(await appleToken("001.nobody")), Codes.ClientNoActiveSession);
    await auth.signInAnonymously();
    const player = auth.playerId;
    const sub = `001.${randomUUID()}`;
    const linkToken = await appleToken(sub, { nonce: "link-nonce" });
    await rejectsWithCode(auth.linkApple(linkToken, { nonce: "another" }), CommonErrorCodes.InvalidToken, 401);
    await auth.linkApple(linkToken, { nonce: "link-nonce" });
    assert.deepEqual((await auth.getPlayerInfo()).identities, [{ typeId: "apple.com", userId: sub }]);

    // Another device, nothing cached: the Apple id brings the once-anonymous player back.
    const fresh = service(t);
    await fresh.signInWithApple(await appleToken(sub), { createAccount: false });
    assert.equal(fresh.playerId, player);
    assert.equal(fresh.currentSession!.created, false);

    // Another account's Apple id: AccountAlreadyLinked; unlinking one not linked here: 10005; the last identity: 10002.
    const strangerSub = `001.${randomUUID()}`;
    await plainClient(server.url).authenticateApple(await appleToken(strangerSub));
    await rejectsWithCode(auth.linkApple(await appleToken(strangerSub)), Codes.AccountAlreadyLinked, 409);
    await rejectsWithCode(auth.unlinkApple(await appleToken(strangerSub)), Codes.ClientUnlinkExternalIdNotFound, 404);
    const last = await rejectsWithCode(auth.unlinkApple(), Codes.InvalidParameters, 400);
    assert.match(last.message, /last/i);

    const device = deviceId();
    await auth.linkDevice(device);
    await auth.unlinkApple(await appleToken(sub));
    assert.deepEqual((await auth.getPlayerInfo()).identities, [{ typeId: "device", userId: device }]);
    await fresh.signOut({ clearCredentials: true });
    await rejectsWithCode(fresh.signInWithApple(await appleToken(sub), { createAccount: false }), CommonErrorCodes.NotFound, 404);
  });

  it("linkOidc, linkFacebookInstantGame and their unlinks; identities of two OpenID Connect sign-ins stay apart", async (t) => {
    const auth = service(t);
    await auth.signInWithDevice(deviceId());
    const sub = randomUUID();
    await auth.linkOidc("studio", await studioToken(sub));
    const playerId = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    await auth.linkFacebookInstantGame(signedPlayerInfo(FB_SECRET, playerId));
    const subjects = async () => (await server.server.core.store.listIdentities(auth.playerId!)).map((i) => `${i.provider}/${i.subject}`).sort();
    assert.ok((await subjects()).includes(`oidc/studio:${sub}`));
    assert.ok((await subjects()).includes(`facebookinstantgame/${playerId}`));

    const other = service(t);
    await other.signInWithOidc("studio", await studioToken(sub), { createAccount: false });
    assert.equal(other.playerId, auth.playerId, "the linked OpenID Connect identity signs the same player in");

    // Without a token nothing is checked: a name the account holds no identity of is "not linked".
    await rejectsWithCode(auth.unlinkOidc("nobody"), Codes.ClientUnlinkExternalIdNotFound, 404);
    await rejectsWithCode(auth.unlinkOidc("nobody", await studioToken(sub)), Codes.InvalidProvider, 400);
    await auth.unlinkOidc("studio");
    await auth.unlinkFacebookInstantGame(signedPlayerInfo(FB_SECRET, playerId));
    assert.deepEqual(
      (await subjects()).filter((s) => !s.startsWith("device/")),
      [],
    );
    await rejectsWithCode(auth.unlinkOidc("studio"), Codes.ClientUnlinkExternalIdNotFound, 404);
  });
});

describe("Client: the provider calls' requests", () => {
  /** A client whose requests are recorded (path with query, body) on their way to the real server. */
  function recording(): { client: Client; sent: { url: string; body: unknown }[] } {
    const sent: { url: string; body: unknown }[] = [];
    const client = new Client({
      url: server.url,
      serverKey: SERVER_KEY,
      fetch: async (input, init) => {
        const u = new URL(String(input));
        sent.push({ url: u.pathname + u.search, body: init?.body === undefined ? undefined : JSON.parse(String(init.body)) });
        return fetch(input, init);
      },
    });
    return { client, sent };
  }

  it("Game Center sends Nakama's six fields with timestamp_seconds as a string; not configured on this server: 400", async () => {
    const { client, sent } = recording();
    const signature = {
      playerId: "T:1",
      bundleId: BUNDLE_ID,
      publicKeyUrl: "https://static.gc.apple.com/public-key/gc-prod-10.cer",
      salt: "c2FsdA==",
      signature: "c2ln",
      timestamp: 1_700_000_000_123n,
    };
    await assert.rejects(client.authenticateGameCenter(signature, { create: false, username: "gc" }), {
      name: "TesseraError",
      status: 400,
      message: "GameCenter authentication is not configured.",
    });
    assert.deepEqual(sent[0], {
      url: "/v2/account/authenticate/gamecenter?create=false&username=gc",
      body: {
        player_id: "T:1",
        bundle_id: BUNDLE_ID,
        timestamp_seconds: "1700000000123",
        salt: "c2FsdA==",
        signature: "c2ln",
        public_key_url: signature.publicKeyUrl,
      },
    });
    const auth = new AuthenticationService({ client, projectId: PROJECT, storage: new MemoryStorage() });
    await rejectsWithCode(auth.signInWithGameCenter(signature), Codes.InvalidProvider, 400);
  });

  it("Facebook's sync is a query parameter; OIDC's provider name is one path segment; a nonce goes in the body", async () => {
    const { client, sent } = recording();
    await assert.rejects(client.authenticateFacebook("graph-token", { sync: true }), { status: 401 });
    assert.equal(sent[0]!.url, "/v2/account/authenticate/facebook?sync=true");
    const session = await client.authenticateOidc("studio", await studioToken(randomUUID(), { nonce: "abc" }), { nonce: "abc", vars: { k: "v" } });
    assert.equal(sent[1]!.url, "/v2/account/authenticate/oidc/studio");
    assert.deepEqual(Object.keys(sent[1]!.body as object).sort(), ["nonce", "token", "vars"]);
    assert.deepEqual({ ...session.vars }, { k: "v" });
    await assert.rejects(client.authenticateOidc("a/b", "x.y.z"), { status: 400, message: "OpenID Connect provider is not configured." });
    assert.equal(sent[2]!.url, "/v2/account/authenticate/oidc/a%2Fb");
  });
});
