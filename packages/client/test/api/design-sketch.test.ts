/**
 * The SDK sketch in DESIGN.md is the contract: this test runs it, importing the package by its
 * published name (the workspace link resolves `@tessera/client` through package.json "exports"
 * to the built dist/, as an installed package would).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client, AuthenticationService, MemoryStorage, AuthenticationError } from "@tessera/client";
import { AuthTickets, BeginAuthSessionResult, AuthSessionResponse, type AuthenticationSession } from "@tessera/client";
import { FileStorage } from "@tessera/client/node";
import { startTestServer, tempDir, type TestServer } from "../../../server/test/support/harness.js";

describe("DESIGN.md sketch", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it("runs as written", async () => {
    const client = new Client({ url: t.url, serverKey: "defaultkey" });
    const auth = new AuthenticationService({ client, projectId: "my-game", profile: "default", storage: new MemoryStorage() });
    const seen: (string | null)[] = [];
    const onSignedIn = () => seen.push(auth.playerId);
    auth.on("signedIn", onSignedIn);
    await auth.signInAnonymously();
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, /^[0-9a-f-]{36}$/);

    await auth.signOut();
    auth.off("signedIn", onSignedIn);
    await auth.signInAnonymously();
    assert.equal(seen.length, 1, "off() unsubscribed");
    assert.equal(auth.playerId, seen[0], "the cached session token brought back the same player");
  });

  it("rejects with AuthenticationError carrying errorCode, message and status", async () => {
    const client = new Client({ url: t.url, serverKey: "defaultkey" });
    const auth = new AuthenticationService({ client, projectId: "my-game", profile: "default", storage: new MemoryStorage() });
    const err = await auth.signInAnonymously({ createAccount: false }).then(
      () => assert.fail("expected a rejection"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuthenticationError);
    assert.equal(err.errorCode, 10001);
    assert.equal(typeof err.message, "string");
    assert.equal(err.status, undefined);

    await auth.signInWithEmail("sketch@example.com", "correct horse");
    await auth.signOut();
    const wrong = await auth.signInWithEmail("sketch@example.com", "wrong horse!").then(
      () => assert.fail("expected a rejection"),
      (e: unknown) => e,
    );
    assert.ok(wrong instanceof AuthenticationError);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.message, "Invalid credentials.");
  });

  it("runs the AuthTickets sketch as written", async () => {
    const secret = "a-game-server-secret-of-32-characters-or-more";
    const server_ = await startTestServer({ "tickets.game_servers": JSON.stringify([{ identity: "eu-west-1", secret }]) });
    const client = new Client({ url: server_.url, serverKey: "defaultkey" });
    const auth = new AuthenticationService({ client, projectId: "my-game", storage: new MemoryStorage() });
    await auth.signInAnonymously();
    const playerId = auth.playerId!;
    const mine = new AuthTickets({ client, auth });
    const server = await client.authenticateGameServer({ identity: "eu-west-1", secret });
    const tickets = new AuthTickets({ client, session: server });
    try {
      const ticket = await mine.getAuthSessionTicket({ identity: "eu-west-1" });
      assert.ok(ticket.handle > 0 && ticket.data instanceof Uint8Array && typeof ticket.hex === "string" && ticket.createdOn instanceof Date);
      assert.deepEqual(mine.activeTickets, [ticket]);

      const { result, session } = await tickets.beginAuthSession(ticket.hex, playerId);
      assert.equal(result, BeginAuthSessionResult.OK);
      const start = await new Promise<AuthenticationSession>((resolve) => session!.onStart(resolve));
      assert.deepEqual([start.response, start.user, start.gameOwner, start.isBorrowed], [AuthSessionResponse.OK, playerId, playerId, false]);
      const later = new Promise<AuthenticationSession>((resolve) => session!.on("response", resolve));
      await ticket.cancel();
      assert.equal((await later).response, AuthSessionResponse.AuthTicketCanceled);
      assert.deepEqual(tickets.activeSessions, []);

      const again = await tickets.beginAuthSession((await mine.getAuthSessionTicket({ identity: "eu-west-1" })).hex, playerId);
      assert.deepEqual(tickets.activeSessions, [again.session]);
      again.session!.end();
      assert.deepEqual(tickets.activeSessions, []);
      await tickets.endAuthSession(playerId);
      await tickets.endAllSessions();
      await mine.cancelAllTickets();
      assert.deepEqual(mine.activeTickets, []);
    } finally {
      tickets.close();
      mine.close();
      server.close();
      await server_.server.close(1_000);
      await server_.close();
    }
  });

  it("keeps the session token in a file across service instances (the Node subpath)", async () => {
    const dir = tempDir();
    try {
      const client = new Client({ url: t.url, serverKey: "defaultkey" });
      const first = new AuthenticationService({ client, projectId: "my-game", storage: new FileStorage(dir.path) });
      await first.signInWithDevice("sketch-device-0001");
      const playerId = first.playerId;
      assert.ok(playerId);
      await first.signOut();
      const second = new AuthenticationService({ client, projectId: "my-game", storage: new FileStorage(dir.path) });
      assert.equal(second.sessionTokenExists, true);
      await second.signInAnonymously({ createAccount: false });
      assert.equal(second.playerId, playerId);
      const info = await second.getPlayerInfo();
      assert.deepEqual(info.identities, [{ typeId: "device", userId: "sketch-device-0001" }]);
    } finally {
      dir.remove();
    }
  });
});
