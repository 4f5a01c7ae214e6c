/**
 * `GameServerSession`'s renewal schedule. A real server's game-server tokens live at least 60 s
 * (`tickets.game_server_token_expiry_sec`), too long to wait for in a test, so here the session
 * gets tokens of 2 s from a sign-in function that counts its calls; sign-in against a real server
 * (and `renew()` with it) is covered in auth-tickets.test.ts. Time is `ManualTime`: the schedule
 * runs as it would in real time, without the waiting.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { GameServerSession, TesseraError, refreshTiming, type GameServerTokenJson } from "../../src/index.js";
import { ManualTime } from "../support/manual-time.js";

/** A token shaped like the server's (unsigned: the SDK only reads its claims). */
function answer(lifetimeSec: number): GameServerTokenJson {
  const iat = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const tid = randomUUID();
  const token = `${part({ alg: "HS256", typ: "JWT" })}.${part({ tid, gsi: "eu-west-1", iat, exp: iat + lifetimeSec })}.c2ln`;
  return { token, identity: "eu-west-1", session_id: tid, expire_time: new Date((iat + lifetimeSec) * 1000).toISOString() };
}

describe("GameServerSession", { concurrency: true }, () => {
  it("renews its token before it expires, on the schedule of the token's own lifetime", async () => {
    let signIns = 0;
    const time = new ManualTime();
    const session = new GameServerSession(
      answer(2),
      async () => {
        signIns++;
        return answer(2);
      },
      { clock: time, timers: time },
    );
    try {
      const first = { token: session.token, id: session.sessionId };
      assert.equal(session.identity, "eu-west-1");
      assert.equal(refreshTiming(2).refreshAfterSec, 1.5);
      await time.advanceUntil(() => signIns === 1, "the first renewal", 5_000);
      assert.notEqual(session.token, first.token);
      assert.notEqual(session.sessionId, first.id);
      assert.equal(session.isExpired, false);
      await time.advanceUntil(() => signIns === 2, "the next renewal, scheduled from the new token", 5_000);
    } finally {
      session.close();
    }
  });

  it("retries a renewal that failed for want of an answer; a refused one waits for getToken()", async () => {
    const outcomes: ("transport" | "refused" | "ok")[] = ["transport", "transport", "ok", "refused"];
    let signIns = 0;
    const time = new ManualTime();
    const session = new GameServerSession(
      answer(2),
      async () => {
        const outcome = outcomes[signIns++] ?? "refused";
        if (outcome === "transport") throw new TesseraError("transport", 14, "Cannot reach the server.", 0);
        if (outcome === "refused") throw new TesseraError("api", 16, "Game server credentials invalid.", 401);
        return answer(2);
      },
      { clock: time, timers: time },
    );
    try {
      const first = session.token;
      await time.advanceUntil(() => signIns === 3, "two retries after transport errors", 5_000, 10);
      await time.advanceUntil(() => session.token !== first, "the renewed token", 15_000, 10);
      const renewed = session.token;
      await time.advanceUntil(() => signIns === 4, "the renewal that is refused", 5_000);
      await time.advanceUntil(() => session.isExpired, "the token's expiry", 5_000);
      // No timer retries a refusal; getToken() tries again, and rejects once the token has expired.
      assert.equal(signIns, 4);
      await assert.rejects(session.getToken(), (e: unknown) => e instanceof TesseraError && e.status === 401);
      assert.equal(signIns, 5);
      assert.equal(session.token, renewed);
    } finally {
      session.close();
    }
  });
});
