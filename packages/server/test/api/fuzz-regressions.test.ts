/**
 * The fuzzer's shrunk failing cases, kept as explicit tests on SQLite and PostgreSQL
 * (docs/security.md, "Fuzzing"). Each was a real failure before its fix:
 *
 * 1. A request line or headers past Node's 16 KiB limit got Node's own empty 431 (and a malformed
 *    request an empty 400), not Nakama's `{code, message}` (`HEAD /a…a` with 70,000 characters;
 *    `POST /v2/account/authenticate/device?a…a`).
 * 2. `POST /v2/tickets` past `tickets.max_open_per_session` answered 429 without `Retry-After`.
 * 3. On PostgreSQL, `DELETE /v2/account/sessions/%00` answered 500: the NUL reached the database,
 *    which refuses it in text. The same held for event ids acknowledged by the poll.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import { claimsOf, startTestServer, type TestServer } from "../support/harness.js";
import { assertError, deviceId, ok } from "../support/expect.js";
import { checkAnswer } from "../support/fuzz-answers.js";
import { BACKENDS, backendSettings, backendSkip, dropBackendDatabases } from "../support/backends.js";

const GS_SECRET = "fuzz-regression-game-server-secret-01";

/** One request on a fresh connection; the answer as the fuzzer sees it. */
function raw(url: string, method: string, path: string, body?: string) {
  const u = new URL(url);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; method: string }>((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path, agent: false, headers: body === undefined ? {} : { "Content-Type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), method }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Bytes on a raw TCP connection; resolves with everything the server wrote before closing. */
function tcp(url: string, text: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    let reply = "";
    socket.on("data", (d: Buffer) => (reply += d.toString("latin1")));
    socket.on("close", () => resolve(reply));
    socket.on("error", () => resolve(reply));
    socket.end(text, "latin1");
  });
}

for (const backend of BACKENDS) {
  describe(`fuzz regressions on ${backend}`, { skip: backendSkip(backend) }, () => {
    let t: TestServer;
    before(async () => {
      const db = await backendSettings(backend);
      t = await startTestServer({
        ...db,
        "tickets.game_servers": JSON.stringify([{ identity: "eu-west-1", secret: GS_SECRET }]),
        "tickets.max_open_per_session": 2,
      });
    });
    after(async () => {
      await t.close();
      await dropBackendDatabases(backend);
    });

    it("a request line past the header limit is 431 in Nakama's shape (HEAD: the same head, no body)", async () => {
      const get = await raw(t.url, "GET", "/" + "a".repeat(70_000));
      assert.equal(checkAnswer(get), undefined);
      assert.deepEqual([get.status, JSON.parse(get.text)], [431, { code: 3, message: "Request headers too large." }]);
      const post = await raw(t.url, "POST", "/v2/account/authenticate/device?" + "a".repeat(70_000) + "=%00", "{}");
      assert.deepEqual([post.status, JSON.parse(post.text)], [431, { code: 3, message: "Request headers too large." }]);
      const head = await raw(t.url, "HEAD", "/" + "a".repeat(70_000));
      assert.deepEqual([head.status, head.text, head.headers["content-type"]], [431, "", "application/json"]);
    });

    it("a malformed request on raw TCP is 400 in Nakama's shape, and the server goes on", async () => {
      for (const junk of [
        "GET / HTTP/9.9\r\n\r\n",
        "\u0000\u0001\u0002\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty-name\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n",
      ]) {
        const reply = await tcp(t.url, junk);
        assert.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/, JSON.stringify(junk));
        assert.ok(reply.endsWith('\r\n\r\n{"code":3,"message":"Malformed HTTP request."}'), reply);
      }
      assert.deepEqual(ok(await t.api.call("GET", "/healthz")), { status: "ok" });
    });

    it("POST /v2/tickets past the open-ticket cap is 429 with Retry-After", async () => {
      const s = await t.api.device(deviceId());
      ok(await t.api.withToken("POST", "/v2/tickets", s.token, {}));
      ok(await t.api.withToken("POST", "/v2/tickets", s.token, {}));
      const res = await t.api.withToken("POST", "/v2/tickets", s.token, {});
      assertError(res, 429, /Too many open tickets/, 8);
      assert.equal(res.headers.get("retry-after"), "600");
    });

    it("DELETE /v2/account/sessions/%00 (and other ids that are no UUID) is 404, never 500", async () => {
      const s = await t.api.device(deviceId());
      for (const id of ["%00", "%00%00%00", "a%00b", "not-a-uuid", claimsOf(s.token)["tid"].toUpperCase()]) {
        assertError(await t.api.withToken("DELETE", `/v2/account/sessions/${id}`, s.token), 404, "Session not found.");
      }
      // Not even UTF-8: the router finds no route.
      assertError(await t.api.withToken("DELETE", "/v2/account/sessions/%C0%80", s.token), 404, "Not Found");
      ok(await t.api.withToken("GET", "/v2/account", s.token));
    });

    it("acknowledging event ids that hold NUL or are no UUID acknowledges nothing, never 500", async () => {
      const gs = ok(await t.api.withKey("/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: GS_SECRET })).token;
      const res = ok(
        await t.api.withToken("POST", "/v2/tickets/auth-sessions/poll", gs, {
          ack: ["\u0000", "a\u0000b", "not-an-id", "00000000-0000-4000-8000-000000000000"],
        }),
      );
      assert.deepEqual(res, { events: [] });
    });
  });
}
