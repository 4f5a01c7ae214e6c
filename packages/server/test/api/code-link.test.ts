/**
 * Code-Link over HTTP against a real server: a signed-out device generates a code, a signed-in
 * player reads and confirms it, the device's poll signs in as that player, once. RFC 8628's poll
 * answers (authorization_pending, slow_down, expired_token), expiry by the server's clock, the
 * lookup limits, bans, concurrent polls and bad input.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { CodeLinkPollErrorSchema, validate } from "@tessera/protocol";
import { banAccount } from "../../src/account/ban.js";
import { claimsOf, startTestServer, type ApiResponse, type TestServer } from "../support/harness.js";
import { TestClock } from "../support/test-clock.js";
import { assertError, deviceId, ok } from "../support/expect.js";

const GENERATE = "/v2/account/code-link/generate";
const INFO = "/v2/account/code-link/info";
const CONFIRM = "/v2/account/code-link/confirm";
const SIGN_IN = "/v2/account/code-link/sign-in";
const CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

const newVerifier = (): string => randomBytes(94).toString("base64url").replace(/[-_]/g, "").slice(0, 125).padEnd(125, "a");
const challengeOf = (verifier: string): string => createHash("sha256").update(verifier, "utf8").digest("hex");

interface Device {
  verifier: string;
  id: string;
  code: string;
  expiration: string;
  interval: number;
}

/** Asserts a sign-in poll's RFC 8628 refusal: status, code, `error`, and the body's shape. */
function assertPoll(res: ApiResponse, status: number, error: string, code: number): void {
  const context = `${res.status} ${JSON.stringify(res.body)}`;
  assert.equal(res.status, status, context);
  const checked = validate(CodeLinkPollErrorSchema, res.body, { unknownFields: "refuse" });
  assert.ok(checked.ok, context);
  assert.equal(res.body.error, error, context);
  assert.equal(res.body.code, code, context);
  assert.ok(res.body.message.startsWith(`${error}: `), context);
}

describe("Code-Link", () => {
  const clock = new TestClock();
  let t: TestServer;

  before(async () => {
    t = await startTestServer({ "code_link.lookups_per_ip": 0 }, undefined, { clock });
  });
  after(() => t.close());

  const player = async (): Promise<{ token: string; id: string }> => {
    const s = await t.api.device(deviceId());
    return { token: s.token, id: claimsOf(s.token)["uid"] };
  };
  const generate = async (identifier?: string): Promise<Device> => {
    const verifier = newVerifier();
    const body = ok(await t.api.withKey(GENERATE, { ...(identifier === undefined ? {} : { identifier }), code_challenge: challengeOf(verifier) }));
    return { verifier, id: body.code_link_session_id, code: body.sign_in_code, expiration: body.expiration, interval: body.interval };
  };
  const poll = (d: Device, verifier = d.verifier) => t.api.withKey(SIGN_IN, { code_link_session_id: d.id, code_verifier: verifier });
  /** Polls no sooner than the interval allows (the server's clock is moved, not waited for). */
  const pollLater = (d: Device, seconds = d.interval) => {
    clock.advance(seconds * 1000);
    return poll(d);
  };

  it("links: generate, info, confirm, then the device's poll signs in as the confirming player", async () => {
    const a = await player();
    const before = Date.now();
    const d = await generate("Living-room TV");
    assert.match(d.code, CODE);
    assert.match(d.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(d.interval, 5);
    const expiration = Number(d.expiration);
    assert.ok(Math.abs(expiration - Math.floor(clock.now() / 1000) - 300) <= 2, `expiration ${d.expiration} (now ${before})`);

    assertPoll(await poll(d), 400, "authorization_pending", 9);
    const info = ok(await t.api.withToken("POST", INFO, a.token, { sign_in_code: d.code }));
    assert.deepEqual(info, { sign_in_code: d.code, identifier: "Living-room TV", expiration: d.expiration });
    assert.deepEqual(ok(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code })), {});

    const session = ok(await pollLater(d));
    assert.deepEqual(Object.keys(session).sort(), ["refresh_token", "token"]);
    assert.equal(claimsOf(session.token)["uid"], a.id);
    // The new session is a real one: the account answers with it.
    assert.equal(ok(await t.api.withToken("GET", "/v2/account", session.token)).user.id, a.id);

    await t.server.core.audit.flush();
    const events = await t.server.core.store.admin.listAuditEvents({ kinds: ["code_link_generated", "code_link_confirmed", "sign_in"], limit: 50 });
    const generated = events.find((e) => e.kind === "code_link_generated" && JSON.parse(e.details).code_link_session_id === d.id);
    assert.ok(generated, "code_link_generated recorded");
    assert.equal(JSON.parse(generated.details).identifier, "Living-room TV");
    const confirmed = events.find((e) => e.kind === "code_link_confirmed" && JSON.parse(e.details).code_link_session_id === d.id);
    assert.equal(confirmed?.actorType, "user");
    assert.equal(confirmed?.userId, a.id);
    assert.ok(events.some((e) => e.kind === "sign_in" && e.userId === a.id && JSON.parse(e.details).provider === "code_link"));
  });

  it("is single use: after the sign-in the session id answers expired_token and the code is gone", async () => {
    const a = await player();
    const d = await generate();
    ok(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code }));
    ok(await pollLater(d));
    assertPoll(await pollLater(d), 404, "expired_token", 5);
    assertError(await t.api.withToken("POST", INFO, a.token, { sign_in_code: d.code }), 404, "Sign-in code not found or expired.");
    assertError(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code }), 404, "Sign-in code not found or expired.");
  });

  it("takes the code in any case, with or without its dash, with spaces", async () => {
    const a = await player();
    const d = await generate("console");
    const bare = d.code.replace("-", "");
    const typed = ` ${bare.slice(0, 2).toLowerCase()} ${bare.slice(2, 6)}-${bare.slice(6).toLowerCase()} `;
    assert.equal(ok(await t.api.withToken("POST", INFO, a.token, { sign_in_code: typed })).sign_in_code, d.code);
    ok(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: bare.toLowerCase() }));
    assert.equal(claimsOf(ok(await pollLater(d)).token)["uid"], a.id);
  });

  it("answers 401 invalid_grant to a wrong verifier, even once confirmed, and does not use the code up", async () => {
    const a = await player();
    const d = await generate();
    ok(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code }));
    const wrong = await poll(d, newVerifier());
    assertPoll(wrong, 401, "invalid_grant", 16);
    assert.match(wrong.headers.get("www-authenticate") ?? "", /^Basic\b/);
    assert.equal(claimsOf(ok(await pollLater(d)).token)["uid"], a.id);
  });

  it("answers slow_down to a poll sooner than the interval, and the interval grows by 5 s for the later polls", async () => {
    const d = await generate();
    assertPoll(await poll(d), 400, "authorization_pending", 9);
    const fast = await poll(d);
    assertPoll(fast, 400, "slow_down", 9);
    assert.equal(fast.body.interval, 10);
    // 5 s later is too soon now.
    const again = await pollLater(d, 5);
    assertPoll(again, 400, "slow_down", 9);
    assert.equal(again.body.interval, 15);
    const pending = await pollLater(d, 15);
    assertPoll(pending, 400, "authorization_pending", 9);
    assert.equal(pending.body.interval, 15);
  });

  it("expires: after code_link.expiry_sec the code is not found and the poll answers expired_token", async () => {
    const a = await player();
    const d = await generate();
    clock.advance(299_000);
    ok(await t.api.withToken("POST", INFO, a.token, { sign_in_code: d.code }));
    clock.advance(2_000);
    assertError(await t.api.withToken("POST", INFO, a.token, { sign_in_code: d.code }), 404, "Sign-in code not found or expired.");
    assertError(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code }), 404, "Sign-in code not found or expired.");
    assertPoll(await poll(d), 404, "expired_token", 5);
  });

  it("does not sign in with a code confirmed and then left to expire", async () => {
    const a = await player();
    const d = await generate();
    ok(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code }));
    clock.advance(301_000);
    assertPoll(await poll(d), 404, "expired_token", 5);
  });

  it("keeps a code to its first confirmer: another account gets 409, and info does not show it to them", async () => {
    const [a, b] = [await player(), await player()];
    const d = await generate();
    ok(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code }));
    assert.deepEqual(ok(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code })), {}, "the same account again: a no-op");
    assertError(await t.api.withToken("POST", CONFIRM, b.token, { sign_in_code: d.code }), 409, "Sign-in code already confirmed by another account.");
    assertError(await t.api.withToken("POST", INFO, b.token, { sign_in_code: d.code }), 404, "Sign-in code not found or expired.");
    assert.equal(claimsOf(ok(await pollLater(d)).token)["uid"], a.id);
  });

  it("gives exactly one session to concurrent polls of a confirmed code", async () => {
    const a = await player();
    const d = await generate();
    ok(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code }));
    clock.advance(5_000);
    const answers = await Promise.all(Array.from({ length: 8 }, () => poll(d)));
    assert.equal(answers.filter((r) => r.status === 200).length, 1, JSON.stringify(answers.map((r) => r.status)));
    for (const r of answers.filter((x) => x.status !== 200)) assertPoll(r, 404, "expired_token", 5);
    const sessions = await t.server.core.store.listSessions(a.id, Math.floor(clock.now() / 1000));
    assert.equal(sessions.length, 2, "the device sign-in's session and the code's one");
  });

  it("refuses a banned account: it cannot confirm, and a code it confirmed before its ban does not sign in", async () => {
    const a = await player();
    const d = await generate();
    ok(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: d.code }));
    await banAccount(t.server.core, a.id);
    assertError(await pollLater(d), 403, "User account banned.", 7);

    // A ban written while a session is still live (as on a node that has not seen it yet).
    const b = await player();
    const e = await generate();
    await t.server.core.store.setDisableTime(b.id, clock.now(), clock.now());
    assertError(await t.api.withToken("POST", CONFIRM, b.token, { sign_in_code: e.code }), 403, "User account banned.", 7);
    assertPoll(await pollLater(e), 400, "authorization_pending", 9);
  });

  it("refuses bad input with 400 and a message naming the field", async () => {
    const a = await player();
    const cases: [string, Record<string, unknown>, string | RegExp][] = [
      [GENERATE, {}, /code_challenge/],
      [GENERATE, { code_challenge: "ABC" }, "code_challenge must be the lower-case hex SHA-256 of the code verifier: 64 characters of 0-9 a-f."],
      [GENERATE, { code_challenge: challengeOf("x").toUpperCase() }, /code_challenge must be the lower-case hex/],
      [GENERATE, { code_challenge: challengeOf("x"), identifier: "é".repeat(65) }, "identifier must be at most 128 bytes (UTF-8)."],
      [GENERATE, { code_challenge: challengeOf("x"), identifier: "tv\u0000" }, "identifier must not contain control characters."],
      [GENERATE, { code_challenge: challengeOf("x"), identifier: 5 }, /identifier/],
      [SIGN_IN, { code_link_session_id: "nope", code_verifier: newVerifier() }, "code_link_session_id must be the UUID that generate returned."],
      [SIGN_IN, { code_link_session_id: "00000000-0000-7000-8000-000000000000", code_verifier: "short" }, /code_verifier must be 43-128 characters/],
      [SIGN_IN, { code_link_session_id: "00000000-0000-7000-8000-000000000000", code_verifier: "a".repeat(129) }, /code_verifier must be 43-128/],
      [SIGN_IN, { code_verifier: newVerifier() }, /code_link_session_id/],
    ];
    for (const [path, body, message] of cases) assertError(await t.api.withKey(path, body), 400, message, 3);
    for (const typed of ["", "BCDF-GHJ", "BCDF-GHJKL", "AEIO-UBCD", "BCDF-GHJ1"]) {
      assertError(await t.api.withToken("POST", INFO, a.token, { sign_in_code: typed }), 400, /^sign_in_code must be 8 letters of BCDFGHJKLMNPQRSTVWXZ/, 3);
    }
    assertError(await t.api.withToken("POST", CONFIRM, a.token, {}), 400, /sign_in_code/, 3);
    // An unknown but well-formed session id is an expired code, as Unity's SDK reads a 404.
    assertPoll(
      await t.api.withKey(SIGN_IN, { code_link_session_id: "00000000-0000-7000-8000-000000000000", code_verifier: newVerifier() }),
      404,
      "expired_token",
      5,
    );
  });

  it("needs the server key for the device's calls and a session for the player's", async () => {
    const d = await generate();
    assert.equal((await t.api.call("POST", GENERATE, { body: { code_challenge: challengeOf("x") } })).status, 401);
    assert.equal((await t.api.call("POST", SIGN_IN, { body: { code_link_session_id: d.id, code_verifier: d.verifier } })).status, 401);
    assert.equal((await t.api.call("POST", INFO, { body: { sign_in_code: d.code } })).status, 401);
    assert.equal((await t.api.withKey(CONFIRM, { sign_in_code: d.code })).status, 401);
  });
});

describe("Code-Link lookup limits", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ "code_link.lookups_per_account": 3, "code_link.lookups_per_ip": 5 });
  });
  after(() => t.close());

  it("limits lookups per account and per client address with 429 and Retry-After, a right code included", async () => {
    const verifier = newVerifier();
    const code = ok(await t.api.withKey(GENERATE, { code_challenge: challengeOf(verifier) })).sign_in_code as string;
    const a = await t.api.device(deviceId());
    for (let i = 0; i < 3; i++)
      assertError(await t.api.withToken("POST", INFO, a.token, { sign_in_code: "BBBB-BBBB" }), 404, "Sign-in code not found or expired.");
    const limited = await t.api.withToken("POST", INFO, a.token, { sign_in_code: code });
    assertError(limited, 429, /^Too many sign-in code lookups; retry in \d+ s\.$/, 8);
    assert.match(limited.headers.get("retry-after") ?? "", /^\d+$/);
    assertError(await t.api.withToken("POST", CONFIRM, a.token, { sign_in_code: code }), 429, /Too many sign-in code lookups/, 8);

    // Another account from the same address: two more lookups fit under the address's 5.
    const b = await t.api.device(deviceId());
    ok(await t.api.withToken("POST", INFO, b.token, { sign_in_code: code }));
    assertError(await t.api.withToken("POST", INFO, b.token, { sign_in_code: "CCCC-CCCC" }), 404, "Sign-in code not found or expired.");
    assertError(await t.api.withToken("POST", CONFIRM, b.token, { sign_in_code: code }), 429, /Too many sign-in code lookups/, 8);
  });
});
