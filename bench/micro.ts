/**
 * In-process micro-benchmarks of Tessera's hot paths, on one core: access token sign and verify
 * (HS256, 32-byte key), the revocation check (store.getSession on SQLite with ~10k sessions),
 * ticket sign and parse + verify (Ed25519, through the server's key ring) and argon2id hashing at
 * the server's parameters. Run alone (`node --import tsx bench/micro.ts
 * [seconds]`) it prints a JSON array of MicroResult on its last line; run.ts runs it as a child.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { argon2idHasher } from "../packages/server/src/auth/password.js";
import { signAccessToken, verifyAccessToken, type SessionClaims } from "../packages/server/src/session/claims.js";
import { SqliteStore } from "../packages/server/src/store/sqlite/sqlite-store.js";
import type { SessionRow } from "../packages/server/src/store/store.js";
import { systemClock } from "../packages/server/src/shared/time.js";
import { encodeTicketBody, parseTicket } from "../packages/server/src/tickets/ticket-format.js";
import { TicketKeyring } from "../packages/server/src/tickets/ticket-keys.js";
import type { MicroResult } from "./types.js";

const SESSIONS = 10_000;

/** Runs `op` repeatedly for about `seconds` (checking the clock every `batch` calls). */
async function time(seconds: number, batch: number, op: (i: number) => unknown): Promise<{ iterations: number; elapsedMs: number }> {
  const started = performance.now();
  const until = started + seconds * 1000;
  let iterations = 0;
  while (performance.now() < until) {
    for (let b = 0; b < batch; b++) {
      const out = op(iterations++);
      if (out instanceof Promise) await out;
    }
  }
  return { iterations, elapsedMs: performance.now() - started };
}

function result(id: string, label: string, r: { iterations: number; elapsedMs: number }, note?: string): MicroResult {
  return {
    id,
    label,
    available: true,
    opsPerSec: (r.iterations * 1000) / r.elapsedMs,
    meanUs: (r.elapsedMs * 1000) / r.iterations,
    iterations: r.iterations,
    ...(note ? { note } : {}),
  };
}

export async function runMicro(seconds: number): Promise<MicroResult[]> {
  const out: MicroResult[] = [];
  const key = randomBytes(32);
  const nowSec = Math.floor(Date.now() / 1000);
  const claims: SessionClaims = { tid: randomUUID(), uid: randomUUID(), usn: "benchuser01", vrs: { region: "eu" }, exp: nowSec + 3600, iat: nowSec };

  await time(Math.min(0.3, seconds), 100, () => signAccessToken(claims, key));
  out.push(result("token-sign", "access token sign (HS256)", await time(seconds, 100, () => signAccessToken(claims, key))));
  const token = signAccessToken(claims, key);
  await time(Math.min(0.3, seconds), 100, () => verifyAccessToken(token, key, nowSec));
  out.push(result("token-verify", "access token verify (HS256 + claims)", await time(seconds, 100, () => verifyAccessToken(token, key, nowSec))));

  const dir = mkdtempSync(join(tmpdir(), "tessera-micro-"));
  try {
    const store = SqliteStore.open({ path: join(dir, "micro.db"), synchronous: "normal" });
    const ids: string[] = [];
    const accounts = 1000;
    const accountIds: string[] = [];
    const now = Date.now();
    for (let a = 0; a < accounts; a++) {
      const id = randomUUID();
      accountIds.push(id);
      await store.createAccount({ id, username: `micro${a}`, createTime: now }, { provider: "device", subject: `micro-device-${a}`, profile: {} });
    }
    for (let s = 0; s < SESSIONS; s++) {
      const row: SessionRow = {
        id: randomUUID(),
        accountId: accountIds[s % accounts]!,
        createdAt: now,
        lastRefreshAt: null,
        generation: 0,
        rotatedAt: now,
        username: "micro",
        vars: {},
        issuedAtSec: nowSec,
        tokenExpiresAtSec: nowSec + 3600,
        refreshExpiresAtSec: nowSec + 86400,
        clientIp: null,
        userAgent: null,
        revokedAt: null,
        revokedReason: null,
      };
      await store.createSession(row);
      ids.push(row.id);
    }
    const pick = (i: number): string => ids[(i * 7919) % ids.length]!;
    await time(Math.min(0.3, seconds), 100, (i) => store.getSession(pick(i)));
    out.push(
      result(
        "revocation-check",
        `revocation check: store.getSession, SQLite, ${SESSIONS} sessions`,
        await time(seconds, 100, (i) => store.getSession(pick(i))),
      ),
    );
    const keyring = await TicketKeyring.open(store.tickets, systemClock);
    const body = encodeTicketBody({
      keyId: keyring.signingKeyId,
      handle: 7,
      ticketId: randomUUID(),
      appId: 480,
      userId: randomUUID(),
      sessionId: randomUUID(),
      issuedAtSec: nowSec,
      expiresAtSec: nowSec + 600,
      identity: "eu-west-1",
    });
    await time(Math.min(0.3, seconds), 10, () => keyring.sign(body));
    out.push(result("ticket-sign", "ticket sign (Ed25519, 147-byte ticket)", await time(seconds, 10, () => keyring.sign(body))));
    const ticket = Buffer.concat([body, await keyring.sign(body)]);
    const verifyTicket = async (): Promise<void> => {
      const parsed = parseTicket(ticket);
      if (typeof parsed === "string" || !(await keyring.verify(parsed.keyId, parsed.body, parsed.signature))) throw new Error("ticket did not verify");
    };
    await time(Math.min(0.3, seconds), 10, verifyTicket);
    out.push(result("ticket-verify", "ticket parse + verify (Ed25519)", await time(seconds, 10, verifyTicket)));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // One hash at a time: the per-core figure (the server runs several on libuv's pool at once).
  out.push(
    result(
      "argon2id-hash",
      "argon2id hash (m=19 MiB, t=2, p=1), sequential",
      await time(Math.max(seconds, 1), 1, () => argon2idHasher.hash("correct horse battery staple")),
    ),
  );
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv[2] ?? "2");
  const results = await runMicro(Number.isFinite(seconds) && seconds > 0 ? seconds : 2);
  process.stdout.write(JSON.stringify(results) + "\n");
}
