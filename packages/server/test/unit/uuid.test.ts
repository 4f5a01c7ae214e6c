import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UUID, UuidV7 } from "../../src/shared/ids.js";

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (id: string): number => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe("time-ordered ids (UUIDv7)", () => {
  it("writes the version, the variant and the millisecond time (RFC 9562)", () => {
    for (const ms of [0, 1, 0xffffff, 0x1000000, Date.UTC(2026, 10, 25, 1, 2, 3, 456), 2 ** 48 - 1]) {
      const id = new UuidV7().next(ms);
      assert.match(id, V7);
      assert.match(id, UUID);
      assert.equal(id.slice(0, 8) + id.slice(9, 13), ms.toString(16).padStart(12, "0"));
      assert.equal(timeOf(id), ms);
    }
  });

  it("sorts in the order made: within one millisecond, across milliseconds, and when the clock steps back", () => {
    const ids = new UuidV7();
    const made: string[] = [];
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 10_000; i++) made.push(ids.next(base + Math.floor(i / 3000))); // 3000 per ms: past the 4096 counter too
    for (let i = 0; i < 100; i++) made.push(ids.next(base - 5_000)); // the clock stepped back
    made.push(ids.next(base + 10_000));
    assert.deepEqual([...made].sort(), made);
    assert.equal(new Set(made).size, made.length);
  });

  it("does not repeat across generators (random tail)", () => {
    const seen = new Set<string>();
    for (let g = 0; g < 50; g++) {
      const ids = new UuidV7();
      for (let i = 0; i < 200; i++) seen.add(ids.next(1_700_000_000_000));
    }
    assert.equal(seen.size, 50 * 200);
  });
});
