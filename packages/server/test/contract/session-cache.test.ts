/**
 * The bearer check's per-node session cache: entries expire, revocations (bus news) drop them at
 * once, a read that began before a revocation cannot put the revoked row back, memory is bounded,
 * and through a real server a revoked token is refused on the very next request while repeated
 * requests with a live token are served without reading the database each time.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { LocalBus } from "../../src/cluster/local-bus.js";
import { SessionCache } from "../../src/session/session-cache.js";
import { claimsOf, startTestServer } from "../support/harness.js";
import { FrozenClock } from "../support/test-clock.js";
import { assertUnauthorized, deviceId, ok } from "../support/expect.js";
import { createTestDatabase, dropAllTestDatabases, postgresSkip } from "../support/postgres.js";

describe("SessionCache", () => {
  it("serves an entry until its TTL, then forgets it", () => {
    const clock = new FrozenClock(1_700_000_000_000);
    const cache = new SessionCache(1000, clock, new LocalBus());
    const id = randomUUID();
    cache.remember(id, "account-1", clock.now());
    assert.equal(cache.accountOf(id), "account-1");
    clock.t += 999;
    assert.equal(cache.accountOf(id), "account-1");
    clock.t += 1;
    assert.equal(cache.accountOf(id), undefined);
    cache.close();
  });

  it("drops entries on sessions_revoked news and refuses a read that began before the revocation", async () => {
    const clock = new FrozenClock(1_700_000_000_000);
    const bus = new LocalBus();
    const cache = new SessionCache(1000, clock, bus);
    const id = randomUUID();
    cache.remember(id, "account-1", clock.now());
    const readBefore = clock.now();
    clock.t += 5;
    await bus.publish({ type: "sessions_revoked", userId: "account-1", sessionIds: [id], reason: "logout" });
    assert.equal(cache.accountOf(id), undefined);
    cache.remember(id, "account-1", readBefore);
    assert.equal(cache.accountOf(id), undefined, "a session read before the revocation is not cached again");
    clock.t += 1;
    cache.remember(id, "account-1", clock.now());
    assert.equal(cache.accountOf(id), "account-1", "a read after the revocation may be cached (it would have seen the revocation)");
    cache.close();
  });

  it("is off with a TTL of 0", () => {
    const clock = new FrozenClock(1_700_000_000_000);
    const off = new SessionCache(0, clock, new LocalBus());
    const id = randomUUID();
    off.remember(id, "account-1", clock.now());
    assert.equal(off.accountOf(id), undefined);
    assert.equal(off.enabled, false);
  });

  it("stays bounded: sweeps expired entries and keeps at most 100,000", () => {
    const clock = new FrozenClock(1_700_000_000_000);
    const cache = new SessionCache(60_000, clock, new LocalBus());
    const first = randomUUID();
    cache.remember(first, "a", clock.now());
    for (let i = 0; i < 100_000; i++) cache.remember(randomUUID(), "a", clock.now());
    assert.equal(cache.accountOf(first), undefined, "the oldest entries went first");
    assert.equal(cache.size, 100_000);
    clock.t += 60_000;
    cache.sweep();
    assert.equal(cache.size, 0);
    cache.close();
  });
});

describe("the session cache in a server", () => {
  it("reads the database once per TTL for a busy token, and refuses it right after logout", async () => {
    const t = await startTestServer({ "session.cache_ttl_ms": 60_000 });
    try {
      const s = await t.api.device(deviceId());
      const store = t.server.core.store;
      let reads = 0;
      const getSession = store.getSession.bind(store);
      store.getSession = async (id) => {
        reads++;
        return getSession(id);
      };
      for (let i = 0; i < 5; i++) ok(await t.api.withToken("GET", "/v2/account", s.token));
      assert.equal(reads, 1, "one read, four hits");
      ok(await t.api.withToken("POST", "/v2/session/logout", s.token, { token: s.token }));
      assertUnauthorized(await t.api.withToken("GET", "/v2/account", s.token), "Auth token invalid", "Bearer");
      // Ended from the session list too.
      const s2 = await t.api.device(deviceId());
      ok(await t.api.withToken("GET", "/v2/account", s2.token));
      ok(await t.api.withToken("DELETE", `/v2/account/sessions/${claimsOf(s2.token)["tid"]}`, s2.token));
      assertUnauthorized(await t.api.withToken("GET", "/v2/account", s2.token), "Auth token invalid", "Bearer");
    } finally {
      await t.close();
    }
  });

  it("is on by default with the embedded SQLite store, off on PostgreSQL (shared by other nodes)", async () => {
    const t = await startTestServer();
    try {
      assert.equal(t.server.core.sessionCache.enabled, true);
    } finally {
      await t.close();
    }
    if (await postgresSkip()) return;
    const pg = await startTestServer({ "database.url": (await createTestDatabase()).url });
    try {
      assert.equal(pg.server.core.sessionCache.enabled, false);
    } finally {
      await pg.close();
      await dropAllTestDatabases();
    }
  });
});
