/**
 * `ManualTime`, the clock and timers the lifecycle suites run the SDK on, and `Emitter`, the one
 * event emitter of the SDK's classes: the rules the other suites rely on.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Emitter } from "../../src/emitter.js";
import { ManualTime } from "../support/manual-time.js";

describe("ManualTime", () => {
  it("fires due timers in time order, each at its own time, and no later ones", async () => {
    const time = new ManualTime({ start: 1_000 });
    const fired: [string, number][] = [];
    time.setTimeout(() => fired.push(["b", time.now()]), 300);
    time.setTimeout(() => fired.push(["a", time.now()]), 100);
    time.setTimeout(() => fired.push(["late", time.now()]), 501);
    await time.advance(500);
    assert.deepEqual(fired, [
      ["a", 1_100],
      ["b", 1_300],
    ]);
    assert.equal(time.now(), 1_500);
    assert.equal(time.pendingTimers, 1);
  });

  it("lets the promise chain a timer starts settle before the next timer, and fires timers it sets within the window", async () => {
    const time = new ManualTime({ start: 0 });
    const order: string[] = [];
    time.setTimeout(() => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => {
          order.push("chain of first");
          time.setTimeout(() => order.push(`set by first, at ${time.now()}`), 50);
        });
    }, 100);
    time.setTimeout(() => order.push("second"), 120);
    await time.advance(200);
    assert.deepEqual(order, ["chain of first", "second", "set by first, at 150"]);
  });

  it("clearTimeout cancels; busy work is waited for between timers; linked clocks move by the same amounts", async () => {
    const time = new ManualTime({ start: 0 });
    const linked = {
      moved: 0,
      advance(ms: number) {
        this.moved += ms;
      },
    };
    time.link(linked);
    let fired = 0;
    const handle = time.setTimeout(() => fired++, 10);
    time.clearTimeout(handle);
    let pending = false;
    let answeredBeforeNext = false;
    time.waitWhile(() => pending);
    time.setTimeout(() => {
      pending = true;
      setTimeout(() => (pending = false), 30); // real work taking real time
    }, 20);
    time.setTimeout(() => (answeredBeforeNext = !pending), 40);
    await time.advance(100);
    assert.equal(fired, 0);
    assert.equal(answeredBeforeNext, true);
    assert.equal(linked.moved, 100);
    await assert.rejects(time.advance(-1), RangeError);
  });
});

describe("Emitter", () => {
  it("calls listeners in order with the arguments, as they were when the event fired; off removes one", () => {
    const events = new Emitter<{ ping: (n: number) => void }>("Test");
    const seen: string[] = [];
    const late = (n: number) => seen.push(`late ${n}`);
    const first = (n: number) => {
      seen.push(`first ${n}`);
      events.on("ping", late);
    };
    events.on("ping", first);
    events.on("ping", (n) => seen.push(`second ${n}`));
    events.emit("ping", 1);
    assert.deepEqual(seen, ["first 1", "second 1"]);
    events.off("ping", first);
    events.emit("ping", 2);
    assert.deepEqual(seen, ["first 1", "second 1", "second 2", "late 2"]);
    assert.equal(events.count("ping"), 2);
    events.clear("ping");
    assert.equal(events.count("ping"), 0);
  });

  it("logs a listener that throws, naming its owner and event, and still calls the others", () => {
    const events = new Emitter<{ changed: () => void }>("Owner");
    const original = console.error;
    const logged: unknown[] = [];
    console.error = (...args: unknown[]) => logged.push(args[0]);
    try {
      let called = false;
      events.on("changed", () => {
        throw new Error("listener bug");
      });
      events.on("changed", () => (called = true));
      events.emit("changed");
      assert.equal(called, true);
      assert.deepEqual(logged, ['Owner: a "changed" listener threw']);
    } finally {
      console.error = original;
    }
  });
});
