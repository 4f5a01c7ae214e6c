/**
 * `AuthTickets` against real servers (the server's harness: a real HTTP server on port 0 and a
 * real SQLite file), through the SDK only: players get and cancel tickets, game servers signed in
 * with their credentials ("eu-west-1", "us-east-1") and players validating peers begin auth
 * sessions and receive every response of Steam's table, delivered by the long poll. Bans and
 * licenses are granted the way an operator would, through the server's own domain functions.
 *
 * Every test has its own server, so they run concurrently. Waits are for conditions and events
 * with deadlines; the one time asserted is the acceptance bound: a cancel reaches the validator
 * within 1 s.
 */
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { banAccount } from "../../../server/src/account/ban.js";
import { grantLicense } from "../../../server/src/tickets/licenses.js";
import {
  AuthenticationError,
  AuthenticationErrorCodes,
  AuthenticationService,
  AuthenticationSession,
  AuthSessionResponse,
  AuthTicket,
  type AuthSessionEventJson,
  AuthTickets,
  BeginAuthSessionResult,
  Client,
  CommonErrorCodes,
  fromHex,
  type GameServerSession,
  MemoryStorage,
  TesseraError,
  toHex,
} from "../../src/index.js";
import { deviceId, plainClient, startTestServer, tracedClient, UUID, waitFor, type TestServer, type TracedClient } from "../support/helpers.js";

const SECRETS: Record<string, string> = {
  "eu-west-1": "eu-west-1-secret-0123456789abcdefghijklmnop",
  "us-east-1": "us-east-1-secret-0123456789abcdefghijklmnop",
};
const GAME_SERVERS = JSON.stringify(Object.entries(SECRETS).map(([identity, secret]) => ({ identity, secret })));
const POLL = "/v2/tickets/auth-sessions/poll";

interface Player {
  auth: AuthenticationService;
  id: string;
  tickets: AuthTickets;
  traced: TracedClient;
}

interface Validator {
  server: GameServerSession;
  tickets: AuthTickets;
  traced: TracedClient;
}

/** A real server with the two game-server credentials, and the players and game servers of a test. */
class World {
  private readonly cleanups: (() => unknown)[] = [];

  private constructor(
    private current: TestServer,
    private readonly settings: Record<string, string | number | boolean>,
  ) {}

  static async start(t: TestContext, settings: Record<string, string | number | boolean> = {}): Promise<World> {
    const all = { "tickets.game_servers": GAME_SERVERS, ...settings };
    const world = new World(await startTestServer(all), all);
    // Stop following first, so no poller retries against a server that is going away.
    t.after(async () => {
      for (const cleanup of world.cleanups.reverse()) await cleanup();
      // An aborted long poll leaves undici a fresh keep-alive connection that never carries a
      // request; Node 20's closeIdleConnections() does not count it as idle, so a shutdown with
      // the default grace would wait 10 s for it.
      await world.current.server.close(1_000);
      await world.current.close();
    });
    return world;
  }

  get url(): string {
    return this.current.url;
  }
  get core() {
    return this.current.server.core;
  }

  /** A signed-in player with its own traced client and `AuthTickets`. */
  async player(device = deviceId()): Promise<Player> {
    const traced = tracedClient(this.url);
    const auth = new AuthenticationService({ client: traced.client, projectId: "tickets-test", storage: new MemoryStorage() });
    await auth.signInWithDevice(device);
    const tickets = new AuthTickets({ client: traced.client, auth });
    this.cleanups.push(() => tickets.close());
    return { auth, id: auth.playerId!, tickets, traced };
  }

  /** A game server signed in with its credential, and its `AuthTickets`. */
  async gameServer(identity: string, options: { pollWaitMs?: number } = {}): Promise<Validator> {
    const traced = tracedClient(this.url);
    const server = await traced.client.authenticateGameServer({ identity, secret: SECRETS[identity]! });
    const tickets = new AuthTickets({ client: traced.client, session: server, ...options });
    this.cleanups.push(
      () => server.close(),
      () => tickets.close(),
    );
    return { server, tickets, traced };
  }

  /** Runs `cleanup` before the server closes. */
  onCleanup(cleanup: () => unknown): void {
    this.cleanups.push(cleanup);
  }

  /** Stops the server (same data directory and port kept for `restart`). */
  stop(): Promise<void> {
    return this.current.stop();
  }

  async restart(): Promise<void> {
    const { dataDir, server } = this.current;
    this.current = await startTestServer({ ...this.settings, "socket.port": server.port }, dataDir);
  }
}

/** Begins and asserts the begin result OK; returns the session. */
async function beginOk(tickets: AuthTickets, ticket: string | Uint8Array, userId: string): Promise<AuthenticationSession> {
  const { result, session } = await tickets.beginAuthSession(ticket, userId);
  assert.equal(result, BeginAuthSessionResult.OK);
  assert.ok(session instanceof AuthenticationSession);
  return session;
}

/** Resolves with the session at its first response (registered at once after begin). */
function started(session: AuthenticationSession, timeoutMs = 10_000): Promise<AuthenticationSession> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`auth session ${session.id}: no first response within ${timeoutMs} ms`)), timeoutMs);
    session.onStart((s) => {
      clearTimeout(timer);
      resolve(s);
    });
  });
}

/** Resolves at the session's next later response, with the time it arrived. */
function nextResponse(session: AuthenticationSession, timeoutMs = 10_000): Promise<{ response: number | null; at: number }> {
  return new Promise((resolve, reject) => {
    const listener = (s: AuthenticationSession) => {
      clearTimeout(timer);
      session.off("response", listener);
      resolve({ response: s.response, at: performance.now() });
    };
    const timer = setTimeout(() => {
      session.off("response", listener);
      reject(new Error(`auth session ${session.id}: no later response within ${timeoutMs} ms`));
    }, timeoutMs);
    session.on("response", listener);
  });
}

/** Begins, waits for the validation result, and asserts it is OK for `player`. */
async function admitted(tickets: AuthTickets, ticket: AuthTicket, player: { id: string }): Promise<AuthenticationSession> {
  const session = await started(await beginOk(tickets, ticket.hex, player.id));
  assert.equal(session.response, AuthSessionResponse.OK);
  assert.equal(session.user, player.id);
  assert.equal(session.ended, false);
  return session;
}

/** Asserts that `promise` rejects with an AuthenticationError of `errorCode`. */
async function rejectsWithCode(promise: Promise<unknown>, errorCode: number, message?: RegExp): Promise<AuthenticationError> {
  const err = await promise.then(
    () => assert.fail("expected a rejection"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AuthenticationError, `expected an AuthenticationError, got ${String(err)}`);
  assert.equal(err.errorCode, errorCode, err.message);
  if (message) assert.match(err.message, message);
  return err;
}

const pendingPolls = (traced: TracedClient) => traced.requests.filter((r) => r.path === POLL && r.outcome === "pending").length;

describe("AuthTickets", { concurrency: true }, () => {
  it("a ticket for eu-west-1: OK with user and game owner A, single use, and a cancel reaches the game server within 1 s", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const s = await world.gameServer("eu-west-1");
    const other = await world.gameServer("us-east-1");

    const ticket = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
    assert.ok(ticket instanceof AuthTicket);
    assert.ok(Number.isInteger(ticket.handle) && ticket.handle > 0);
    assert.equal(ticket.identity, "eu-west-1");
    assert.equal(toHex(ticket.data), ticket.hex);
    assert.deepEqual(fromHex(ticket.hex), ticket.data);
    assert.ok(ticket.expiresOn.getTime() > ticket.createdOn.getTime());
    assert.deepEqual(a.tickets.activeTickets, [ticket]);

    const first = await admitted(s.tickets, ticket, a);
    assert.equal(first.gameOwner, a.id);
    assert.equal(first.isBorrowed, false);
    assert.deepEqual(first.data, ticket.data);
    assert.deepEqual(s.tickets.activeSessions, [first]);
    assert.deepEqual(
      (await a.traced.client.listTickets(a.auth.currentSession!)).map((x) => [x.handle, x.state]),
      [[ticket.handle, "in_use"]],
    );

    // The same ticket again, after the game server ended its auth session: used up.
    await first.end();
    assert.equal(first.ended, true);
    assert.deepEqual(s.tickets.activeSessions, []);
    const again = await started(await beginOk(s.tickets, ticket.hex, a.id));
    assert.equal(again.response, AuthSessionResponse.AuthTicketInvalidAlreadyUsed);
    assert.equal(again.ended, true);
    await waitFor(() => s.tickets.activeSessions.length === 0, "the failed session to leave activeSessions");

    // A ticket for any validator: once one has it, another validator gets AlreadyUsed.
    const open = await a.tickets.getAuthSessionTicket();
    assert.equal(open.identity, "");
    const held = await admitted(s.tickets, open, a);
    const late = await started(await beginOk(other.tickets, open.hex, a.id));
    assert.equal(late.response, AuthSessionResponse.AuthTicketInvalidAlreadyUsed);

    // The player cancels: the game server holding the ticket hears it at once.
    const heard = nextResponse(held);
    await open.cancel();
    const cancelled = performance.now();
    const { response, at } = await heard;
    assert.equal(response, AuthSessionResponse.AuthTicketCanceled);
    assert.ok(at - cancelled < 1000, `the cancel took ${Math.round(at - cancelled)} ms to reach the game server (bound: 1000 ms)`);
    assert.equal(held.ended, true);
    assert.deepEqual(s.tickets.activeSessions, []);
    assert.equal(open.isCanceled, true);
    assert.deepEqual(a.tickets.activeTickets, [ticket]);
    assert.deepEqual(await s.traced.client.listAuthSessions(s.server), []);
  });

  it("a ticket for eu-west-1 presented to us-east-1: AuthTicketNetworkIdentityFailure, and it still works for eu-west-1", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const s = await world.gameServer("eu-west-1");
    const wrong = await world.gameServer("us-east-1");
    const ticket = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });

    const refused = await started(await beginOk(wrong.tickets, ticket.hex, a.id));
    assert.equal(refused.response, AuthSessionResponse.AuthTicketNetworkIdentityFailure);
    assert.equal(refused.ended, true);
    assert.equal(refused.gameOwner, a.id);
    await waitFor(() => wrong.tickets.activeSessions.length === 0, "the refused session to leave activeSessions");

    await admitted(s.tickets, ticket, a);
  });

  it("begin results: ExpiredTicket after the ticket's expiry", async (t) => {
    const world = await World.start(t, { "tickets.ticket_expiry_sec": 1 });
    const a = await world.player();
    const s = await world.gameServer("eu-west-1");
    const ticket = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
    await waitFor(() => Date.now() >= ticket.expiresOn.getTime(), "the ticket's expiry", 5_000);
    const { result, session } = await s.tickets.beginAuthSession(ticket.hex, a.id);
    assert.equal(result, BeginAuthSessionResult.ExpiredTicket);
    assert.equal(session, undefined);
    assert.deepEqual(s.tickets.activeSessions, []);
  });

  it("begin results: InvalidTicket for a flipped byte or another player, GameMismatch for another app, DuplicateRequest when begun twice", async (t) => {
    const world = await World.start(t, { "tickets.app_id": 480 });
    const a = await world.player();
    const b = await world.player();
    const s = await world.gameServer("eu-west-1");
    const ticket = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });

    const flipped = ticket.data.slice();
    const middle = Math.floor(flipped.length / 2);
    flipped[middle] = flipped[middle]! ^ 0x01;
    assert.deepEqual(await s.tickets.beginAuthSession(flipped, a.id), { result: BeginAuthSessionResult.InvalidTicket });
    assert.deepEqual(await s.tickets.beginAuthSession(ticket.hex, b.id), { result: BeginAuthSessionResult.InvalidTicket });
    assert.deepEqual(await s.tickets.beginAuthSession(ticket.hex, a.id, { appId: 730 }), { result: BeginAuthSessionResult.GameMismatch });
    assert.deepEqual(s.tickets.activeSessions, [], "no session is registered for a failed begin");

    // Upper-case hex is the same ticket; the deployment's app id is the default.
    const session = await beginOk(s.tickets, ticket.hex.toUpperCase(), a.id);
    const second = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
    assert.deepEqual(await s.tickets.beginAuthSession(second.hex, a.id, { appId: 480 }), { result: BeginAuthSessionResult.DuplicateRequest });
    assert.deepEqual(s.tickets.activeSessions, [session]);
    assert.equal((await started(session)).response, AuthSessionResponse.OK);
  });

  it("a borrowed license: the lender is the game owner; without a license, NoLicenseOrExpired; a loan that ends is a later response", async (t) => {
    const world = await World.start(t, { "tickets.require_license": true });
    const owner = await world.player();
    const a = await world.player();
    const unlicensed = await world.player();
    const s = await world.gameServer("eu-west-1");
    await grantLicense(world.core, owner.id);
    await a.traced.client.lendLicense(owner.auth.currentSession!, a.id);
    assert.deepEqual(
      (({ owns_app, owner_id, is_borrowed }) => ({ owns_app, owner_id, is_borrowed }))(await a.traced.client.getLicenses(a.auth.currentSession!)),
      { owns_app: true, owner_id: owner.id, is_borrowed: true },
    );

    const borrowed = await admitted(s.tickets, await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" }), a);
    assert.equal(borrowed.gameOwner, owner.id);
    assert.equal(borrowed.isBorrowed, true);

    const refused = await started(await beginOk(s.tickets, (await unlicensed.tickets.getAuthSessionTicket({ identity: "eu-west-1" })).hex, unlicensed.id));
    assert.equal(refused.response, AuthSessionResponse.NoLicenseOrExpired);
    assert.equal(refused.ended, true);

    const lost = nextResponse(borrowed);
    await owner.traced.client.endLicenseLoan(owner.auth.currentSession!, a.id);
    assert.equal((await lost).response, AuthSessionResponse.NoLicenseOrExpired);
    assert.equal(borrowed.ended, true);
    await waitFor(() => s.tickets.activeSessions.length === 0, "both sessions to leave activeSessions");
  });

  it("bans reach the game server: publisher kind PublisherIssuedBan, VAC kind VACBanned", async (t) => {
    const world = await World.start(t);
    const s = await world.gameServer("eu-west-1");
    for (const [kind, expected] of [
      ["publisher", AuthSessionResponse.PublisherIssuedBan],
      ["vac", AuthSessionResponse.VACBanned],
    ] as const) {
      const player = await world.player();
      const session = await admitted(s.tickets, await player.tickets.getAuthSessionTicket({ identity: "eu-west-1" }), player);
      const heard = nextResponse(session);
      await banAccount(world.core, player.id, { kind });
      assert.equal((await heard).response, expected, kind);
      assert.equal(session.ended, true);
      assert.equal(session.response, expected);
    }
    assert.deepEqual(s.tickets.activeSessions, []);
  });

  it("a player who signs out: UserNotConnectedToSteam", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const s = await world.gameServer("eu-west-1");
    const session = await admitted(s.tickets, await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" }), a);
    const heard = nextResponse(session);
    await a.auth.signOut({ clearCredentials: true });
    assert.equal((await heard).response, AuthSessionResponse.UserNotConnectedToSteam);
    assert.equal(session.ended, true);
  });

  it("with session.single_session, a player who signs in elsewhere: LoggedInElseWhere", async (t) => {
    const world = await World.start(t, { "session.single_session": true });
    const device = deviceId();
    const a = await world.player(device);
    const s = await world.gameServer("eu-west-1");
    const session = await admitted(s.tickets, await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" }), a);
    const heard = nextResponse(session);
    const elsewhere = await world.player(device);
    assert.equal(elsewhere.id, a.id);
    assert.equal((await heard).response, AuthSessionResponse.LoggedInElseWhere);
    assert.equal(session.ended, true);
  });

  it("peer to peer: two players validate each other's tickets, made for each other's user id", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const b = await world.player();
    const c = await world.player();

    const forB = await a.tickets.getAuthSessionTicket({ identity: b.id });
    const forA = await b.tickets.getAuthSessionTicket({ identity: a.id });
    const aSeenByB = await admitted(b.tickets, forB, a);
    const bSeenByA = await admitted(a.tickets, forA, b);
    assert.equal(aSeenByB.gameOwner, a.id);
    assert.equal(bSeenByA.gameOwner, b.id);
    // One AuthTickets serves both sides: A's ticket and the session it follows.
    assert.deepEqual(a.tickets.activeTickets, [forB]);
    assert.deepEqual(a.tickets.activeSessions, [bSeenByA]);

    const notForC = await c.tickets.beginAuthSession(forA.hex, b.id);
    assert.equal((await started(notForC.session!)).response, AuthSessionResponse.AuthTicketNetworkIdentityFailure);

    const heard = nextResponse(bSeenByA);
    await forA.cancel();
    assert.equal((await heard).response, AuthSessionResponse.AuthTicketCanceled);
    assert.equal(aSeenByB.ended, false, "B's other session is not touched");
  });

  it("onStart registered after the first response fires once, at once; later responses go to the separate listener only", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const s = await world.gameServer("eu-west-1");
    const ticket = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
    const session = await beginOk(s.tickets, ticket.hex, a.id);
    await waitFor(() => session.started, "the first response");
    assert.equal(session.response, AuthSessionResponse.OK);

    const starts: (number | null)[] = [];
    const later: { response: number | null; active: boolean }[] = [];
    session.onStart((x) => starts.push(x.response));
    session.on("response", (x) => later.push({ response: x.response, active: s.tickets.activeSessions.includes(x) }));
    await waitFor(() => starts.length === 1, "the late onStart listener");
    assert.deepEqual(starts, [AuthSessionResponse.OK]);

    await ticket.cancel();
    await waitFor(() => later.length === 1, "the cancel");
    // The listener ran while the session was still listed; then it left activeSessions.
    assert.deepEqual(later, [{ response: AuthSessionResponse.AuthTicketCanceled, active: true }]);
    assert.deepEqual(s.tickets.activeSessions, []);
    assert.deepEqual(starts, [AuthSessionResponse.OK], "onStart fired once");

    // A listener that throws does not stop the others.
    const original = console.error;
    const logged: unknown[] = [];
    console.error = (...args: unknown[]) => logged.push(args[0]);
    try {
      const other = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
      const next = await beginOk(s.tickets, other.hex, a.id);
      const seen: string[] = [];
      next.onStart(() => {
        throw new Error("listener bug");
      });
      next.onStart(() => seen.push("second"));
      await waitFor(() => seen.length === 1, "the second listener");
      assert.match(String(logged[0]), /onStart/);
    } finally {
      console.error = original;
    }
  });

  it("activeTickets, cancelAllTickets, activeSessions, endAuthSession and endAllSessions follow the server; polling stops when nothing awaits", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const b = await world.player();
    const c = await world.player();
    const s = await world.gameServer("eu-west-1");

    const tickets = [
      await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" }),
      await a.tickets.getAuthSessionTicket(),
      await a.tickets.getAuthSessionTicket(),
    ];
    assert.deepEqual(a.tickets.activeTickets, tickets);
    await tickets[1]!.cancel();
    await tickets[1]!.cancel(); // twice is no error
    assert.deepEqual(a.tickets.activeTickets, [tickets[0], tickets[2]]);
    const sessionA = await admitted(s.tickets, tickets[0]!, a);
    await a.tickets.cancelAllTickets();
    assert.deepEqual(a.tickets.activeTickets, []);
    assert.deepEqual(await a.traced.client.listTickets(a.auth.currentSession!), []);
    await waitFor(() => sessionA.ended, "the cancel of the ticket in use");

    const sessionB = await admitted(s.tickets, await b.tickets.getAuthSessionTicket({ identity: "eu-west-1" }), b);
    const sessionC = await admitted(s.tickets, await c.tickets.getAuthSessionTicket({ identity: "eu-west-1" }), c);
    assert.deepEqual(s.tickets.activeSessions, [sessionB, sessionC]);
    assert.equal(pendingPolls(s.traced), 1, "one long poll follows both sessions");

    await s.tickets.endAuthSession(b.id.toUpperCase());
    assert.equal(sessionB.ended, true);
    assert.deepEqual(s.tickets.activeSessions, [sessionC]);
    assert.deepEqual(
      (await s.traced.client.listAuthSessions(s.server)).map((x) => x.id),
      [sessionC.id],
    );
    await s.tickets.endAuthSession(b.id); // no live session of that player: nothing to do

    await s.tickets.endAllSessions();
    assert.deepEqual(s.tickets.activeSessions, []);
    assert.deepEqual(await s.traced.client.listAuthSessions(s.server), []);
    await waitFor(() => pendingPolls(s.traced) === 0, "the long poll to stop with nothing to follow", 5_000);
    assert.deepEqual(await s.traced.client.pollAuthSessionEvents(s.server), [], "every event was acknowledged");

    // A session that begins later starts the polling again.
    const again = await admitted(s.tickets, await b.tickets.getAuthSessionTicket({ identity: "eu-west-1" }), b);
    assert.deepEqual(s.tickets.activeSessions, [again]);
  });

  it("inputs are checked before any request; server refusals are AuthenticationErrors with the server's message", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const s = await world.gameServer("eu-west-1");
    const before = s.traced.requests.length;
    const Invalid = AuthenticationErrorCodes.InvalidParameters;
    await rejectsWithCode(s.tickets.beginAuthSession("not hex!", a.id), Invalid, /hex/);
    await rejectsWithCode(s.tickets.beginAuthSession("abc", a.id), Invalid, /hex/);
    await rejectsWithCode(s.tickets.beginAuthSession("", a.id), Invalid, /required/);
    await rejectsWithCode(s.tickets.beginAuthSession(new Uint8Array(), a.id), Invalid, /required/);
    await rejectsWithCode(s.tickets.beginAuthSession("00ff", ""), Invalid, /user id/);
    await rejectsWithCode(s.tickets.beginAuthSession("00ff", a.id, { appId: -1 }), Invalid, /app id/);
    await rejectsWithCode(s.tickets.getAuthSessionTicket(), Invalid, /game server has no tickets/);
    assert.equal(s.traced.requests.length, before, "nothing was sent");
    assert.throws(() => fromHex("0x00"), TypeError);

    const err = await rejectsWithCode(s.tickets.beginAuthSession("00ff", "not-a-uuid"), Invalid);
    assert.equal(err.status, 400);
    assert.equal(err.message, "User ID invalid, must be a UUID.");
    assert.ok(err.cause instanceof TesseraError);
    // Garbage bytes are the server's to judge: Steam's InvalidVersion for another version byte.
    assert.deepEqual(await s.tickets.beginAuthSession("00ff", a.id), { result: BeginAuthSessionResult.InvalidVersion });

    assert.throws(
      () => new AuthTickets({ client: a.traced.client } as never),
      (e: unknown) => e instanceof AuthenticationError && e.errorCode === Invalid,
    );
    assert.throws(() => new AuthTickets({ client: a.traced.client, auth: a.auth, session: s.server }), /exactly one/);
    await assert.rejects(a.traced.client.authenticateGameServer({ identity: "eu-west-1", secret: "wrong".repeat(8) }), (e: unknown) => {
      assert.ok(e instanceof TesseraError);
      assert.equal(e.status, 401);
      assert.equal(e.message, "Game server credentials invalid.");
      return true;
    });

    // A player over its open-ticket limit: TooManyRequests.
    const limited = await World.start(t, { "tickets.max_open_per_session": 1 });
    const p = await limited.player();
    await p.tickets.getAuthSessionTicket();
    await rejectsWithCode(p.tickets.getAuthSessionTicket(), CommonErrorCodes.TooManyRequests);

    s.tickets.close();
    await rejectsWithCode(s.tickets.beginAuthSession("00ff", a.id), AuthenticationErrorCodes.ClientInvalidUserState, /closed/);
  });

  it("responses still arrive after the server was down: the poll retries transport errors", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const s = await world.gameServer("eu-west-1");
    const ticket = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
    const session = await admitted(s.tickets, ticket, a);

    await world.stop();
    await waitFor(() => s.traced.requests.some((r) => r.path === POLL && r.outcome === "error"), "a poll that found the server down");
    await world.restart();
    const heard = nextResponse(session, 20_000);
    await ticket.cancel();
    assert.equal((await heard).response, AuthSessionResponse.AuthTicketCanceled);
  });

  it("transport faults: a response that overtakes its begin answer, answers replayed, a replayed response of an ended session", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const b = await world.player();
    // Between the game server and Tessera: poll answers can carry replayed events, and begin
    // answers can be held back until the poll has delivered their auth session's first response.
    const real: AuthSessionEventJson[] = [];
    const delivered = new Set<string>();
    const replays: AuthSessionEventJson[] = [];
    let holdBegins = false;
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    const faulty: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const path = new URL(String(input)).pathname;
      if (res.status !== 200) return res;
      if (path === POLL) {
        const body = (await res.json()) as { events: AuthSessionEventJson[] };
        real.push(...body.events);
        body.events = [...replays.splice(0), ...body.events];
        for (const e of body.events) delivered.add(e.auth_session_id);
        return json(body);
      }
      if (path === "/v2/tickets/auth-sessions" && init?.method === "POST" && holdBegins) {
        const body = (await res.json()) as { auth_session?: { id: string } };
        const id = body.auth_session?.id;
        if (id) await waitFor(() => delivered.has(id), "the poll to deliver the first response before the begin answer");
        return json(body);
      }
      return res;
    };
    const client = new Client({ url: world.url, serverKey: "defaultkey", fetch: faulty });
    const server = await client.authenticateGameServer({ identity: "eu-west-1", secret: SECRETS["eu-west-1"]! });
    server.close();
    const tickets = new AuthTickets({ client, session: server });
    world.onCleanup(() => tickets.close());
    const ticketB = await b.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
    const sessionB = await admitted(tickets, ticketB, b);

    // The first response of A's session reaches the SDK before the begin answer does.
    holdBegins = true;
    const ticket1 = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
    const session1 = await beginOk(tickets, ticket1.hex, a.id);
    holdBegins = false;
    let starts = 0;
    const later: (number | null)[] = [];
    session1.onStart(() => starts++).on("response", (s) => later.push(s.response));
    await waitFor(() => starts === 1, "the first response that came early");
    assert.equal(session1.response, AuthSessionResponse.OK);

    // That response again, in the answer that carries the cancel: each listener fires once.
    replays.push(real.find((e) => e.auth_session_id === session1.id && e.seq === 1)!);
    await ticket1.cancel();
    await waitFor(() => later.length > 0, "the cancel");
    assert.equal(replays.length, 0);
    assert.equal(starts, 1);
    assert.deepEqual(later, [AuthSessionResponse.AuthTicketCanceled]);

    // A's new session is not touched by a replayed response of A's ended one (matched by auth session id, not user).
    const session2 = await admitted(tickets, await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" }), a);
    replays.push(real.find((e) => e.auth_session_id === session1.id && e.seq === 2)!);
    await ticketB.cancel();
    await waitFor(() => sessionB.ended, "B's cancel");
    assert.equal(replays.length, 0);
    assert.equal(session2.ended, false);
    assert.equal(session2.response, AuthSessionResponse.OK);
    assert.deepEqual(tickets.activeSessions, [session2]);
  });

  it("a validator whose token is refused for good stops polling and reports its sessions as lost", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const peer = await world.player();
    // A player validating with a bare Session (no refresh): when that session ends, nothing can renew it.
    const validator = new AuthTickets({ client: peer.traced.client, session: peer.auth.currentSession!, pollWaitMs: 500 });
    world.onCleanup(() => validator.close());
    const lost: { error: AuthenticationError; sessions: AuthenticationSession[] }[] = [];
    validator.on("deliveryStopped", (error, sessions) => lost.push({ error, sessions }));

    const session = await admitted(validator, await a.tickets.getAuthSessionTicket({ identity: peer.id }), a);
    await peer.traced.client.logout(peer.auth.currentSession!);
    await waitFor(() => lost.length === 1, "deliveryStopped");
    assert.deepEqual(lost[0]!.sessions, [session]);
    assert.equal(lost[0]!.error.errorCode, CommonErrorCodes.InvalidToken);
    assert.equal(session.ended, true);
    assert.deepEqual(validator.activeSessions, []);
    await waitFor(() => pendingPolls(peer.traced) === 0, "the polling to stop", 5_000);
  });

  it("a game server that renews its token keeps the responses of sessions begun before", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const b = await world.player();
    const s = await world.gameServer("eu-west-1");
    const ticketA = await a.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
    const before = await admitted(s.tickets, ticketA, a);

    const firstId = s.server.sessionId;
    await s.server.renew();
    assert.equal(s.server.sessionId, firstId, "a renewal keeps the instance's session");
    assert.ok(s.server.expiresOn.getTime() > Date.now());

    const ticketB = await b.tickets.getAuthSessionTicket({ identity: "eu-west-1" });
    const after = await admitted(s.tickets, ticketB, b);
    assert.deepEqual(s.tickets.activeSessions, [before, after]);

    const heardA = nextResponse(before);
    const heardB = nextResponse(after);
    await Promise.all([ticketA.cancel(), ticketB.cancel()]);
    assert.equal((await heardA).response, AuthSessionResponse.AuthTicketCanceled);
    assert.equal((await heardB).response, AuthSessionResponse.AuthTicketCanceled);

    // Ending a session begun before a renewal works with the renewed token.
    const c = await world.player();
    const older = await admitted(s.tickets, await c.tickets.getAuthSessionTicket({ identity: "eu-west-1" }), c);
    const olderToken = s.server.token;
    assert.deepEqual(
      (await s.traced.client.listAuthSessions(olderToken)).map((x) => x.id),
      [older.id],
    );
    await s.server.renew();
    assert.deepEqual(
      (await s.traced.client.listAuthSessions(s.server.token)).map((x) => x.id),
      [older.id],
    );
    await older.end();
    assert.deepEqual(await s.traced.client.listAuthSessions(s.server.token), []);
  });

  it("a renewed game-server token keeps its instance's auth sessions; another sign-in is another instance", async (t) => {
    const world = await World.start(t);
    const a = await world.player();
    const client: Client = plainClient(world.url);
    const server = await client.authenticateGameServer({ identity: "eu-west-1", secret: SECRETS["eu-west-1"]! });
    server.close();
    const ticket = await client.createTicket(a.auth.currentSession!, { identity: "eu-west-1" });
    const begun = await client.beginAuthSession(server, ticket.ticket, a.id);
    assert.match(begun.auth_session!.id, UUID);
    const sessionId = server.sessionId;
    await server.renew();
    assert.equal(server.sessionId, sessionId);
    assert.deepEqual(
      (await client.listAuthSessions(server)).map((x) => x.id),
      [begun.auth_session!.id],
      "the renewed token sees the session",
    );
    const other = await client.authenticateGameServer({ identity: "eu-west-1", secret: SECRETS["eu-west-1"]! });
    other.close();
    assert.deepEqual(await client.listAuthSessions(other), [], "another instance has its own sessions");
  });
});
