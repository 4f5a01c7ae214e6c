/**
 * Refresh token rotation under concurrency, against the real CLI (src/session/refresh.ts):
 * parallel refreshes with one token all succeed with identical tokens; the token just rotated out
 * is a duplicate only within `session.refresh_reuse_grace_sec`; any other reuse revokes the whole
 * session, and only that session.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ChildServers } from "../support/child-servers.js";
import { Api, claimsOf } from "../support/harness.js";

const START_TIMEOUT_MS = 20_000;
const INVALID_REFRESH = "Refresh token invalid or expired.";

interface Tokens {
  token: string;
  refresh_token: string;
}

/** The suite's child servers and data directories, stopped and removed at the end. */
const children = new ChildServers("tessera-refresh-", START_TIMEOUT_MS);

async function serve(graceSec: number): Promise<Api> {
  const s = await children.serve(["--port", "0", "--data-dir", children.dir(), "--session.refresh_reuse_grace_sec", String(graceSec)]);
  return new Api(s.url);
}

after(() => children.close(5_000));

/** Grace window of 1 s: reuse after it is tested by waiting. */
let shortGrace: Api;
/** Grace window of 60 s: every duplicate in these tests is inside it, however slow the machine. */
let longGrace: Api;

before(async () => {
  [shortGrace, longGrace] = await Promise.all([serve(1), serve(60)]);
});

/** The body is the new tokens on 200 and `{code, message}` otherwise. */
function refresh(api: Api, refreshToken: string) {
  return api.withKey<Tokens & { code?: number; message?: string }>("/v2/account/session/refresh", { token: refreshToken });
}

async function refreshOk(api: Api, refreshToken: string): Promise<Tokens> {
  const res = await refresh(api, refreshToken);
  assert.equal(res.status, 200, `refresh: ${JSON.stringify(res.body)}`);
  return { token: res.body.token, refresh_token: res.body.refresh_token };
}

async function expectRefreshRejected(api: Api, refreshToken: string, what: string): Promise<void> {
  const res = await refresh(api, refreshToken);
  assert.equal(res.status, 401, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.message, INVALID_REFRESH);
}

async function accountStatus(api: Api, accessToken: string): Promise<number> {
  return (await api.withToken("GET", "/v2/account", accessToken)).status;
}

describe("refresh rotation", () => {
  it("20 parallel refreshes with one token all succeed and agree on one new refresh token", async () => {
    const api = longGrace;
    const s0 = await api.device("race-device-parallel-1");
    const uid = claimsOf(s0.token).uid;

    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(api, s0.refresh_token)));
    for (const res of results) assert.equal(res.status, 200, JSON.stringify(res.body));
    const refreshTokens = new Set(results.map((r) => r.body.refresh_token));
    const accessTokens = new Set(results.map((r) => r.body.token));
    assert.equal(refreshTokens.size, 1, "exactly one distinct new refresh token");
    assert.equal(accessTokens.size, 1, "exactly one distinct new access token");
    const [r1] = [...refreshTokens] as [string];
    const [a1] = [...accessTokens] as [string];
    assert.notEqual(r1, s0.refresh_token, "the refresh token was rotated");
    assert.equal(claimsOf(r1).tid, claimsOf(s0.refresh_token).tid, "same session");
    assert.equal(claimsOf(a1).uid, uid);

    // Nobody was signed out: the one new token pair works.
    assert.equal(await accountStatus(api, a1), 200);
    const s2 = await refreshOk(api, r1);
    assert.notEqual(s2.refresh_token, r1);
    const account = await api.withToken("GET", "/v2/account", s2.token);
    assert.equal(account.status, 200);
    assert.equal(account.body.user.id, uid);
    // And it rotates on: the token of the refresh before is now the one just rotated out.
    const s3 = await refreshOk(api, s2.refresh_token);
    assert.equal(await accountStatus(api, s3.token), 200);
  });

  it("a duplicate inside the grace window after one rotation gets the winner's tokens", async () => {
    const api = longGrace;
    const s0 = await api.device("race-device-duplicate-1");
    const winner = await refreshOk(api, s0.refresh_token);
    const duplicate = await refreshOk(api, s0.refresh_token);
    assert.deepEqual(duplicate, winner);
    const again = await refreshOk(api, s0.refresh_token);
    assert.deepEqual(again, winner);
    // The session lives on: the winner's refresh token rotates normally.
    const next = await refreshOk(api, winner.refresh_token);
    assert.notEqual(next.refresh_token, winner.refresh_token);
    assert.equal(await accountStatus(api, next.token), 200);
  });

  it("reuse of a token two generations old revokes the session, even inside the grace window", async () => {
    const api = longGrace;
    const s0 = await api.device("race-device-twogen-1");
    const other = await api.device("race-device-twogen-1"); // a second session of the same account
    assert.equal(other.created, undefined);
    const s1 = await refreshOk(api, s0.refresh_token);
    const s2 = await refreshOk(api, s1.refresh_token);
    assert.equal(await accountStatus(api, s2.token), 200);

    await expectRefreshRejected(api, s0.refresh_token, "two generations old");
    // The whole session is revoked: newest access and refresh tokens, and the one just rotated out.
    assert.equal(await accountStatus(api, s2.token), 401);
    await expectRefreshRejected(api, s2.refresh_token, "newest refresh token after reuse");
    await expectRefreshRejected(api, s1.refresh_token, "previous refresh token after reuse");
    // Only that session: the account's other session keeps working.
    assert.equal(await accountStatus(api, other.token), 200);
    const otherNext = await refreshOk(api, other.refresh_token);
    assert.equal(await accountStatus(api, otherNext.token), 200);
  });

  it("reuse of the rotated token after the grace window revokes the whole session only", async () => {
    const api = shortGrace;
    const s0 = await api.device("race-device-aftergrace-1");
    const other = await api.device("race-device-aftergrace-1");
    assert.equal(claimsOf(other.token).uid, claimsOf(s0.token).uid);
    assert.notEqual(claimsOf(other.token).tid, claimsOf(s0.token).tid);

    const s1 = await refreshOk(api, s0.refresh_token);
    assert.equal(await accountStatus(api, s1.token), 200);
    // The rotation happened before the answer: 1.2 s from now is past the 1 s window.
    await new Promise((r) => setTimeout(r, 1_200));

    await expectRefreshRejected(api, s0.refresh_token, "rotated token after the grace window");
    // The newest tokens of that session are rejected too.
    const newest = await api.withToken("GET", "/v2/account", s1.token);
    assert.equal(newest.status, 401);
    assert.equal(newest.body.message, "Auth token invalid");
    await expectRefreshRejected(api, s1.refresh_token, "newest refresh token after reuse");
    // Another session of the same account keeps working.
    assert.equal(await accountStatus(api, other.token), 200);
    const otherNext = await refreshOk(api, other.refresh_token);
    assert.equal(await accountStatus(api, otherNext.token), 200);
    // The account itself is fine: a new sign-in works.
    const fresh = await api.device("race-device-aftergrace-1");
    assert.equal(await accountStatus(api, fresh.token), 200);
  });

  it("after the grace window the current refresh token still rotates normally", async () => {
    // Control for the test above: after the window the current token still rotates normally.
    const api = shortGrace;
    const s0 = await api.device("race-device-aftergrace-2");
    const s1 = await refreshOk(api, s0.refresh_token);
    await new Promise((r) => setTimeout(r, 1_200));
    const s2 = await refreshOk(api, s1.refresh_token);
    assert.equal(await accountStatus(api, s2.token), 200);
  });
});
