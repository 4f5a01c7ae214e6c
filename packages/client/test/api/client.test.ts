/**
 * `Client` against a real Tessera server (real HTTP, real SQLite): every call with its typed
 * result, and every kind of failure as a `TesseraError` (the server's gRPC code and message with
 * the HTTP status; `transport` and `timeout` with status 0 when no answer arrives).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client, Session, TesseraError } from "../../src/index.js";
import {
  closedPortUrl,
  customId,
  deviceId,
  email,
  PASSWORD,
  plainClient,
  rawServer,
  RFC3339,
  startFakeSteam,
  startTestServer,
  steamId,
  tracedClient,
  username,
  UUID,
  waitFor,
  type FakeSteam,
  type TestServer,
} from "../support/helpers.js";

const TOKEN_EXPIRY_SEC = 120;

let t: TestServer;
let client: Client;

before(async () => {
  t = await startTestServer({ "session.token_expiry_sec": TOKEN_EXPIRY_SEC });
  client = plainClient(t.url);
});
after(() => t.close());

/** Asserts that `promise` rejects with a TesseraError of this status and gRPC code. */
async function rejectsWith(promise: Promise<unknown>, status: number, code: number, message?: string | RegExp): Promise<TesseraError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof TesseraError, `expected a TesseraError, got ${String(caught)}`);
  assert.equal(caught.name, "TesseraError");
  assert.equal(caught.kind, "api");
  assert.equal(caught.status, status, caught.message);
  assert.equal(caught.code, code, caught.message);
  if (typeof message === "string") assert.equal(caught.message, message);
  else if (message) assert.match(caught.message, message);
  return caught;
}

function assertSession(s: Session, expected: { created: boolean; userId?: string; username?: string; vars?: Record<string, string> }): void {
  assert.ok(s instanceof Session);
  assert.match(s.userId, UUID);
  assert.match(s.sessionId, UUID);
  assert.equal(s.created, expected.created);
  if (expected.userId !== undefined) assert.equal(s.userId, expected.userId);
  if (expected.username !== undefined) assert.equal(s.username, expected.username);
  assert.deepEqual({ ...s.vars }, expected.vars ?? {});
  assert.equal(s.lifetimeSec, TOKEN_EXPIRY_SEC);
  assert.ok(s.refreshExpiresAt > s.expiresAt);
  assert.notEqual(s.token, s.refreshToken);
}

describe("Client constructor", () => {
  it("requires a url and a server key", () => {
    assert.throws(() => new Client(undefined as never), TypeError);
    assert.throws(() => new Client({ serverKey: "k" } as never), { name: "TypeError", message: /options\.url is required/ });
    assert.throws(() => new Client({ url: "", serverKey: "k" }), { name: "TypeError", message: /options\.url is required/ });
    assert.throws(() => new Client({ url: "http://127.0.0.1:1" } as never), { name: "TypeError", message: /options\.serverKey is required/ });
    assert.throws(() => new Client({ url: "http://127.0.0.1:1", serverKey: "" }), { name: "TypeError", message: /options\.serverKey is required/ });
  });

  it("requires a fetch implementation when the environment has none", () => {
    const saved = globalThis.fetch;
    try {
      (globalThis as { fetch?: unknown }).fetch = undefined;
      assert.throws(() => new Client({ url: "http://127.0.0.1:1", serverKey: "k" }), { name: "TypeError", message: /no fetch implementation/ });
    } finally {
      globalThis.fetch = saved;
    }
    // With one passed in, it works in such an environment.
    assert.ok(new Client({ url: "http://127.0.0.1:1", serverKey: "k", fetch: saved }));
  });

  it("drops trailing slashes from the url, and the calls still reach the server", async () => {
    const c = new Client({ url: t.url + "//", serverKey: "defaultkey" });
    assert.equal(c.url, t.url);
    const s = await c.authenticateDevice(deviceId());
    assert.equal((await c.getAccount(s)).user.id, s.userId);
  });

  it("sends the server key as HTTP Basic, UTF-8 encoded", async () => {
    const key = "clé-secrète-名前";
    const s = await startTestServer({ "socket.server_key": key, "session.token_expiry_sec": TOKEN_EXPIRY_SEC });
    try {
      const good = new Client({ url: s.url, serverKey: key });
      assertSession(await good.authenticateCustom(customId()), { created: true });
      const wrong = new Client({ url: s.url, serverKey: "defaultkey" });
      await rejectsWith(wrong.authenticateCustom(customId()), 401, 16, "Server key invalid");
    } finally {
      await s.close();
    }
  });
});

describe("Client authenticate calls", { concurrency: true }, () => {
  it("authenticateDevice creates with username and vars, then finds the same account", async () => {
    const id = deviceId();
    const name = username("dev");
    const first = await client.authenticateDevice(id, { username: name, vars: { region: "eu", build: "42" } });
    assertSession(first, { created: true, username: name, vars: { region: "eu", build: "42" } });

    const again = await client.authenticateDevice(id, { username: username("other") });
    // An existing account keeps its username; a new session without vars has none.
    assertSession(again, { created: false, userId: first.userId, username: name });
    assert.notEqual(again.sessionId, first.sessionId);

    await rejectsWith(client.authenticateDevice(deviceId(), { create: false }), 404, 5, "User account not found.");
    await rejectsWith(client.authenticateDevice("short"), 400, 3, "Device ID invalid, must be 10-128 bytes.");
  });

  it("authenticateEmail creates with a password, signs in again, refuses a wrong password", async () => {
    const addr = email();
    const name = username("mail");
    const first = await client.authenticateEmail(addr, PASSWORD, { username: name, vars: { a: "b" } });
    assertSession(first, { created: true, username: name, vars: { a: "b" } });
    const again = await client.authenticateEmail(addr.toUpperCase(), PASSWORD, { create: false });
    assertSession(again, { created: false, userId: first.userId, username: name });

    await rejectsWith(client.authenticateEmail(addr, "wrong password!"), 401, 16, "Invalid credentials.");
    // An unknown email answers as a wrong password does: the server does not reveal which emails are registered.
    await rejectsWith(client.authenticateEmail(email(), PASSWORD, { create: false }), 401, 16, "Invalid credentials.");
    await rejectsWith(client.authenticateEmail(email(), "short"), 400, 3, /Password must be at least 8/);
    await rejectsWith(client.authenticateEmail("not-an-email", PASSWORD), 400, 3, /Invalid email address/);
  });

  it("authenticateUsername signs in an existing account by username and password, never creates", async () => {
    const name = username("byname");
    const created = await client.authenticateEmail(email(), PASSWORD, { username: name });
    const s = await client.authenticateUsername(name, PASSWORD, { vars: { via: "username" } });
    assertSession(s, { created: false, userId: created.userId, username: name, vars: { via: "username" } });
    await rejectsWith(client.authenticateUsername(name, "wrong password!"), 401, 16, "Invalid credentials.");
    // An unknown username answers as a wrong password does (no account enumeration; Nakama says 404).
    await rejectsWith(client.authenticateUsername(username("nobody"), PASSWORD), 401, 16, "Invalid credentials.");
  });

  it("authenticateCustom creates, finds, and validates the id", async () => {
    const id = customId();
    const name = username("cu");
    const first = await client.authenticateCustom(id, { username: name, vars: { k: "v" } });
    assertSession(first, { created: true, username: name, vars: { k: "v" } });
    assertSession(await client.authenticateCustom(id, { create: false }), { created: false, userId: first.userId, username: name });
    await rejectsWith(client.authenticateCustom(customId(), { create: false }), 404, 5, "User account not found.");
    await rejectsWith(client.authenticateCustom("abc"), 400, 3, "Custom ID invalid, must be 6-128 bytes.");
  });

  it("authenticateAnonymous always creates a new account with no identity", async () => {
    const name = username("anon");
    const a = await client.authenticateAnonymous({ username: name, vars: { mode: "guest" } });
    assertSession(a, { created: true, username: name, vars: { mode: "guest" } });
    const b = await client.authenticateAnonymous();
    assertSession(b, { created: true });
    assert.notEqual(a.userId, b.userId);
    assert.match(b.username, /^[A-Za-z]{10}$/);

    const account = await client.getAccount(a);
    assert.equal(account.devices, undefined);
    assert.equal(account.email, undefined);
    assert.equal(account.custom_id, undefined);
    // The username is taken now.
    await rejectsWith(client.authenticateAnonymous({ username: name }), 409, 6, "Username is already in use.");
  });

  it("rejects a wrong server key with 401", async () => {
    const wrong = new Client({ url: t.url, serverKey: "not-the-key" });
    await rejectsWith(wrong.authenticateDevice(deviceId()), 401, 16, "Server key invalid");
    await rejectsWith(wrong.refreshSession((await client.authenticateDevice(deviceId())).refreshToken), 401, 16, "Server key invalid");
  });
});

describe("Client session calls", { concurrency: true }, () => {
  it("refreshSession rotates the refresh token and keeps the vars", async () => {
    const s = await client.authenticateDevice(deviceId(), { vars: { region: "eu" } });
    const r1 = await client.refreshSession(s);
    assertSession(r1, { created: false, userId: s.userId, username: s.username, vars: { region: "eu" } });
    assert.equal(r1.sessionId, s.sessionId);
    assert.notEqual(r1.refreshToken, s.refreshToken, "a refresh issues a new refresh token");

    // A bare refresh token works too, and rotates again.
    const r2 = await client.refreshSession(r1.refreshToken);
    assert.equal(r2.sessionId, s.sessionId);
    assert.notEqual(r2.refreshToken, r1.refreshToken);
    assert.notEqual(r2.refreshToken, s.refreshToken);
    assert.equal((await client.getAccount(r2)).user.id, s.userId);

    // The token just rotated out, within the grace window, answers with the identical current tokens.
    const dup = await client.refreshSession(r1.refreshToken);
    assert.equal(dup.refreshToken, r2.refreshToken);
    assert.equal(dup.token, r2.token);
  });

  it("refreshSession with vars replaces them; empty vars keep them", async () => {
    const s = await client.authenticateCustom(customId(), { vars: { region: "eu", tier: "gold" } });
    const replaced = await client.refreshSession(s, { region: "us" });
    assert.deepEqual({ ...replaced.vars }, { region: "us" });
    const kept = await client.refreshSession(replaced, {});
    assert.deepEqual({ ...kept.vars }, { region: "us" });
    const keptAgain = await client.refreshSession(kept);
    assert.deepEqual({ ...keptAgain.vars }, { region: "us" });
  });

  it("refreshSession rejects a garbage or an access token with 401, an empty one with 400", async () => {
    const s = await client.authenticateDevice(deviceId());
    await rejectsWith(client.refreshSession("not.a.token"), 401, 16, "Refresh token invalid or expired.");
    await rejectsWith(client.refreshSession(s.token), 401, 16, "Refresh token invalid or expired.");
    await rejectsWith(client.refreshSession(""), 400, 3, "Refresh token is required.");
  });

  it("logout ends this session only", async () => {
    const id = deviceId();
    const a = await client.authenticateDevice(id);
    const b = await client.authenticateDevice(id);
    await client.logout(a);
    await rejectsWith(client.getAccount(a), 401, 16, "Auth token invalid");
    await rejectsWith(client.refreshSession(a), 401, 16, "Refresh token invalid or expired.");
    assert.equal((await client.getAccount(b)).user.id, a.userId);
    assert.ok(await client.refreshSession(b));
  });

  it("logout everywhere ends every session of the account", async () => {
    const id = customId();
    const a = await client.authenticateCustom(id);
    const b = await client.authenticateCustom(id);
    const other = await client.authenticateCustom(customId());
    await client.logout(a, { everywhere: true });
    await rejectsWith(client.getAccount(a), 401, 16);
    await rejectsWith(client.getAccount(b), 401, 16);
    await rejectsWith(client.refreshSession(b), 401, 16);
    // Another account is untouched.
    assert.equal((await client.getAccount(other)).user.id, other.userId);
  });

  it("listSessions lists the live sessions with the current one marked; endSession ends one", async () => {
    const id = deviceId();
    const a = await client.authenticateDevice(id);
    const b = await client.authenticateDevice(id);
    const sessions = await client.listSessions(a);
    assert.equal(sessions.length, 2);
    assert.deepEqual(sessions.map((x) => x.id).sort(), [a.sessionId, b.sessionId].sort());
    for (const info of sessions) {
      assert.match(info.create_time, RFC3339);
      assert.match(info.expire_time, RFC3339);
      assert.equal(typeof info.current, "boolean");
      assert.equal(info.current, info.id === a.sessionId);
    }
    // A bare access token works as well.
    assert.deepEqual(
      (await client.listSessions(b.token)).filter((x) => x.current).map((x) => x.id),
      [b.sessionId],
    );

    await client.endSession(a, b.sessionId);
    await rejectsWith(client.getAccount(b), 401, 16);
    await rejectsWith(client.refreshSession(b), 401, 16);
    assert.deepEqual(
      (await client.listSessions(a)).map((x) => x.id),
      [a.sessionId],
    );

    await rejectsWith(client.endSession(a, b.sessionId), 404, 5, "Session not found.");
    await rejectsWith(client.endSession(a, "no/such session?"), 404, 5);
    // Another account's session cannot be ended.
    const stranger = await client.authenticateDevice(deviceId());
    await rejectsWith(client.endSession(a, stranger.sessionId), 404, 5);
    assert.ok(await client.getAccount(stranger));
  });
});

describe("Client account calls", { concurrency: true }, () => {
  it("getAccount returns the typed account", async () => {
    const dev = deviceId();
    const name = username("acc");
    const s = await client.authenticateDevice(dev, { username: name });
    const account = await client.getAccount(s);
    assert.equal(account.user.id, s.userId);
    assert.equal(account.user.username, name);
    assert.match(account.user.create_time, RFC3339);
    assert.match(account.user.update_time, RFC3339);
    assert.equal(account.wallet, "{}");
    assert.deepEqual(account.devices, [{ id: dev }]);
    assert.equal(account.email, undefined);
    assert.equal(account.custom_id, undefined);
    assert.equal(account.user.display_name, undefined);
    // With a bare access token too.
    assert.equal((await client.getAccount(s.token)).user.id, s.userId);
    await rejectsWith(client.getAccount("garbage"), 401, 16, "Auth token invalid");
  });

  it("updateAccount sets, keeps and clears fields; a taken username is 409", async () => {
    const s = await client.authenticateDevice(deviceId());
    const newName = username("renamed");
    await client.updateAccount(s, {
      username: newName,
      display_name: "Zoë 名前",
      location: "Zürich",
      timezone: "Europe/Zurich",
      lang_tag: "de",
      avatar_url: "https://example.com/a.png",
    });
    let user = (await client.getAccount(s)).user;
    assert.equal(user.username, newName);
    assert.equal(user.display_name, "Zoë 名前");
    assert.equal(user.location, "Zürich");
    assert.equal(user.timezone, "Europe/Zurich");
    assert.equal(user.lang_tag, "de");
    assert.equal(user.avatar_url, "https://example.com/a.png");

    await client.updateAccount(s, { display_name: "" });
    user = (await client.getAccount(s)).user;
    assert.equal(user.display_name, undefined, "an empty string clears the field");
    assert.equal(user.location, "Zürich", "absent fields stay");

    // The new username is in the next refreshed token.
    assert.equal((await client.refreshSession(s)).username, newName);

    const other = await client.authenticateDevice(deviceId());
    await rejectsWith(client.updateAccount(other, { username: newName }), 409, 6, "Username is already in use.");
    await rejectsWith(client.updateAccount(other, { lang_tag: "x".repeat(19) }), 400, 3, /Language tag invalid/);
  });

  it("deleteAccount removes the account and every token of it", async () => {
    const dev = deviceId();
    const s = await client.authenticateDevice(dev);
    const second = await client.authenticateDevice(dev);
    await client.deleteAccount(s);
    await rejectsWith(client.getAccount(s), 401, 16);
    await rejectsWith(client.getAccount(second), 401, 16);
    await rejectsWith(client.refreshSession(second), 401, 16);
    await rejectsWith(client.authenticateDevice(dev, { create: false }), 404, 5, "User account not found.");
  });

  it("link and unlink a device", async () => {
    const s = await client.authenticateAnonymous();
    const dev = deviceId();
    await client.linkDevice(s, dev);
    const viaDevice = await client.authenticateDevice(dev, { create: false });
    assert.equal(viaDevice.userId, s.userId);
    assert.deepEqual((await client.getAccount(s)).devices, [{ id: dev }]);

    const other = await client.authenticateDevice(deviceId());
    await rejectsWith(client.linkDevice(other, dev), 409, 6, "Device ID already in use.");
    // Linking your own device again is fine.
    await client.linkDevice(s, dev);

    await rejectsWith(client.unlinkDevice(s, dev), 400, 9, /last identity/);
    const second = deviceId();
    await client.linkDevice(s, second);
    await client.unlinkDevice(s, dev);
    await rejectsWith(client.authenticateDevice(dev, { create: false }), 404, 5);
    await rejectsWith(client.unlinkDevice(s, dev), 404, 5, "Device ID is not linked to this account.");
    assert.deepEqual((await client.getAccount(s)).devices, [{ id: second }]);
  });

  it("link and unlink an email", async () => {
    const s = await client.authenticateDevice(deviceId());
    const addr = email();
    await client.linkEmail(s, addr, PASSWORD);
    assert.equal((await client.getAccount(s)).email, addr);
    assert.equal((await client.authenticateEmail(addr, PASSWORD, { create: false })).userId, s.userId);

    const other = await client.authenticateDevice(deviceId());
    await rejectsWith(client.linkEmail(other, addr, PASSWORD), 409, 6, "Email is already in use.");
    await rejectsWith(client.linkEmail(other, email(), "short"), 400, 3, /Password/);

    await client.unlinkEmail(s, addr);
    assert.equal((await client.getAccount(s)).email, undefined);
    await rejectsWith(client.authenticateEmail(addr, PASSWORD, { create: false }), 401, 16, "Invalid credentials.");
    await rejectsWith(client.unlinkEmail(s, addr), 404, 5, "Email is not linked to this account.");
  });

  it("link and unlink a custom id", async () => {
    const s = await client.authenticateDevice(deviceId());
    const id = customId();
    await client.linkCustom(s, id);
    assert.equal((await client.getAccount(s)).custom_id, id);
    assert.equal((await client.authenticateCustom(id, { create: false })).userId, s.userId);

    const other = await client.authenticateDevice(deviceId());
    await rejectsWith(client.linkCustom(other, id), 409, 6, "Custom ID is already in use.");

    await client.unlinkCustom(s, id);
    assert.equal((await client.getAccount(s)).custom_id, undefined);
    await rejectsWith(client.unlinkCustom(s, id), 404, 5, "Custom ID is not linked to this account.");
    await rejectsWith(client.authenticateCustom(id, { create: false }), 404, 5);
  });
});

describe("Client Steam calls", { concurrency: true }, () => {
  let steam: FakeSteam;
  let withSteam: TestServer;
  let c: Client;
  before(async () => {
    steam = await startFakeSteam();
    withSteam = await startTestServer({ ...steam.settings(), "session.token_expiry_sec": TOKEN_EXPIRY_SEC });
    c = plainClient(withSteam.url);
  });
  after(async () => {
    await withSteam.close();
    await steam.close();
  });

  it("authenticateSteam creates with username and vars, then finds the same account; a refused ticket is 401", async () => {
    const player = { steamId: steamId() };
    const name = username("steam");
    const first = await c.authenticateSteam(steam.ticketFor(player), { username: name, vars: { k: "v" } });
    assertSession(first, { created: true, username: name, vars: { k: "v" } });
    const again = await c.authenticateSteam(steam.ticketFor(player), { create: false });
    assertSession(again, { created: false, userId: first.userId, username: name });
    assert.equal((await c.getAccount(again)).user.steam_id, player.steamId);
    await rejectsWith(c.authenticateSteam(steam.ticketFor({ steamId: steamId() }), { create: false }), 404, 5, "User account not found.");
    await rejectsWith(c.authenticateSteam("ab".repeat(40)), 401, 16, "Could not authenticate Steam profile.");
    await rejectsWith(client.authenticateSteam("abcd"), 400, 9, "Steam authentication is not configured.");
  });

  it("link and unlink a Steam id, with or without a ticket", async () => {
    const s = await c.authenticateDevice(deviceId());
    const player = { steamId: steamId() };
    await c.linkSteam(s, steam.ticketFor(player));
    assert.equal((await c.getAccount(s)).user.steam_id, player.steamId);
    assert.equal((await c.authenticateSteam(steam.ticketFor(player), { create: false })).userId, s.userId);

    const other = await c.authenticateDevice(deviceId());
    await rejectsWith(c.linkSteam(other, steam.ticketFor(player)), 409, 6, "Steam ID is already in use.");
    await rejectsWith(c.unlinkSteam(other), 404, 5, "Steam ID is not linked to this account.");

    await c.unlinkSteam(s, steam.ticketFor(player));
    assert.equal((await c.getAccount(s)).user.steam_id, undefined);
    await c.linkSteam(s, steam.ticketFor(player));
    await c.unlinkSteam(s);
    await rejectsWith(c.authenticateSteam(steam.ticketFor(player), { create: false }), 404, 5);
  });
});

describe("Client failures without an answer", { concurrency: true }, () => {
  it("a closed port is a transport error with status 0", async () => {
    const url = await closedPortUrl();
    const c = new Client({ url, serverKey: "defaultkey" });
    for (const call of [() => c.authenticateDevice(deviceId()), () => c.getAccount("x.y.z"), () => c.refreshSession("x.y.z")]) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(err instanceof TesseraError);
        assert.equal(err.kind, "transport");
        assert.equal(err.status, 0);
        assert.equal(err.code, 14);
        assert.ok(err.message.includes(url), err.message);
        assert.ok(err.cause !== undefined);
        return true;
      });
    }
  });

  it("a server that never answers is a timeout with status 0", async () => {
    const held: import("node:http").ServerResponse[] = [];
    const hanging = await rawServer((_req, res) => {
      held.push(res); // never answered
    });
    try {
      const c = new Client({ url: hanging.url, serverKey: "defaultkey", timeoutMs: 50 });
      await assert.rejects(c.authenticateAnonymous(), (err: unknown) => {
        assert.ok(err instanceof TesseraError);
        assert.equal(err.kind, "timeout");
        assert.equal(err.status, 0);
        assert.equal(err.code, 4);
        assert.match(err.message, /within 50 ms/);
        return true;
      });
      // The client gave up after 50 ms; on a loaded machine the server may take longer to see the request it sent.
      await waitFor(() => held.length > 0, "the request to reach the server", 5_000);
      assert.equal(held.length, 1, "the request did reach the server");
    } finally {
      await hanging.close();
    }
  });

  it("a server that sends the headers and then stalls mid-body is a timeout", async () => {
    const hanging = await rawServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"token":'); // and nothing more
    });
    try {
      const c = new Client({ url: hanging.url, serverKey: "defaultkey", timeoutMs: 100 });
      await assert.rejects(c.getAccount("a.b.c"), (err: unknown) => {
        assert.ok(err instanceof TesseraError);
        assert.equal(err.kind, "timeout");
        assert.equal(err.code, 4);
        return true;
      });
    } finally {
      await hanging.close();
    }
  });

  it("a proxy answering with HTML keeps the HTTP status; a 200 that is not JSON is an error too", async () => {
    const proxy = await rawServer((req, res) => {
      if (req.url === "/v2/account") {
        res.writeHead(200, { "Content-Type": "text/html" });
        res.end("<html>hello</html>");
        return;
      }
      res.writeHead(502, { "Content-Type": "text/html" });
      res.end("<html>Bad Gateway</html>");
    });
    try {
      const c = new Client({ url: proxy.url, serverKey: "defaultkey" });
      await rejectsWith(c.authenticateDevice(deviceId()), 502, 2, "HTTP 502");
      await rejectsWith(c.getAccount("a.b.c"), 200, 13, /not JSON/);
    } finally {
      await proxy.close();
    }
  });

  it("a custom fetch carries every request, with the Basic key or the Bearer token", async () => {
    const seen: { path: string; auth: string | null }[] = [];
    const c = new Client({
      url: t.url,
      serverKey: "defaultkey",
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        seen.push({ path: new URL(String(input)).pathname, auth: headers.get("authorization") });
        return fetch(input, init);
      },
    });
    const s = await c.authenticateDevice(deviceId());
    await c.getAccount(s);
    assert.deepEqual(seen, [
      { path: "/v2/account/authenticate/device", auth: "Basic " + Buffer.from("defaultkey:").toString("base64") },
      { path: "/v2/account", auth: "Bearer " + s.token },
    ]);
    // The traced client of the other suites works the same way.
    const traced = tracedClient(t.url);
    await traced.client.authenticateCustom(customId());
    assert.deepEqual(
      traced.requests.map((r) => [r.path, r.outcome]),
      [["/v2/account/authenticate/custom", 200]],
    );
  });
});
