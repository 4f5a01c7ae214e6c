/**
 * UUIDs: the pattern every id is checked against, and the time-ordered (version 7) ids of the
 * rows written on the hot paths (accounts, sessions, audit events).
 *
 * Why version 7 there: a random (v4) key lands anywhere in its B-tree, so a sign-in storm dirties
 * a different leaf page for every new row and every index over the key; a v7 key starts with the
 * time, so new rows append at the right edge of the tree and one batch of inserts touches a few
 * pages (SQLite's group commit and PostgreSQL's WAL both write fewer pages). The 62 random bits
 * keep ids unguessable enough to be unique across nodes; no id is a secret (tokens are signed).
 */
import { randomFillSync } from "node:crypto";

/** A UUID as Tessera writes them (lower-case hex, any version): account, session, ticket and event ids. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Random bytes drawn from one buffer refilled 256 ids at a time: one system call per 256 ids, not per id. */
const POOL_IDS = 256;
const pool = Buffer.allocUnsafe(16 * POOL_IDS);
let poolOffset = pool.length;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Time-ordered UUIDs (RFC 9562 version 7, with the 12-bit `rand_a` field as a counter within the
 * millisecond, the RFC's "method 1"): ids from one generator sort in the order they were made,
 * also within one millisecond and when the clock steps back (the last time is kept until the
 * clock passes it).
 */
export class UuidV7 {
  private lastMs = 0;
  private sequence = 0;

  /** A new id at `nowMs` (ms since the epoch), later than every id this generator made before. */
  next(nowMs: number): string {
    if (nowMs > this.lastMs) {
      this.lastMs = nowMs;
      this.sequence = 0;
    } else if (++this.sequence > 0xfff) {
      this.lastMs++;
      this.sequence = 0;
    }
    if (poolOffset >= pool.length) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const r = poolOffset;
    poolOffset += 16;
    const ms = this.lastMs;
    const high = Math.floor(ms / 0x1000000); // the top 24 of the 48 time bits
    const low = ms % 0x1000000;
    const h = (n: number): string => HEX[n & 0xff]!;
    return (
      h(high >> 16) +
      h(high >> 8) +
      h(high) +
      h(low >> 16) +
      "-" +
      h(low >> 8) +
      h(low) +
      "-" +
      h(0x70 | (this.sequence >> 8)) +
      h(this.sequence) +
      "-" +
      h(0x80 | (pool[r + 8]! & 0x3f)) +
      h(pool[r + 9]!) +
      "-" +
      h(pool[r + 10]!) +
      h(pool[r + 11]!) +
      h(pool[r + 12]!) +
      h(pool[r + 13]!) +
      h(pool[r + 14]!) +
      h(pool[r + 15]!)
    );
  }
}

/** The generator of this process's account and session ids. */
export const rowIds = new UuidV7();
