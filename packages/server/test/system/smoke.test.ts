import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../support/harness.js";

describe("smoke", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it("signs in by device and reads the account", async () => {
    const s = await t.api.device("smoke-device-0001");
    const res = await t.api.withToken("GET", "/v2/account", s.token);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.devices, [{ id: "smoke-device-0001" }]);
  });
});
