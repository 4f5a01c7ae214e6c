/**
 * Brute force and abuse (docs/security.md, "Brute force and abuse"): the sliding-window limiter
 * itself, the sign-in rate limits per client address and per identifier over real HTTP (clients
 * on different loopback addresses, 127.0.0.2 …), the bound on concurrent password hashing under
 * a flood of email sign-ins, and answers to unknown accounts that match wrong passwords in shape
 * and in time (no account enumeration).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { FrozenClock, TestClock } from "../support/test-clock.js";
import { MemoryRateLimiter } from "../../src/limits/rate-limiter.js";
import { clientKey, MAX_TRACKED_KEYS } from "../../src/limits/sign-in-limits.js";
import { ConcurrencyLimit, OverloadedError } from "../../src/limits/concurrency-limit.js";
import { SERVER_KEY, startTestServer, type TestServer } from "../support/harness.js";
import { PASSWORD, assertError, customId, deviceId, email, ok, username } from "../support/expect.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  ms: number;
}

/** One HTTP request from a chosen local address (Linux routes all of 127.0.0.0/8 to loopback). */
function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; serverKey?: string; from?: string; bearer?: string } = {},
): Promise<Answer> {
  const url = new URL(path, base);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string | number> = {};
  if (payload !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["Content-Length"] = Buffer.byteLength(payload);
  }
  if (options.serverKey !== undefined) headers["Authorization"] = "Basic " + Buffer.from(options.serverKey + ":").toString("base64");
  if (options.bearer !== undefined) headers["Authorization"] = "Bearer " + options.bearer;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress: options.from, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = text === "" ? undefined : JSON.parse(text);
          } catch {
            // Not JSON: keep the text.
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - started });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const signIn = (base: string, path: string, body: unknown, from = "127.0.0.1") => call(base, "POST", path, { body, serverKey: SERVER_KEY, from });

function assertLimited(res: Answer, context = ""): number {
  assert.equal(res.status, 429, `${context} ${res.status} ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body).sort(), ["code", "message"]);
  assert.equal(res.body.code, 8);
  assert.match(res.body.message, /^Too many sign-in attempts; retry in \d+ s\.$/);
  const retryAfter = Number(res.headers["retry-after"]);
  // A sliding window: a full burst slides out within two windows at most.
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 120, `Retry-After ${res.headers["retry-after"]}`);
  assert.equal(res.body.message, `Too many sign-in attempts; retry in ${retryAfter} s.`);
  return retryAfter;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

describe("sliding-window rate limiter", () => {
  it("allows the limit, then refuses with the exact wait, and does not count refusals", () => {
    const clock = new FrozenClock(1_000_000);
    const limiter = new MemoryRateLimiter({ limit: 3, windowMs: 60_000, maxKeys: 10, clock });
    for (let i = 0; i < 3; i++) assert.deepEqual(limiter.attemptNow("k"), { allowed: true });
    // The burst filled the window at its start. Next window, the burst counts in proportion to
    // its remaining overlap: it is down to 2 of 3 one third into that window, at 60 + 20 s.
    assert.deepEqual(limiter.attemptNow("k"), { allowed: false, retryAfterSec: 80 });
    clock.t += 30_000;
    assert.deepEqual(limiter.attemptNow("k"), { allowed: false, retryAfterSec: 50 });
    for (let i = 0; i < 50; i++) limiter.attemptNow("k");
    assert.deepEqual(limiter.attemptNow("k"), { allowed: false, retryAfterSec: 50 }, "refused attempts are not counted");
    // Another key is independent.
    assert.deepEqual(limiter.attemptNow("other"), { allowed: true });
    clock.t += 49_000;
    assert.deepEqual(limiter.attemptNow("k"), { allowed: false, retryAfterSec: 1 });
    clock.t += 1_000;
    assert.deepEqual(limiter.attemptNow("k"), { allowed: true }, "allowed exactly when Retry-After said");
  });

  it("slides: the previous window's attempts count in proportion to their overlap", () => {
    const clock = new FrozenClock(1_000_000);
    const limiter = new MemoryRateLimiter({ limit: 10, windowMs: 60_000, maxKeys: 10, clock });
    for (let i = 0; i < 10; i++) assert.equal(limiter.attemptNow("k").allowed, true);
    clock.t += 60_000 + 30_000; // Half of the previous window still overlaps: it counts as 5.
    for (let i = 0; i < 5; i++) assert.equal(limiter.attemptNow("k").allowed, true, `attempt ${i}`);
    const refused = limiter.attemptNow("k");
    assert.equal(refused.allowed, false);
    clock.t += 120_000;
    assert.equal(limiter.attemptNow("k").allowed, true, "two windows later everything has slid out");
  });

  it("holds at most maxKeys keys however many an attacker rotates through, and forgets idle keys", () => {
    const clock = new FrozenClock(1_000_000);
    const limiter = new MemoryRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 1000, clock });
    for (let i = 0; i < 50_000; i++) limiter.attemptNow(`ip:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    assert.equal(limiter.size, 1000);
    // Fresh keys evict the least recently used; a key in use keeps its count.
    assert.equal(limiter.attemptNow("victim").allowed, true);
    assert.equal(limiter.attemptNow("victim").allowed, false);
    // Two windows later every key is idle; each attempt drops up to two idle keys from the old end,
    // so 600 attempts clear all 1000 and only the 600 new keys remain.
    clock.t += 121_000;
    for (let i = 0; i < 600; i++) limiter.attemptNow(`late-${i}`);
    assert.equal(limiter.size, 600);
    assert.equal(MAX_TRACKED_KEYS, 100_000);
  });

  it("counts a client by its IPv4 address, an IPv4-mapped address as IPv4, and IPv6 by its /64", () => {
    assert.equal(clientKey("203.0.113.7"), "ip:203.0.113.7");
    assert.equal(clientKey("::ffff:203.0.113.7"), "ip:203.0.113.7");
    assert.equal(clientKey("2001:db8:1:2:3:4:5:6"), "ip6:2001:db8:1:2");
    assert.equal(clientKey("2001:db8:1:2::9"), "ip6:2001:db8:1:2");
    assert.equal(clientKey("2001:0db8:0001:0002:ffff::1"), "ip6:2001:db8:1:2");
    assert.equal(clientKey("2001:db8::1"), "ip6:2001:db8:0:0");
    assert.equal(clientKey("::1"), "ip6:0:0:0:0");
    assert.equal(clientKey("fe80::1%eth0"), "ip6:fe80:0:0:0");
    assert.notEqual(clientKey("2001:db8:1:3::1"), clientKey("2001:db8:1:2::1"));
    assert.equal(clientKey(null), "ip:unknown");
  });
});

describe("bounded concurrency", () => {
  it("runs at most `concurrency` tasks, queues at most `queueLimit`, refuses the rest at once, in order", async () => {
    const limit = new ConcurrencyLimit(2, 3, "test");
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const task = (i: number) => () =>
      new Promise<number>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        gates.push(() => {
          running--;
          resolve(i);
        });
      });
    const accepted = [0, 1, 2, 3, 4].map((i) => limit.run(task(i)));
    await assert.rejects(limit.run(task(5)), (err: unknown) => err instanceof OverloadedError);
    assert.deepEqual([limit.active, limit.queued], [2, 3]);
    while (gates.length > 0 || limit.active > 0) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(await Promise.all(accepted), [0, 1, 2, 3, 4]);
    assert.deepEqual(order, [0, 1, 2, 3, 4], "first come, first served");
    assert.equal(peak, 2);
    assert.deepEqual([limit.active, limit.queued], [0, 0]);
  });
});

describe("sign-in rate limits over HTTP", () => {
  const clock = new TestClock();
  let t: TestServer;
  before(async () => {
    t = await startTestServer(
      {
        "ratelimit.signin_per_ip": 6,
        "ratelimit.signin_per_identifier": 3,
        "tickets.game_servers": JSON.stringify([{ identity: "eu-west-1", secret: "abuse-game-server-secret-00000001" }]),
      },
      undefined,
      { clock },
    );
  });
  after(() => t.close());

  it("per address: every sign-in route counts, the 7th attempt from one address is 429 with Retry-After, another address is not affected", async () => {
    const from = "127.0.0.2";
    const attempts: [string, unknown][] = [
      ["/v2/account/authenticate/device", { id: deviceId() }],
      ["/v2/account/authenticate/custom", { id: customId() }],
      ["/v2/account/authenticate/email", { email: email(), password: PASSWORD }],
      ["/v2/account/authenticate/anonymous", {}],
      ["/v2/account/authenticate/steam", { token: "00" }],
      ["/v2/tickets/server/authenticate", { identity: "eu-west-1", secret: "wrong-secret-wrong-secret-wrong-secret" }],
    ];
    for (const [path, body] of attempts) assert.notEqual((await signIn(t.url, path, body, from)).status, 429, path);
    for (const [path, body] of attempts) assertLimited(await signIn(t.url, path, body, from), path);
    assert.equal((await signIn(t.url, "/v2/account/authenticate/device", { id: deviceId() }, "127.0.0.3")).status, 200);
  });

  it("per identifier: the 4th attempt naming one email is 429 from any address; other emails still get in", async () => {
    const EMAIL = "/v2/account/authenticate/email";
    const target = email();
    assert.equal((await signIn(t.url, EMAIL, { email: target, password: PASSWORD }, "127.0.2.1")).status, 200);
    // The attacker spreads guesses over addresses (and spellings); the identifier limit still holds.
    assert.deepEqual((await signIn(t.url, EMAIL, { email: target, password: "guess-number-1" }, "127.0.2.2")).body, {
      code: 16,
      message: "Invalid credentials.",
    });
    assert.deepEqual((await signIn(t.url, EMAIL, { email: target.toUpperCase(), password: "guess-number-2" }, "127.0.2.3")).body, {
      code: 16,
      message: "Invalid credentials.",
    });
    assertLimited(await signIn(t.url, EMAIL, { email: target, password: "guess-number-3" }, "127.0.2.4"));
    // Even the right password waits: the limit is checked before the account is looked at.
    assertLimited(await signIn(t.url, EMAIL, { email: target, password: PASSWORD }, "127.0.2.5"));
    assert.equal((await signIn(t.url, EMAIL, { email: email(), password: PASSWORD }, "127.0.2.1")).status, 200);
  });

  it("per identifier: device ids, custom ids, usernames and game-server identities each count", async () => {
    const cases: [string, string, () => unknown][] = [
      ["device", "/v2/account/authenticate/device", ((id) => () => ({ id }))(deviceId())],
      ["custom", "/v2/account/authenticate/custom", ((id) => () => ({ id }))(customId())],
      ["username", `/v2/account/authenticate/email?username=${username()}`, () => ({ password: PASSWORD })],
      ["game server", "/v2/tickets/server/authenticate", () => ({ identity: "ap-south-2", secret: "guess-guess-guess-guess-guess-guess" })],
    ];
    let address = 10;
    for (const [name, path, body] of cases) {
      for (let i = 0; i < 3; i++) assert.notEqual((await signIn(t.url, path, body(), `127.0.1.${address++}`)).status, 429, `${name} attempt ${i}`);
      assertLimited(await signIn(t.url, path, body(), `127.0.1.${address++}`), name);
    }
  });

  it("a refused client gets in again once Retry-After has passed", async () => {
    const DEVICE = "/v2/account/authenticate/device";
    const id = deviceId();
    for (let i = 0; i < 3; i++) assert.equal((await signIn(t.url, DEVICE, { id }, "127.0.3.1")).status, 200);
    const retryAfter = assertLimited(await signIn(t.url, DEVICE, { id }, "127.0.3.2"));
    clock.advance((retryAfter - 1) * 1000);
    assertLimited(await signIn(t.url, DEVICE, { id }, "127.0.3.3"), "one second early");
    clock.advance(1000);
    assert.equal((await signIn(t.url, DEVICE, { id }, "127.0.3.4")).status, 200);
  });

  it("refresh and bearer calls are not sign-ins: they are not limited", async () => {
    const first = await signIn(t.url, "/v2/account/authenticate/device", { id: deviceId() }, "127.0.0.9");
    assert.equal(first.status, 200);
    let s = first.body as { token: string; refresh_token: string };
    for (let i = 0; i < 10; i++) {
      const r = await call(t.url, "POST", "/v2/account/session/refresh", { body: { token: s.refresh_token }, serverKey: SERVER_KEY, from: "127.0.0.9" });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      s = r.body;
      assert.equal((await call(t.url, "GET", "/v2/account", { bearer: s.token, from: "127.0.0.9" })).status, 200);
    }
  });
});

describe("sign-in rate limits: defaults and off", () => {
  it("apply by default (120 per address, 10 per identifier per minute) and 0 turns each off", async () => {
    const { loadConfig } = await import("../../src/config/config.js");
    const defaults = loadConfig({ env: {} });
    assert.deepEqual(defaults.ratelimit, { signinPerIp: 120, signinPerIdentifier: 10 });
    const off = await startTestServer({ "ratelimit.signin_per_ip": 0, "ratelimit.signin_per_identifier": 0 });
    try {
      const id = deviceId();
      for (let i = 0; i < 30; i++) ok(await off.api.withKey("/v2/account/authenticate/device", { id }));
    } finally {
      await off.close();
    }
    const on = await startTestServer({ "ratelimit.signin_per_ip": 120, "ratelimit.signin_per_identifier": 10 });
    try {
      const id = deviceId();
      for (let i = 0; i < 10; i++) ok(await on.api.withKey("/v2/account/authenticate/device", { id }));
      assertLimited(await signIn(on.url, "/v2/account/authenticate/device", { id }));
    } finally {
      await on.close();
    }
  });
});

describe("password hashing under a flood of email sign-ins", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ "auth.password_hash_concurrency": 1, "auth.password_hash_queue": 4 });
  });
  after(() => t.close());

  it("runs at most concurrency + queue hashes; the excess is 503 with Retry-After at once; the event loop stays responsive", async () => {
    const FLOOD = 100;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const health: number[] = [];
    let flooding = true;
    const prober = (async () => {
      while (flooding) {
        const r = await call(t.url, "GET", "/healthz");
        assert.equal(r.status, 200);
        health.push(r.ms);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, () => signIn(t.url, "/v2/account/authenticate/email", { email: email(), password: PASSWORD })),
    );
    flooding = false;
    await prober;
    delay.disable();

    const created = answers.filter((a) => a.status === 200);
    const busy = answers.filter((a) => a.status === 503);
    assert.equal(
      created.length + busy.length,
      FLOOD,
      `only 200 or 503: ${JSON.stringify(answers.filter((a) => a.status !== 200 && a.status !== 503).map((a) => [a.status, a.body]))}`,
    );
    assert.ok(created.length >= 5, `${created.length} created: one running and four queued at least`);
    assert.ok(busy.length >= FLOOD / 2, `${busy.length} refused with 503`);
    for (const b of busy) {
      assert.deepEqual(b.body, { code: 14, message: "Too many password checks in progress; retry shortly." });
      assert.equal(b.headers["retry-after"], "1");
    }
    // The refusals do not wait for hashing: they come back sooner than the sign-ins that hashed.
    assert.ok(
      median(busy.map((b) => b.ms)) < median(created.map((c) => c.ms)),
      `503 median ${median(busy.map((b) => b.ms)).toFixed(1)} ms, 200 median ${median(created.map((c) => c.ms)).toFixed(1)} ms`,
    );
    // Generous bounds for a loaded 2-core CI machine; a starved event loop takes seconds.
    assert.ok(health.length >= 1);
    assert.ok(median(health) < 250, `/healthz median ${median(health).toFixed(1)} ms during the flood`);
    assert.ok(delay.percentile(99) / 1e6 < 500, `event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`);
    // Afterwards the hasher is idle again and sign-ins work.
    const limit = (t.server.core.passwords as unknown as { limit: ConcurrencyLimit }).limit;
    assert.deepEqual([limit.active, limit.queued], [0, 0]);
    ok(await t.api.withKey("/v2/account/authenticate/email", { email: email(), password: PASSWORD }));
  });
});

describe("no account enumeration through password sign-in", () => {
  let t: TestServer;
  const known = email();
  const knownName = username("known");
  const passwordless = username("nopass");
  before(async () => {
    t = await startTestServer();
    ok(await t.api.withKey(`/v2/account/authenticate/email?username=${knownName}`, { email: known, password: PASSWORD }));
    ok(await t.api.withKey(`/v2/account/authenticate/device?username=${passwordless}`, { id: deviceId() }));
  });
  after(() => t.close());

  const EMAIL = "/v2/account/authenticate/email";
  const pairs: [string, () => [string, unknown], () => [string, unknown]][] = [
    [
      "unknown email (create=false) vs wrong password",
      () => [`${EMAIL}?create=false`, { email: email(), password: PASSWORD }],
      () => [`${EMAIL}?create=false`, { email: known, password: "wrong password 1" }],
    ],
    [
      "unknown username vs wrong password",
      () => [`${EMAIL}?username=${username("ghost")}`, { password: PASSWORD }],
      () => [`${EMAIL}?username=${knownName}`, { password: "wrong password 1" }],
    ],
    [
      "account without a password vs wrong password",
      () => [`${EMAIL}?username=${passwordless}`, { password: PASSWORD }],
      () => [`${EMAIL}?username=${knownName}`, { password: "wrong password 2" }],
    ],
  ];

  for (const [name, unknownCase, wrongCase] of pairs) {
    it(`${name}: the same status, body and challenge, and similar time`, async () => {
      const ROUNDS = 15;
      const unknownMs: number[] = [];
      const wrongMs: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        // Interleaved, so a load spike on the machine hits both sides alike, and in alternating
        // order, so neither side is always the one that runs right after the other.
        const [pu, bu] = unknownCase();
        const [pw, bw] = wrongCase();
        let u: Awaited<ReturnType<typeof signIn>>;
        let w: Awaited<ReturnType<typeof signIn>>;
        if (i % 2 === 0) {
          u = await signIn(t.url, pu, bu);
          w = await signIn(t.url, pw, bw);
        } else {
          w = await signIn(t.url, pw, bw);
          u = await signIn(t.url, pu, bu);
        }
        assert.deepEqual([u.status, u.body, u.headers["www-authenticate"]], [w.status, w.body, w.headers["www-authenticate"]]);
        assert.deepEqual([w.status, w.body], [401, { code: 16, message: "Invalid credentials." }]);
        unknownMs.push(u.ms);
        wrongMs.push(w.ms);
      }
      // Both sides run one argon2id check (~20-40 ms); without the dummy check the unknown side
      // answers in about 1 ms. A factor of 3 either way cannot flake, and cannot miss that.
      const ratio = median(unknownMs) / median(wrongMs);
      assert.ok(ratio > 1 / 3 && ratio < 3, `median unknown ${median(unknownMs).toFixed(1)} ms vs wrong password ${median(wrongMs).toFixed(1)} ms`);
    });
  }

  it("device and custom ids keep Nakama's 404 for create=false: the id is itself the credential", async () => {
    assertError(await t.api.withKey("/v2/account/authenticate/device?create=false", { id: deviceId() }), 404, "User account not found.");
    assertError(await t.api.withKey("/v2/account/authenticate/custom?create=false", { id: customId() }), 404, "User account not found.");
  });
});
