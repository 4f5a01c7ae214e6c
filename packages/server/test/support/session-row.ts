/** A session row for store-level tests: live, one hour of access and a day of refresh from `now`. */
import { randomUUID } from "node:crypto";
import type { SessionRow } from "../../src/store/store.js";

export function testSessionRow(accountId: string, now: number, overrides: Partial<SessionRow> = {}): SessionRow {
  const nowSec = Math.floor(now / 1000);
  return {
    id: randomUUID(),
    accountId,
    createdAt: now,
    lastRefreshAt: null,
    generation: 0,
    rotatedAt: now,
    username: "player",
    vars: {},
    issuedAtSec: nowSec,
    tokenExpiresAtSec: nowSec + 3600,
    refreshExpiresAtSec: nowSec + 86_400,
    clientIp: null,
    userAgent: null,
    revokedAt: null,
    revokedReason: null,
    ...overrides,
  };
}
