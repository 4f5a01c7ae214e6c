/**
 * `AuthenticationService` against real servers with short token lifetimes: every state and
 * event of Unity Authentication's lifecycle, the automatic refresh schedule (a 4 s token refreshes
 * after 3 s and counts as expired after 3.5 s), transport failures (the server is really stopped
 * and started again on the same port and database), definitive rejections (ended sessions, bans),
 * single-flight refresh, profiles, linking, and two "tabs" sharing one storage.
 *
 * Time is moved by hand: each test's SDK runs on a `ManualTime` linked to its server's
 * `TestClock`, so both sides see the same time and nothing waits for the real clock (requests and
 * answers are real). Every test has its own server, so they run concurrently. Waits are for events
 * and states with generous time-outs; no test asserts how fast anything is.
 */
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import {
  AuthenticationError,
  AuthenticationErrorCodes as Codes,
  AuthenticationService,
  AuthenticationState,
  Client,
  CommonErrorCodes,
  MemoryStorage,
  Session,
  sessionTokenKey,
  TesseraError,
  type AuthenticationServiceOptions,
  type TokenStorage,
} from "../../src/index.js";
import { TestClock } from "../../../server/test/support/test-clock.js";
import { ManualTime } from "../support/manual-time.js";
import {
  closedPortUrl,
  countEvents,
  customId,
  deviceId,
  email,
  nextEvent,
  PASSWORD,
  plainClient,
  sleep,
  startFakeSteam,
  startTestServer,
  steamId,
  tracedClient,
  waitFor,
  type FakeSteam,
  type TestServer,
  type TracedClient,
} from "../support/helpers.js";

const PROJECT = "tessera-tests";
const KEY = sessionTokenKey(PROJECT, "default");

/** A real server that can be stopped and started again on the same port and database; `clock` is its time. */
class Server {
  private constructor(
    private current: TestServer,
    private readonly settings: Record<string, string | number | boolean>,
    readonly clock: TestClock,
  ) {}

  static async start(settings: Record<string, string | number | boolean> = {}): Promise<Server> {
    const clock = new TestClock();
    return new Server(await startTestServer(settings, undefined, { clock }), settings, clock);
  }

  get url(): string {
    return this.current.url;
  }
  get core() {
    return this.current.server.core;
  }
  stop(): Promise<void> {
    return this.current.stop();
  }
  async restart(): Promise<void> {
    const { dataDir, server } = this.current;
    this.current = await startTestServer({ ...this.settings, "socket.port": server.port }, dataDir, { clock: this.clock });
    assert.equal(this.current.url, `http://127.0.0.1:${server.port}`);
  }
  close(): Promise<void> {
    return this.current.close();
  }
}

interface Env {
  server: Server;
  /** The time of the services (and, linked, of the server): `advance` it instead of sleeping. */
  time: ManualTime;
  storage: TokenStorage;
  traced: TracedClient;
  auth: AuthenticationService;
  events: ReturnType<typeof countEvents>;
  /** A plain client on the same server, for calls beside the service. */
  other: Client;
  /** Another service on the same server (a new traced client each). */
  service(options?: Partial<AuthenticationServiceOptions>): { auth: AuthenticationService; traced: TracedClient };
}

async function env(
  t: TestContext,
  settings: Record<string, string | number | boolean> = {},
  options: Partial<AuthenticationServiceOptions> & { onRequest?: (auth: AuthenticationService, path: string) => void } = {},
): Promise<Env> {
  const server = await Server.start(settings);
  t.after(() => server.close());
  const { onRequest, ...serviceOptions } = options;
  const storage = options.storage ?? new MemoryStorage();
  const time = new ManualTime().link(server.clock);
  const service = (more: Partial<AuthenticationServiceOptions> = {}) => {
    let auth: AuthenticationService | undefined;
    const traced = tracedClient(server.url, { onRequest: (path) => auth && onRequest?.(auth, path), clock: time, timers: time });
    // Between two timers, the requests they made are answered first, as they would be in real time.
    time.waitWhile(() => traced.requests.some((r) => r.outcome === "pending"));
    auth = new AuthenticationService({ client: traced.client, projectId: PROJECT, ...serviceOptions, storage, ...more });
    return { auth, traced };
  };
  const { auth, traced } = service();
  t.after(() => auth.signOut());
  return { server, time, storage, traced, auth, events: countEvents(auth), other: plainClient(server.url), service };
}

/** Asserts that `promise` rejects with an AuthenticationError of `errorCode` (and `status`). */
async function rejectsWithCode(promise: Promise<unknown>, errorCode: number, status?: number): Promise<AuthenticationError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AuthenticationError, `expected an AuthenticationError, got ${String(caught)}`);
  assert.equal(caught.name, "AuthenticationError");
  assert.equal(caught.errorCode, errorCode, caught.message);
  if (status !== undefined) assert.equal(caught.status, status, caught.message);
  return caught;
}

function assertSignedOutState(auth: AuthenticationService): void {
  assert.equal(auth.state, AuthenticationState.SignedOut);
  assert.equal(auth.isSignedIn, false);
  assert.equal(auth.isAuthorized, false);
  assert.equal(auth.isExpired, false);
  assert.equal(auth.isRefreshing, false);
  assert.equal(auth.playerId, null);
  assert.equal(auth.playerName, null);
  assert.equal(auth.accessToken, null);
  assert.equal(auth.currentSession, null);
}

function assertAuthorizedState(auth: AuthenticationService): void {
  assert.equal(auth.state, AuthenticationState.Authorized);
  assert.equal(auth.isSignedIn, true);
  assert.equal(auth.isAuthorized, true);
  assert.equal(auth.isExpired, false);
  assert.equal(auth.isRefreshing, false);
  assert.ok(auth.currentSession instanceof Session);
  assert.equal(auth.playerId, auth.currentSession.userId);
  assert.equal(auth.playerName, auth.currentSession.username);
  assert.equal(auth.accessToken, auth.currentSession.token);
}

function assertExpiredState(auth: AuthenticationService): void {
  assert.equal(auth.state, AuthenticationState.Expired);
  assert.equal(auth.isSignedIn, true, "Expired still counts as signed in");
  assert.equal(auth.isAuthorized, false);
  assert.equal(auth.isExpired, true);
  assert.equal(auth.isRefreshing, false);
  assert.equal(auth.accessToken, null);
}

/** Whether the server accepts an access token (an ended session's tokens are 401). */
async function serverAcceptsAccessToken(client: Client, token: string): Promise<boolean> {
  try {
    await client.getAccount(token);
    return true;
  } catch (err) {
    if (err instanceof TesseraError && err.status === 401) return false;
    throw err;
  }
}

describe("AuthenticationService", { concurrency: true }, () => {
  // ---- construction and sign-in ------------------------------------------------------------------

  it("validates its options", async (t) => {
    const e = await env(t);
    assert.throws(() => new AuthenticationService(undefined as never), { name: "AuthenticationError", errorCode: Codes.InvalidParameters });
    assert.throws(() => new AuthenticationService({ projectId: "p" } as never), { errorCode: Codes.InvalidParameters });
    assert.throws(() => new AuthenticationService({ client: e.other, projectId: "" }), { errorCode: Codes.InvalidParameters });
    for (const profile of ["", "a b", "x".repeat(31), "zoë", "a.b", "a/b", "名前"]) {
      assert.throws(() => new AuthenticationService({ client: e.other, projectId: "p", profile }), { errorCode: Codes.ClientInvalidProfile }, profile);
    }
    const ok = new AuthenticationService({ client: e.other, projectId: "p", profile: "Ab_9-" + "x".repeat(25) });
    assert.equal(ok.profile, "Ab_9-" + "x".repeat(25));
    assert.equal(ok.autoRefresh, true);
    assert.equal(new AuthenticationService({ client: e.other, projectId: "p" }).profile, "default");
  });

  it("starts signed out; a device sign-in goes SigningIn → Authorized and fires signedIn once", async (t) => {
    const e = await env(t);
    const { auth } = e;
    assertSignedOutState(auth);
    assert.equal(auth.sessionTokenExists, false);
    await rejectsWithCode(auth.getAccessToken(), Codes.ClientNoActiveSession);
    await rejectsWithCode(auth.refreshAccessToken(), Codes.ClientNoActiveSession);
    await rejectsWithCode(auth.getPlayerInfo(), Codes.ClientNoActiveSession);

    const states: string[] = [];
    auth.on("signedIn", () => states.push(`signedIn@${auth.state}`));
    const id = deviceId();
    const pending = auth.signInWithDevice(id, { username: "dev-" + id.slice(4, 14), vars: { region: "eu" } });
    assert.equal(auth.state, AuthenticationState.SigningIn);
    assert.equal(auth.isSignedIn, false);
    assert.equal(auth.isAuthorized, false);
    await pending;

    assertAuthorizedState(auth);
    assert.deepEqual(states, ["signedIn@Authorized"]);
    assert.deepEqual(e.events, { signedIn: 1, signedOut: 0, expired: 0, signInFailed: 0, signInCodeReceived: 0, signInCodeExpired: 0 });
    assert.equal(auth.playerName, "dev-" + id.slice(4, 14));
    assert.deepEqual({ ...auth.currentSession!.vars }, { region: "eu" });
    assert.equal(auth.sessionTokenExists, true);
    assert.equal(e.storage.getItem(KEY), auth.currentSession!.refreshToken, "the session token is stored under {project}.{profile}.tessera.session_token");
    assert.equal(await auth.getAccessToken(), auth.currentSession!.token);
    assert.equal(e.traced.refreshes().length, 0, "a fresh token is not refreshed");
    const info = await auth.getPlayerInfo();
    assert.equal(info.id, auth.playerId);
    assert.deepEqual(info.identities, [{ typeId: "device", userId: id }]);
  });

  it("on/off: unsubscribed listeners are not called; on and off chain", async (t) => {
    const e = await env(t);
    let a = 0;
    let b = 0;
    const la = () => a++;
    const lb = () => b++;
    assert.equal(e.auth.on("signedIn", la).on("signedIn", lb), e.auth);
    await e.auth.signInWithCustom(customId());
    assert.deepEqual([a, b], [1, 1]);
    assert.equal(e.auth.off("signedIn", la), e.auth);
    await e.auth.signOut();
    await e.auth.signInAnonymously();
    assert.deepEqual([a, b], [1, 2]);
    e.auth.off("signedIn", lb).off("signedIn", lb); // twice is harmless
    await e.auth.signOut();
    await e.auth.signInAnonymously();
    assert.deepEqual([a, b], [1, 2]);
    assert.equal(e.events.signedIn, 3);
  });

  it("a listener that throws does not break the state machine or the other listeners", async (t) => {
    const e = await env(t);
    const logged = t.mock.method(console, "error", () => undefined);
    let after = 0;
    e.auth.on("signedIn", () => {
      throw new Error("listener bug");
    });
    e.auth.on("signedIn", () => after++);
    await e.auth.signInWithDevice(deviceId());
    assertAuthorizedState(e.auth);
    assert.equal(after, 1);
    assert.equal(logged.mock.callCount(), 1);
  });

  for (const provider of ["device", "email", "custom", "anonymous"] as const) {
    it(`signInAnonymously resumes the same player from the cached token after a ${provider} sign-in`, async (t) => {
      const e = await env(t);
      const { auth } = e;
      if (provider === "device") await auth.signInWithDevice(deviceId());
      else if (provider === "email") await auth.signInWithEmail(email(), PASSWORD);
      else if (provider === "custom") await auth.signInWithCustom(customId());
      else await auth.signInAnonymously();
      const player = auth.playerId;
      const sessionId = auth.currentSession!.sessionId;
      const firstToken = e.storage.getItem(KEY);

      await auth.signOut();
      assertSignedOutState(auth);
      assert.equal(auth.sessionTokenExists, true, "signOut() keeps the credentials");
      assert.equal(e.events.signedOut, 1);

      await auth.signInAnonymously({ createAccount: false });
      assertAuthorizedState(auth);
      assert.equal(auth.playerId, player);
      assert.equal(auth.currentSession!.sessionId, sessionId, "the same server session continues");
      assert.equal(e.events.signedIn, 2);
      assert.notEqual(e.storage.getItem(KEY), firstToken, "the cached token was rotated");
      assert.equal(e.storage.getItem(KEY), auth.currentSession!.refreshToken, "and the new one stored");

      // A new service on the same storage (the next launch) is the same player too.
      const relaunch = e.service().auth;
      await relaunch.signInAnonymously();
      assert.equal(relaunch.playerId, player);
      await relaunch.signOut();
    });
  }

  it("signInAnonymously without a cached token creates a new anonymous account", async (t) => {
    const e = await env(t);
    await e.auth.signInAnonymously();
    assertAuthorizedState(e.auth);
    assert.equal(e.auth.currentSession!.created, true);
    assert.deepEqual((await e.auth.getPlayerInfo()).identities, []);
    const elsewhere = new AuthenticationService({ client: e.other, projectId: PROJECT, storage: new MemoryStorage() });
    await elsewhere.signInAnonymously();
    assert.notEqual(elsewhere.playerId, e.auth.playerId, "another device is another player");
    await elsewhere.signOut();
  });

  it("signInAnonymously({createAccount:false}) without a token fails with 10001 and fires signInFailed", async (t) => {
    const e = await env(t);
    const failures: AuthenticationError[] = [];
    e.auth.on("signInFailed", (err) => failures.push(err));
    const err = await rejectsWithCode(e.auth.signInAnonymously({ createAccount: false }), Codes.ClientNoActiveSession);
    assert.deepEqual(failures, [err]);
    assertSignedOutState(e.auth);
    assert.equal(e.events.signedIn, 0);
    assert.equal(e.traced.requests.length, 0, "no account was created");
  });

  it("a failed sign-in fires signInFailed with the error and returns to SignedOut", async (t) => {
    const e = await env(t);
    const failures: AuthenticationError[] = [];
    e.auth.on("signInFailed", (err) => failures.push(err));
    const notFound = await rejectsWithCode(e.auth.signInWithDevice(deviceId(), { createAccount: false }), CommonErrorCodes.NotFound, 404);
    const bad = await rejectsWithCode(e.auth.signInWithCustom("abc"), Codes.InvalidParameters, 400);
    const addr = email();
    await e.other.authenticateEmail(addr, PASSWORD);
    const wrong = await rejectsWithCode(e.auth.signInWithEmail(addr, "wrong password!"), CommonErrorCodes.InvalidToken, 401);
    assert.deepEqual(failures, [notFound, bad, wrong]);
    assert.ok(wrong.cause instanceof TesseraError);
    assertSignedOutState(e.auth);
    assert.equal(e.auth.sessionTokenExists, false);
  });

  it("signing in while SigningIn or Authorized fails with 10000 and changes nothing", async (t) => {
    const e = await env(t);
    const pending = e.auth.signInWithDevice(deviceId());
    await rejectsWithCode(e.auth.signInAnonymously(), Codes.ClientInvalidUserState);
    await pending;
    const player = e.auth.playerId;
    const token = e.storage.getItem(KEY);
    await rejectsWithCode(e.auth.signInAnonymously(), Codes.ClientInvalidUserState);
    await rejectsWithCode(e.auth.signInWithDevice(deviceId()), Codes.ClientInvalidUserState);
    await rejectsWithCode(e.auth.signInWithEmail(email(), PASSWORD), Codes.ClientInvalidUserState);
    await rejectsWithCode(e.auth.signInWithCustom(customId()), Codes.ClientInvalidUserState);
    assertAuthorizedState(e.auth);
    assert.equal(e.auth.playerId, player);
    assert.equal(e.storage.getItem(KEY), token);
    assert.equal(e.events.signedIn, 1);
  });

  it("a revoked cached token fails the cached sign-in with 10007, fires signInFailed and is deleted", async (t) => {
    const e = await env(t);
    await e.auth.signInAnonymously();
    const lost = e.auth.playerId;
    await e.other.logout(e.auth.currentSession!, { everywhere: true });
    await e.auth.signOut();
    assert.equal(e.auth.sessionTokenExists, true);
    const err = await rejectsWithCode(e.auth.signInAnonymously(), Codes.InvalidSessionToken, 401);
    assert.equal(e.events.signInFailed, 1);
    assert.equal(e.auth.sessionTokenExists, false, "the invalid token is deleted");
    assert.ok(err.message.length > 0);
    // Without a token, the next signInAnonymously makes a new player.
    await e.auth.signInAnonymously();
    assert.notEqual(e.auth.playerId, lost);
  });

  it("a cached sign-in that cannot reach the server keeps the token; later it resumes the player", async (t) => {
    const e = await env(t);
    await e.auth.signInWithDevice(deviceId());
    const player = e.auth.playerId;
    await e.auth.signOut();
    await e.server.stop();
    await rejectsWithCode(e.auth.signInAnonymously(), CommonErrorCodes.TransportError);
    assert.equal(e.events.signInFailed, 1);
    assertSignedOutState(e.auth);
    assert.equal(e.auth.sessionTokenExists, true, "a transport error is no reason to forget the player");
    await e.server.restart();
    await e.auth.signInAnonymously({ createAccount: false });
    assert.equal(e.auth.playerId, player);
  });

  // ---- sign-out, clearing, profiles ----------------------------------------------------------------

  it("signOut() keeps the credentials and the server session; a second signOut fires nothing", async (t) => {
    const e = await env(t);
    await e.auth.signInWithCustom(customId());
    const access = e.auth.accessToken!;
    await e.auth.signOut();
    assertSignedOutState(e.auth);
    assert.equal(e.auth.sessionTokenExists, true);
    assert.equal(await serverAcceptsAccessToken(e.other, access), true, "the server session lives on");
    await e.auth.signOut();
    assert.equal(e.events.signedOut, 1);
  });

  it("signOut({clearCredentials:true}) clears the token and ends the server session", async (t) => {
    const e = await env(t);
    await e.auth.signInAnonymously();
    const session = e.auth.currentSession!;
    await e.auth.signOut({ clearCredentials: true });
    assertSignedOutState(e.auth);
    assert.equal(e.auth.sessionTokenExists, false);
    assert.equal(e.storage.getItem(KEY), null);
    assert.equal(e.events.signedOut, 1);
    await assert.rejects(e.other.refreshSession(session.refreshToken), { name: "TesseraError", status: 401 });
    assert.equal(await serverAcceptsAccessToken(e.other, session.token), false);
  });

  it("signOut() while a provider sign-in is on its way ends the session that answer created", async (t) => {
    const e = await env(t);
    const id = deviceId();
    const pending = e.auth.signInWithDevice(id);
    await e.auth.signOut();
    await assert.rejects(pending, (err: unknown) => err instanceof AuthenticationError && err.errorCode === 10000);
    assertSignedOutState(e.auth);
    assert.equal(e.auth.sessionTokenExists, false);
    // Nobody holds that session's tokens any more: it must not linger on the server.
    const probe = await e.other.authenticateDevice(id);
    let others: string[] = [];
    for (let i = 0; i < 50; i++) {
      others = (await e.other.listSessions(probe)).filter((s) => !s.current).map((s) => s.id);
      if (others.length === 0) break;
      await sleep(50);
    }
    assert.deepEqual(others, [], "the orphaned session was ended");
  });

  it("signOut({clearCredentials:true}) after the access token expired still ends the server session", async (t) => {
    const e = await env(t, { "session.token_expiry_sec": 2 }, { autoRefresh: false });
    await e.auth.signInWithDevice(deviceId());
    const session = e.auth.currentSession!;
    const expired = nextEvent(e.auth, "expired");
    await e.time.advance(2_000);
    await expired;
    // Past the token's own exp (plus the one-second granularity of exp), the access token is refused.
    await e.time.advanceUntil(() => e.time.now() / 1000 > session.expiresAt + 1, "the access token's exp", 5_000);
    assert.equal(await serverAcceptsAccessToken(e.other, session.token), false);
    await e.auth.signOut({ clearCredentials: true });
    assert.equal(e.auth.sessionTokenExists, false);
    await assert.rejects(
      e.other.refreshSession(session.refreshToken),
      { name: "TesseraError", status: 401 },
      "the refresh token must not outlive clearing the credentials",
    );
  });

  it("clearSessionToken only while signed out (10000 otherwise); the anonymous player is then lost", async (t) => {
    const e = await env(t, { "session.token_expiry_sec": 2 }, { autoRefresh: false });
    await e.auth.signInAnonymously();
    const lost = e.auth.playerId;
    assert.throws(() => e.auth.clearSessionToken(), { name: "AuthenticationError", errorCode: Codes.ClientInvalidUserState });
    assert.equal(e.auth.sessionTokenExists, true);
    const expired = nextEvent(e.auth, "expired");
    await e.time.advance(2_000);
    await expired;
    assert.throws(() => e.auth.clearSessionToken(), { errorCode: Codes.ClientInvalidUserState }, "not while Expired either");
    await e.auth.signOut();
    assert.equal(e.auth.sessionTokenExists, true);
    e.auth.clearSessionToken();
    assert.equal(e.auth.sessionTokenExists, false);
    assert.equal(e.storage.getItem(KEY), null);
    e.auth.clearSessionToken(); // nothing to clear: fine
    await e.auth.signInAnonymously();
    assert.notEqual(e.auth.playerId, lost);
  });

  it("profiles: invalid names are 10006, switching needs SignedOut, two profiles keep two players", async (t) => {
    const e = await env(t);
    const { auth, storage } = e;
    for (const bad of ["", "has space", "x".repeat(31), "ünï", "a.b", null, 7]) {
      assert.throws(() => auth.switchProfile(bad as string), { errorCode: Codes.ClientInvalidProfile }, String(bad));
    }
    assert.equal(auth.profile, "default");

    await auth.signInAnonymously();
    const first = auth.playerId;
    assert.throws(() => auth.switchProfile("second"), { errorCode: Codes.ClientInvalidUserState });
    assert.throws(() => auth.switchProfile("bad name"), { errorCode: Codes.ClientInvalidProfile });
    assert.equal(auth.profile, "default");

    await auth.signOut();
    auth.switchProfile("second");
    assert.equal(auth.profile, "second");
    assert.equal(auth.sessionTokenExists, false, "the new profile has no token yet");
    await auth.signInAnonymously();
    const second = auth.playerId;
    assert.notEqual(second, first);
    assert.equal(storage.getItem(sessionTokenKey(PROJECT, "second")), auth.currentSession!.refreshToken);

    await auth.signOut();
    auth.switchProfile("default");
    await auth.signInAnonymously({ createAccount: false });
    assert.equal(auth.playerId, first);
    await auth.signOut();
    auth.switchProfile("second");
    await auth.signInAnonymously({ createAccount: false });
    assert.equal(auth.playerId, second);

    // Clearing one profile leaves the other.
    await auth.signOut({ clearCredentials: true });
    assert.equal(storage.getItem(sessionTokenKey(PROJECT, "second")), null);
    assert.notEqual(storage.getItem(sessionTokenKey(PROJECT, "default")), null);
    // Another project in the same storage does not see these tokens.
    const otherGame = new AuthenticationService({ client: e.other, projectId: "another-game", storage });
    assert.equal(otherGame.sessionTokenExists, false);
  });

  // ---- automatic refresh ---------------------------------------------------------------------------

  it("refreshes automatically before expiry: Refreshing during the call, Authorized after, token rotated and stored, no signedIn", async (t) => {
    const statesAtRefresh: string[] = [];
    const e = await env(
      t,
      { "session.token_expiry_sec": 4 },
      {
        onRequest: (auth, path) => {
          if (path === "/v2/account/session/refresh")
            statesAtRefresh.push(`${auth.state}/${auth.isRefreshing}/${auth.isAuthorized}/${auth.accessToken !== null}`);
        },
      },
    );
    await e.auth.signInWithDevice(deviceId());
    const first = e.auth.currentSession!;
    const stored: string[] = [e.storage.getItem(KEY)!];
    await e.time.advanceUntil(() => e.traced.refreshes().length >= 2 && e.auth.state === AuthenticationState.Authorized, "two automatic refreshes", 15_000);
    stored.push(e.storage.getItem(KEY)!);

    assert.deepEqual(statesAtRefresh.slice(0, 2), ["Refreshing/true/true/true", "Refreshing/true/true/true"], "usable while refreshing");
    assert.ok(e.traced.refreshes().every((r) => r.outcome === 200 || r.outcome === "pending"));
    assertAuthorizedState(e.auth);
    const now = e.auth.currentSession!;
    assert.equal(now.userId, first.userId);
    assert.equal(now.sessionId, first.sessionId);
    assert.notEqual(now.token, first.token, "a new access token");
    assert.ok(now.issuedAt > first.issuedAt);
    assert.notEqual(stored[1], stored[0], "the stored session token rotated");
    assert.equal(e.storage.getItem(KEY), now.refreshToken, "and the new one is persisted");
    assert.deepEqual(e.events, { signedIn: 1, signedOut: 0, expired: 0, signInFailed: 0, signInCodeReceived: 0, signInCodeExpired: 0 });
    assert.equal((await e.auth.getPlayerInfo()).id, first.userId, "the refreshed token works");
    assert.equal(await serverAcceptsAccessToken(e.other, now.token), true);
  });

  it("a transport failure at refresh time ends in Expired at about the expiry point; after the restart getAccessToken refreshes", async (t) => {
    const e = await env(t, { "session.token_expiry_sec": 4 });
    const states: string[] = [];
    e.auth.on("expired", () => states.push(e.auth.state));
    await e.auth.signInWithDevice(deviceId());
    const signedInAt = e.time.now();
    const player = e.auth.playerId;
    const expired = nextEvent(e.auth, "expired", 20_000, e.time);
    await e.server.stop();

    await e.time.advance(4_000);
    const expiredAt = await expired;
    assert.deepEqual(states, ["Expired"]);
    assert.ok(expiredAt - signedInAt >= 3_400, `expired after ${expiredAt - signedInAt} ms, not before the 3.5 s expiry point`);
    assertExpiredState(e.auth);
    assert.equal(e.auth.playerId, player, "still signed in as the same player");
    assert.equal(e.auth.sessionTokenExists, true, "a transport error does not delete the token");
    const failed = e.traced.refreshes().filter((r) => r.outcome === "error").length;
    assert.ok(failed >= 2, `refresh was retried (${failed} attempts)`);
    await e.time.advance(500);
    const attemptsWhenExpired = e.traced.refreshes().length;
    await e.time.advance(400);
    assert.equal(e.traced.refreshes().length, attemptsWhenExpired, "no more automatic retries once expired");

    // Still down: getAccessToken tries, fails with a transport error, stays Expired (no second event).
    await rejectsWithCode(e.auth.getAccessToken(), CommonErrorCodes.TransportError);
    assertExpiredState(e.auth);

    await e.server.restart();
    const token = await e.auth.getAccessToken();
    assertAuthorizedState(e.auth);
    assert.equal(token, e.auth.currentSession!.token);
    assert.equal(e.auth.playerId, player);
    assert.equal(e.storage.getItem(KEY), e.auth.currentSession!.refreshToken);
    assert.equal((await e.other.getAccount(token)).user.id, player);
    assert.deepEqual(e.events, { signedIn: 1, signedOut: 0, expired: 1, signInFailed: 0, signInCodeReceived: 0, signInCodeExpired: 0 });
  });

  it("a server back within the retry window: the retry succeeds and the session never expires", async (t) => {
    // 16 s token: refresh after 12 s, expired after 14 s, retries every 0.5 s.
    const e = await env(t, { "session.token_expiry_sec": 16 });
    await e.auth.signInWithCustom(customId());
    const first = e.auth.currentSession!;
    await e.server.stop();
    await e.time.advanceUntil(() => e.traced.refreshes().some((r) => r.outcome === "error"), "a failed refresh", 30_000);
    assert.equal(e.auth.state, AuthenticationState.Authorized, "still Authorized between retries");
    assert.equal(e.auth.accessToken, first.token);
    await e.server.restart();
    await e.time.advanceUntil(() => e.traced.refreshes().some((r) => r.outcome === 200), "a successful retry", 30_000);
    await waitFor(() => e.auth.state === AuthenticationState.Authorized, "Authorized");
    assertAuthorizedState(e.auth);
    assert.notEqual(e.auth.currentSession!.refreshToken, first.refreshToken);
    assert.equal(e.storage.getItem(KEY), e.auth.currentSession!.refreshToken);
    assert.equal(e.events.expired, 0);
    assert.equal(e.events.signedIn, 1);
  });

  it("a definitive rejection (session ended elsewhere) expires at once with 10007 and deletes the token", async (t) => {
    const e = await env(t, { "session.token_expiry_sec": 4 });
    const id = deviceId();
    await e.auth.signInWithDevice(id);
    const elsewhere = await e.other.authenticateDevice(id);
    await e.other.endSession(elsewhere, e.auth.currentSession!.sessionId);

    const snapshot: { state: string; tokenExists: boolean; refreshOutcome: unknown }[] = [];
    e.auth.on("expired", () =>
      snapshot.push({ state: e.auth.state, tokenExists: e.auth.sessionTokenExists, refreshOutcome: e.traced.refreshes().at(-1)?.outcome }),
    );
    const expired = nextEvent(e.auth, "expired");
    await e.time.advance(3_000);
    await expired;
    assert.deepEqual(snapshot, [{ state: "Expired", tokenExists: false, refreshOutcome: 401 }], "fired by the rejected refresh itself");
    assert.equal(e.traced.refreshes().length, 1, "no retries after a rejection");
    assertExpiredState(e.auth);
    assert.equal(e.auth.sessionTokenExists, false);
    await sleep(0); // let the failed refresh settle (the event fires inside it)
    await rejectsWithCode(e.auth.refreshAccessToken(), Codes.ClientNoActiveSession);
    await rejectsWithCode(e.auth.getAccessToken(), Codes.ClientNoActiveSession);
    // Signing in again is allowed from Expired.
    await e.auth.signInWithDevice(id, { createAccount: false });
    assertAuthorizedState(e.auth);
  });

  it("refreshAccessToken after logout everywhere rejects with 10007, with expired already fired", async (t) => {
    const e = await env(t);
    await e.auth.signInWithCustom(customId());
    await e.other.logout(e.auth.currentSession!, { everywhere: true });
    let firedBeforeRejection = false;
    const refresh = e.auth.refreshAccessToken();
    e.auth.on("expired", () => (firedBeforeRejection = true));
    await rejectsWithCode(refresh, Codes.InvalidSessionToken, 401);
    assert.equal(firedBeforeRejection, true);
    assert.equal(e.events.expired, 1);
    assertExpiredState(e.auth);
    assert.equal(e.auth.sessionTokenExists, false);
  });

  it("a banned account: the refresh is rejected (10009), expired fires, the token goes; sign-in fails too", async (t) => {
    const e = await env(t);
    const id = deviceId();
    await e.auth.signInWithDevice(id);
    const userId = e.auth.playerId!;
    assert.equal(await e.server.core.store.setDisableTime(userId, Date.now(), Date.now()), true);
    await rejectsWithCode(e.auth.refreshAccessToken(), Codes.BannedUser, 403);
    assert.equal(e.events.expired, 1);
    assertExpiredState(e.auth);
    assert.equal(e.auth.sessionTokenExists, false);
    await rejectsWithCode(e.auth.signInWithDevice(id), Codes.BannedUser, 403);
    assert.equal(e.events.signInFailed, 1);
    assertSignedOutState(e.auth);
  });

  it("a player call on an ended session tries one refresh, which is rejected: Expired", async (t) => {
    const e = await env(t);
    const id = customId();
    await e.auth.signInWithCustom(id);
    const elsewhere = await e.other.authenticateCustom(id);
    await e.other.endSession(elsewhere, e.auth.currentSession!.sessionId);
    await rejectsWithCode(e.auth.getPlayerInfo(), Codes.InvalidSessionToken);
    assert.equal(e.traced.refreshes().length, 1);
    assertExpiredState(e.auth);
    assert.equal(e.events.expired, 1);
  });

  it("single-flight: 10 concurrent refreshAccessToken() calls make one server refresh", async (t) => {
    const e = await env(t);
    await e.auth.signInAnonymously();
    const before = e.auth.currentSession!;
    const calls = Array.from({ length: 10 }, () => e.auth.refreshAccessToken());
    assert.equal(e.auth.state, AuthenticationState.Refreshing);
    const tokens = await Promise.all([...calls.map((c) => c.then(() => e.auth.currentSession!.refreshToken)), e.auth.getAccessToken()]);
    assert.equal(e.traced.refreshes().length, 1);
    assert.equal(new Set(tokens.slice(0, 10)).size, 1, "everyone sees the one new token");
    assert.notEqual(tokens[0], before.refreshToken);
    assert.equal(tokens[10], e.auth.currentSession!.token, "getAccessToken waited for the refresh");
    assert.equal(e.storage.getItem(KEY), tokens[0]);
    assertAuthorizedState(e.auth);
    // And the next call makes a new request.
    await e.auth.refreshAccessToken();
    assert.equal(e.traced.refreshes().length, 2);
  });

  it("autoRefresh:false never refreshes on its own; the token expires; refreshAccessToken() then works", async (t) => {
    const e = await env(t, { "session.token_expiry_sec": 4 }, { autoRefresh: false });
    assert.equal(e.auth.autoRefresh, false);
    await e.auth.signInWithDevice(deviceId());
    const first = e.auth.currentSession!;
    assert.equal(await e.auth.getAccessToken(), first.token, "fresh: no refresh");
    const expired = nextEvent(e.auth, "expired");
    await e.time.advance(3_500);
    await expired;
    assertExpiredState(e.auth);
    assert.equal(e.traced.refreshes().length, 0, "no automatic refresh");
    assert.equal(e.storage.getItem(KEY), first.refreshToken);

    await e.auth.refreshAccessToken();
    assertAuthorizedState(e.auth);
    assert.notEqual(e.auth.currentSession!.refreshToken, first.refreshToken);
    assert.equal(e.storage.getItem(KEY), e.auth.currentSession!.refreshToken);
    assert.equal((await e.auth.getPlayerInfo()).id, first.userId);

    // Past the refresh point, getAccessToken refreshes first.
    const second = e.auth.currentSession!;
    await e.time.advance(3_100);
    const token = await e.auth.getAccessToken();
    assert.equal(e.traced.refreshes().length, 2);
    assert.notEqual(e.auth.currentSession!.refreshToken, second.refreshToken);
    assert.equal(token, e.auth.currentSession!.token);
    assert.equal(e.events.signedIn, 1);
  });

  // ---- player calls --------------------------------------------------------------------------------

  it("link and unlink through the service; getPlayerInfo lists the identities", async (t) => {
    const e = await env(t);
    const { auth } = e;
    await rejectsWithCode(auth.linkDevice(deviceId()), Codes.ClientNoActiveSession);
    await auth.signInAnonymously();
    const player = auth.playerId;
    const dev = deviceId();
    const cust = customId();
    const addr = email();
    await auth.linkDevice(dev);
    await auth.linkCustom(cust);
    await auth.linkEmail(addr, PASSWORD);
    const info = await auth.getPlayerInfo();
    assert.equal(info.id, player);
    assert.equal(info.username, auth.playerName);
    assert.ok(info.createdAt instanceof Date && !Number.isNaN(info.createdAt.getTime()));
    assert.equal(info.displayName, undefined);
    assert.deepEqual(info.identities, [
      { typeId: "device", userId: dev },
      { typeId: "email", userId: addr },
      { typeId: "custom", userId: cust },
    ]);
    await e.other.updateAccount(auth.accessToken!, { display_name: "Zoë" });
    assert.equal((await auth.getPlayerInfo()).displayName, "Zoë");

    // Identities of another account: 409 → AccountAlreadyLinked.
    const stranger = await e.other.authenticateDevice(deviceId());
    const strangerDevice = (await e.other.getAccount(stranger)).devices![0]!.id;
    await rejectsWithCode(auth.linkDevice(strangerDevice), Codes.AccountAlreadyLinked, 409);
    const strangerEmail = email();
    await e.other.linkEmail(stranger, strangerEmail, PASSWORD);
    await rejectsWithCode(auth.linkEmail(strangerEmail, PASSWORD), Codes.AccountAlreadyLinked, 409);
    const strangerCustom = customId();
    await e.other.linkCustom(stranger, strangerCustom);
    await rejectsWithCode(auth.linkCustom(strangerCustom), Codes.AccountAlreadyLinked, 409);

    // Unlinking what is not linked: 404 → ClientUnlinkExternalIdNotFound.
    await rejectsWithCode(auth.unlinkDevice(deviceId()), Codes.ClientUnlinkExternalIdNotFound, 404);
    await rejectsWithCode(auth.unlinkCustom(customId()), Codes.ClientUnlinkExternalIdNotFound, 404);
    await rejectsWithCode(auth.unlinkEmail(email()), Codes.ClientUnlinkExternalIdNotFound, 404);

    await auth.unlinkCustom(cust);
    await auth.unlinkEmail(addr);
    assert.deepEqual((await auth.getPlayerInfo()).identities, [{ typeId: "device", userId: dev }]);
    await rejectsWithCode(auth.unlinkDevice(dev), Codes.InvalidParameters, 400);

    // The linked device brings the once-anonymous player back after the credentials are gone.
    await auth.signOut({ clearCredentials: true });
    await auth.signInWithDevice(dev, { createAccount: false });
    assert.equal(auth.playerId, player);
  });

  it("listSessions and endSession through the service", async (t) => {
    const e = await env(t);
    const id = deviceId();
    await e.auth.signInWithDevice(id);
    const elsewhere = await e.other.authenticateDevice(id);
    const sessions = await e.auth.listSessions();
    assert.deepEqual(sessions.map((s) => s.id).sort(), [e.auth.currentSession!.sessionId, elsewhere.sessionId].sort());
    assert.deepEqual(
      sessions.filter((s) => s.current).map((s) => s.id),
      [e.auth.currentSession!.sessionId],
    );
    await e.auth.endSession(elsewhere.sessionId);
    assert.equal(await serverAcceptsAccessToken(e.other, elsewhere.token), false);
    await rejectsWithCode(e.auth.endSession(elsewhere.sessionId), CommonErrorCodes.NotFound, 404);
    assertAuthorizedState(e.auth);
  });

  it("deleteAccount deletes the server account and signs out with the credentials cleared", async (t) => {
    const e = await env(t);
    const dev = deviceId();
    await e.auth.signInWithDevice(dev);
    const session = e.auth.currentSession!;
    await e.auth.deleteAccount();
    assertSignedOutState(e.auth);
    assert.equal(e.auth.sessionTokenExists, false);
    assert.equal(e.events.signedOut, 1);
    await assert.rejects(e.other.authenticateDevice(dev, { create: false }), { name: "TesseraError", status: 404 });
    assert.equal(await serverAcceptsAccessToken(e.other, session.token), false);
    await assert.rejects(e.other.refreshSession(session.refreshToken), { name: "TesseraError", status: 401 });
    await rejectsWithCode(e.auth.deleteAccount(), Codes.ClientNoActiveSession);
  });

  // ---- several tabs, late answers ------------------------------------------------------------------

  it("two tabs sharing one storage and profile refresh at the same moment and both stay signed in", async (t) => {
    const e = await env(t, { "session.token_expiry_sec": 4 });
    await e.auth.signInAnonymously();
    await e.auth.signOut(); // one cached token, as after a page load

    const a = e.service();
    const b = e.service();
    const events = [countEvents(a.auth), countEvents(b.auth)];
    t.after(() => Promise.all([a.auth.signOut(), b.auth.signOut()]));
    await Promise.all([a.auth.signInAnonymously(), b.auth.signInAnonymously()]);
    assert.equal(a.auth.playerId, b.auth.playerId);
    assert.equal(a.auth.currentSession!.sessionId, b.auth.currentSession!.sessionId);

    for (let round = 0; round < 4; round++) {
      await Promise.all([a.auth.refreshAccessToken(), b.auth.refreshAccessToken()]);
      assertAuthorizedState(a.auth);
      assertAuthorizedState(b.auth);
      assert.equal(a.auth.currentSession!.refreshToken, b.auth.currentSession!.refreshToken, `round ${round}: one outcome`);
      assert.equal(e.storage.getItem(KEY), a.auth.currentSession!.refreshToken);
    }

    // Their timers now coincide (both adopted the same tokens at the same moment): let them run.
    const base = [a.traced.refreshes().length, b.traced.refreshes().length];
    await e.time.advanceUntil(
      () =>
        a.traced.refreshes().length >= base[0]! + 2 &&
        b.traced.refreshes().length >= base[1]! + 2 &&
        a.auth.state === "Authorized" &&
        b.auth.state === "Authorized",
      "two automatic refreshes in each tab",
      15_000,
    );
    for (const [i, tab] of [a, b].entries()) {
      assert.ok(
        tab.traced.refreshes().every((r) => r.outcome === 200 || r.outcome === "pending"),
        `tab ${i}: every refresh succeeded`,
      );
      assert.deepEqual(
        events[i],
        { signedIn: 1, signedOut: 0, expired: 0, signInFailed: 0, signInCodeReceived: 0, signInCodeExpired: 0 },
        `tab ${i}: never expired`,
      );
      assertAuthorizedState(tab.auth);
    }
    // The server session is alive: the stored token refreshes, both access tokens work.
    await a.auth.refreshAccessToken();
    await b.auth.refreshAccessToken();
    assert.equal(await serverAcceptsAccessToken(e.other, a.auth.accessToken!), true);
    assert.equal(await serverAcceptsAccessToken(e.other, b.auth.accessToken!), true);
    assert.equal((await a.auth.listSessions()).length, 1);
  });

  it("a tab refreshing later uses the other tab's newer stored token (no reuse detection)", async (t) => {
    // A 1 s grace window: a rotated-out token presented after it would revoke the session.
    const e = await env(t, { "session.refresh_reuse_grace_sec": 1 }, { autoRefresh: false });
    await e.auth.signInWithDevice(deviceId());
    const b = e.service();
    t.after(() => b.auth.signOut());
    await b.auth.signInAnonymously();
    assert.equal(b.auth.playerId, e.auth.playerId);

    for (let round = 0; round < 3; round++) {
      const staleInA = e.auth.currentSession!.refreshToken;
      await b.auth.refreshAccessToken();
      assert.notEqual(e.storage.getItem(KEY), staleInA);
      await e.time.advance(1_300); // past the grace window
      await e.auth.refreshAccessToken();
      assertAuthorizedState(e.auth);
      assert.equal(e.auth.playerId, b.auth.playerId);
      // And the other way round.
      const staleInB = b.auth.currentSession!.refreshToken;
      assert.notEqual(e.storage.getItem(KEY), staleInB);
      await e.auth.refreshAccessToken();
      await b.auth.refreshAccessToken();
      assertAuthorizedState(b.auth);
    }
    assert.equal(e.events.expired, 0);
    assert.equal(await serverAcceptsAccessToken(e.other, e.auth.accessToken!), true);
  });

  it("a refresh answer that arrives late never overwrites a newer stored token", async (t) => {
    // Tab A's refresh answer is held back (a slow network) while tab B refreshes twice.
    let holdA = false;
    let answeredA = false;
    let releaseA: () => void = () => undefined;
    const server = await Server.start({ "session.refresh_reuse_grace_sec": 1 });
    t.after(() => server.close());
    const storage = new MemoryStorage();
    const slowFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (holdA && String(input).endsWith("/v2/account/session/refresh")) {
        answeredA = true;
        await new Promise<void>((r) => (releaseA = r));
      }
      return res;
    };
    const a = new AuthenticationService({
      client: new Client({ url: server.url, serverKey: "defaultkey", fetch: slowFetch }),
      projectId: PROJECT,
      storage,
      autoRefresh: false,
    });
    const b = new AuthenticationService({ client: plainClient(server.url), projectId: PROJECT, storage, autoRefresh: false });
    t.after(() => Promise.all([a.signOut(), b.signOut()]));
    await a.signInWithDevice(deviceId());
    await b.signInAnonymously();

    holdA = true;
    const late = a.refreshAccessToken(); // rotates on the server; the answer waits
    await waitFor(() => answeredA, "the server's answer to A");
    await b.refreshAccessToken(); // a duplicate of A's rotation
    await b.refreshAccessToken(); // a real rotation: storage now holds the newest token
    const newest = b.currentSession!.refreshToken;
    assert.equal(storage.getItem(KEY), newest);
    holdA = false;
    releaseA();
    await late;
    assert.equal(storage.getItem(KEY), newest, "A's late answer must not replace B's newer token");

    server.clock.advance(1_300); // past the grace window
    await a.refreshAccessToken();
    await b.refreshAccessToken();
    assertAuthorizedState(a);
    assertAuthorizedState(b);
  });

  it("signOut() while a refresh is in flight still leaves a usable stored token", async (t) => {
    const e = await env(t, { "session.refresh_reuse_grace_sec": 1 }, { autoRefresh: false });
    await e.auth.signInWithCustom(customId());
    const player = e.auth.playerId;
    const refresh = e.auth.refreshAccessToken(); // the request is on its way
    await e.auth.signOut();
    await refresh.catch(() => undefined);
    await waitFor(() => e.traced.refreshes().every((r) => r.outcome !== "pending"), "the refresh answer");
    await e.time.advance(1_300); // past the grace window: a rotated-out stored token would now revoke the session
    await e.auth.signInAnonymously({ createAccount: false });
    assert.equal(e.auth.playerId, player);
    assertAuthorizedState(e.auth);
  });

  it("signOut() while a cached sign-in is in flight still leaves a usable stored token", async (t) => {
    const e = await env(t, { "session.refresh_reuse_grace_sec": 1 }, { autoRefresh: false });
    await e.auth.signInWithCustom(customId());
    const player = e.auth.playerId;
    await e.auth.signOut();
    const signIn = e.auth.signInAnonymously(); // a refresh with the cached token is on its way
    await e.auth.signOut();
    await rejectsWithCode(signIn, Codes.ClientInvalidUserState);
    await e.time.advance(1_300);
    await e.auth.signInAnonymously({ createAccount: false });
    assert.equal(e.auth.playerId, player);
  });

  it("works with any TokenStorage implementation (a plain object)", async (t) => {
    const map = new Map<string, string>();
    const storage: TokenStorage = {
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => (v === null ? map.delete(k) : map.set(k, v)) && undefined,
    };
    const e = await env(t, {}, { storage });
    await e.auth.signInWithDevice(deviceId());
    assert.deepEqual([...map.keys()], [KEY]);
    await e.auth.signOut({ clearCredentials: true });
    assert.equal(map.size, 0);
  });
});

describe("AuthenticationService with Steam (a fake Steam Web API)", { concurrency: true }, () => {
  let steam: FakeSteam;
  before(async () => {
    steam = await startFakeSteam();
  });
  after(() => steam.close());

  it("signInWithSteam: SigningIn → Authorized, signedIn once, token cached; signInAnonymously resumes the Steam player", async (t) => {
    const e = await env(t, steam.settings());
    const player = { steamId: steamId() };
    const pending = e.auth.signInWithSteam(steam.ticketFor(player), { username: "steam-" + player.steamId.slice(-8), vars: { platform: "steam" } });
    assert.equal(e.auth.state, AuthenticationState.SigningIn);
    await pending;
    assertAuthorizedState(e.auth);
    assert.equal(e.auth.currentSession!.created, true);
    assert.equal(e.auth.playerName, "steam-" + player.steamId.slice(-8));
    assert.deepEqual({ ...e.auth.currentSession!.vars }, { platform: "steam" });
    assert.deepEqual(e.events, { signedIn: 1, signedOut: 0, expired: 0, signInFailed: 0, signInCodeReceived: 0, signInCodeExpired: 0 });
    assert.equal(e.storage.getItem(KEY), e.auth.currentSession!.refreshToken);
    assert.deepEqual((await e.auth.getPlayerInfo()).identities, [{ typeId: "steam", userId: player.steamId }]);
    const id = e.auth.playerId;

    await e.auth.signOut();
    await e.auth.signInAnonymously({ createAccount: false });
    assert.equal(e.auth.playerId, id, "the cached token resumes the Steam player");
    await e.auth.signOut({ clearCredentials: true });
    await e.auth.signInWithSteam(steam.ticketFor(player), { createAccount: false });
    assert.equal(e.auth.playerId, id, "a new ticket signs the same player in");
    assert.equal(e.auth.currentSession!.created, false);
  });

  it("signInWithSteam failures: Unity codes, signInFailed, back to SignedOut", async (t) => {
    const e = await env(t, steam.settings());
    const failures: AuthenticationError[] = [];
    e.auth.on("signInFailed", (err) => failures.push(err));
    const refused = await rejectsWithCode(e.auth.signInWithSteam("ab".repeat(40)), CommonErrorCodes.InvalidToken, 401);
    assert.equal(refused.message, "Could not authenticate Steam profile.");
    assertSignedOutState(e.auth);
    await rejectsWithCode(e.auth.signInWithSteam(steam.ticketFor({ steamId: steamId(), publisherBanned: true })), Codes.BannedUser, 403);
    await rejectsWithCode(e.auth.signInWithSteam("not a ticket"), Codes.InvalidParameters, 400);
    await rejectsWithCode(e.auth.signInWithSteam(steam.ticketFor({ steamId: steamId() }), { createAccount: false }), CommonErrorCodes.NotFound, 404);
    assert.equal(failures.length, 4);
    assert.deepEqual(
      failures.map((f) => f.errorCode),
      [CommonErrorCodes.InvalidToken, Codes.BannedUser, Codes.InvalidParameters, CommonErrorCodes.NotFound],
    );
    assertSignedOutState(e.auth);
    assert.equal(e.auth.sessionTokenExists, false);
  });

  it("a VAC ban refused by the server is BannedUser; Steam unreachable is ServiceUnavailable; no Steam on the server is InvalidProvider", async (t) => {
    const vac = await env(t, { ...steam.settings(), "social.steam.refuse_vac_banned": true });
    await rejectsWithCode(vac.auth.signInWithSteam(steam.ticketFor({ steamId: steamId(), vacBanned: true })), Codes.BannedUser, 403);

    const down = await env(t, { ...steam.settings(), "social.steam.api_url": await closedPortUrl() });
    const unavailable = await rejectsWithCode(down.auth.signInWithSteam(steam.ticketFor({ steamId: steamId() })), CommonErrorCodes.ServiceUnavailable, 503);
    assert.match(unavailable.message, /^Steam is unavailable/);

    const none = await env(t);
    await rejectsWithCode(none.auth.signInWithSteam(steam.ticketFor({ steamId: steamId() })), Codes.InvalidProvider, 400);
    await none.auth.signInAnonymously();
    await rejectsWithCode(none.auth.linkSteam(steam.ticketFor({ steamId: steamId() })), Codes.InvalidProvider, 400);
  });

  it("linkSteam and unlinkSteam: an anonymous player keeps their account through Steam", async (t) => {
    const e = await env(t, steam.settings());
    await rejectsWithCode(e.auth.linkSteam(steam.ticketFor({ steamId: steamId() })), Codes.ClientNoActiveSession);
    await e.auth.signInAnonymously();
    const player = e.auth.playerId;
    const mine = { steamId: steamId(), ownerSteamId: steamId() };
    await e.auth.linkSteam(steam.ticketFor(mine));
    assert.deepEqual((await e.auth.getPlayerInfo()).identities, [{ typeId: "steam", userId: mine.steamId }]);
    // What Steam said is the profile of the account's `steam` identity.
    const account = (await e.server.core.store.findAccountByIdentity({ provider: "steam", subject: mine.steamId }))!;
    const identity = (await e.server.core.store.listIdentities(account.id)).find((i) => i.provider === "steam")!;
    const row = { steamOwnerId: identity.profile["owner_id"] };
    assert.equal(row.steamOwnerId, mine.ownerSteamId, "the borrowed game's owner is recorded");

    // Steam ids of another account: AccountAlreadyLinked; unlinking what is not linked: 10005.
    const stranger = { steamId: steamId() };
    await e.other.authenticateSteam(steam.ticketFor(stranger));
    await rejectsWithCode(e.auth.linkSteam(steam.ticketFor(stranger)), Codes.AccountAlreadyLinked, 409);
    await rejectsWithCode(e.auth.unlinkSteam(steam.ticketFor(stranger)), Codes.ClientUnlinkExternalIdNotFound, 404);
    await rejectsWithCode(e.auth.unlinkSteam(steam.ticketFor(mine)), Codes.InvalidParameters, 400);

    // The linked Steam id brings the once-anonymous player back after the credentials are gone.
    await e.auth.signOut({ clearCredentials: true });
    await e.auth.signInWithSteam(steam.ticketFor(mine), { createAccount: false });
    assert.equal(e.auth.playerId, player);

    const dev = deviceId();
    await e.auth.linkDevice(dev);
    await e.auth.unlinkSteam();
    assert.deepEqual((await e.auth.getPlayerInfo()).identities, [{ typeId: "device", userId: dev }]);
    await rejectsWithCode(e.auth.unlinkSteam(), Codes.ClientUnlinkExternalIdNotFound, 404);
  });
});
