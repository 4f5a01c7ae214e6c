/**
 * Code-Link between two SDK instances on a real server: device A is signed in and confirms the
 * code that device B generated; B, polling on a `ManualTime` linked to the server's clock, signs
 * in as A's player. Also: one attempt without polling, slow_down, expiry, abort, state errors,
 * and the verifier and challenge themselves.
 */
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  AuthenticationError,
  AuthenticationErrorCodes,
  AuthenticationService,
  AuthenticationState,
  CommonErrorCodes,
  MemoryStorage,
  codeChallengeOf,
  newCodeVerifier,
  sessionTokenKey,
  type SignInCodeInfo,
} from "../../src/index.js";
import { TestClock } from "../../../server/test/support/test-clock.js";
import { ManualTime } from "../support/manual-time.js";
import { countEvents, deviceId, startTestServer, tracedClient, type TracedClient } from "../support/helpers.js";

const PROJECT = "tessera-code-link";

interface Device {
  auth: AuthenticationService;
  traced: TracedClient;
  storage: MemoryStorage;
  events: ReturnType<typeof countEvents>;
}

async function setup(t: TestContext) {
  const clock = new TestClock();
  const server = await startTestServer({}, undefined, { clock });
  t.after(() => server.close());
  const time = new ManualTime().link(clock);
  const device = (): Device => {
    const traced = tracedClient(server.url, { clock: time, timers: time });
    time.waitWhile(() => traced.requests.some((r) => r.outcome === "pending"));
    const storage = new MemoryStorage();
    const auth = new AuthenticationService({ client: traced.client, projectId: PROJECT, storage });
    t.after(() => auth.signOut());
    return { auth, traced, storage, events: countEvents(auth) };
  };
  return { time, device, server };
}

async function rejectsWithCode(promise: Promise<unknown>, errorCode: number): Promise<AuthenticationError> {
  const caught = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(caught instanceof AuthenticationError, `expected an AuthenticationError, got ${String(caught)}`);
  assert.equal(caught.errorCode, errorCode, caught.message);
  return caught;
}

const polls = (d: Device) => d.traced.requests.filter((r) => r.path === "/v2/account/code-link/sign-in");

describe("Code-Link between two AuthenticationService instances", () => {
  it("device B shows a code, signed-in device A confirms it, and B's polling signs in as A's player", async (t) => {
    const { time, device } = await setup(t);
    const a = device();
    const b = device();
    await a.auth.signInWithDevice(deviceId());

    const received: SignInCodeInfo[] = [];
    b.auth.on("signInCodeReceived", (info) => received.push(info));
    const shown = await b.auth.generateSignInCode("Living-room TV");
    assert.match(shown.signInCode, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.match(shown.expiration, /^\d+$/);
    assert.deepEqual(received, [shown]);

    assert.equal(await b.auth.signInWithCode(), false, "one attempt before the confirmation: not signed in");
    assert.equal(b.auth.state, AuthenticationState.SignedOut);

    const polling = b.auth.signInWithCode({ usePolling: true });
    await time.advance(5_000);
    assert.equal(polls(b).length, 2, "the first poll waited the interval");
    assert.equal(b.auth.state, AuthenticationState.SignedOut);

    const info = await a.auth.getSignInCodeInfo(shown.signInCode.toLowerCase());
    assert.deepEqual(info, { signInCode: shown.signInCode, identifier: "Living-room TV", expiration: shown.expiration });
    await a.auth.confirmCode(shown.signInCode);

    await time.advance(5_000);
    assert.equal(await polling, true);
    assert.equal(b.auth.state, AuthenticationState.Authorized);
    assert.equal(b.auth.playerId, a.auth.playerId);
    assert.equal(b.events.signedIn, 1);
    assert.equal(b.events.signInCodeReceived, 1);
    assert.ok(b.storage.getItem(sessionTokenKey(PROJECT, "default")) !== null, "B's session token is cached like any sign-in's");
    // B's session is its own: A's survives B signing out and ending it.
    const aToken = await a.auth.getAccessToken();
    await b.auth.signOut({ clearCredentials: true });
    assert.equal((await a.traced.client.getAccount(aToken)).user.id, a.auth.playerId);
    await assert.rejects(
      b.auth.signInWithCode(),
      (e: unknown) => e instanceof AuthenticationError && e.errorCode === AuthenticationErrorCodes.ClientInvalidUserState,
    );
  });

  it("honours slow_down: after a poll too soon, the next waits the grown interval", async (t) => {
    const { time, device } = await setup(t);
    const b = device();
    await b.auth.generateSignInCode();
    assert.equal(await b.auth.signInWithCode(), false);
    assert.equal(await b.auth.signInWithCode(), false, "too soon: slow_down, still not signed in");
    const polling = b.auth.signInWithCode({ usePolling: true });
    polling.catch(() => undefined);
    await time.advance(9_000);
    assert.equal(polls(b).length, 2, "no poll before the 10 s interval");
    await time.advance(1_000);
    assert.equal(polls(b).length, 3);
    assert.equal(polls(b)[2]!.outcome, 400);
    const controller = new AbortController();
    controller.abort();
    await rejectsWithCode(b.auth.signInWithCode({ usePolling: true, signal: controller.signal }), CommonErrorCodes.Timeout);
  });

  it("stops when the code expires: signInCodeExpired, then NotFound", async (t) => {
    const { time, device } = await setup(t);
    const b = device();
    await b.auth.generateSignInCode();
    const polling = rejectsWithCode(b.auth.signInWithCode({ usePolling: true }), CommonErrorCodes.NotFound);
    await time.advance(300_000);
    await time.advanceUntil(() => b.events.signInCodeExpired === 1, "signInCodeExpired", 10_000);
    const error = await polling;
    assert.equal(error.message, "The sign-in code has expired.");
    assert.equal(b.auth.state, AuthenticationState.SignedOut);
    await rejectsWithCode(b.auth.signInWithCode(), AuthenticationErrorCodes.ClientInvalidUserState);
  });

  it("can be aborted while it waits", async (t) => {
    const { time, device } = await setup(t);
    const b = device();
    await b.auth.generateSignInCode();
    const controller = new AbortController();
    const polling = rejectsWithCode(b.auth.signInWithCode({ usePolling: true, signal: controller.signal }), CommonErrorCodes.Timeout);
    await time.advance(12_000);
    controller.abort();
    const error = await polling;
    assert.match(error.message, /canceled or timed out while waiting for code confirmation/);
    assert.equal(time.pendingTimers, 0, "no poll left scheduled");
  });

  it("checks states and input: generate only signed out, info and confirm only signed in, a code required", async (t) => {
    const { device } = await setup(t);
    const a = device();
    await rejectsWithCode(a.auth.signInWithCode(), AuthenticationErrorCodes.ClientInvalidUserState);
    await rejectsWithCode(a.auth.getSignInCodeInfo("BCDF-GHJK"), AuthenticationErrorCodes.ClientNoActiveSession);
    await a.auth.signInWithDevice(deviceId());
    await rejectsWithCode(a.auth.generateSignInCode(), AuthenticationErrorCodes.ClientInvalidUserState);
    await rejectsWithCode(a.auth.confirmCode(""), AuthenticationErrorCodes.InvalidParameters);
    await rejectsWithCode(a.auth.getSignInCodeInfo("BCDF-GHJK"), CommonErrorCodes.NotFound);
  });
});

describe("Code-Link verifier and challenge", () => {
  it("makes 125-character alphanumeric verifiers, different each time, and their lower-case hex SHA-256", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const v = newCodeVerifier();
      assert.match(v, /^[A-Za-z0-9]{125}$/);
      seen.add(v);
      assert.equal(await codeChallengeOf(v), createHash("sha256").update(v, "utf8").digest("hex"));
    }
    assert.equal(seen.size, 50);
  });
});
