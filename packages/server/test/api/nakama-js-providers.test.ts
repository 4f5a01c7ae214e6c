/**
 * The real nakama-js 2.8 client against the token providers, unchanged: authenticateApple,
 * authenticateGoogle and authenticateFacebook (Graph token and Limited Login, with `sync`), their
 * link and unlink calls, and getAccount's `user.<provider>_id`; tampered, expired, wrong-audience
 * and wrong-issuer credentials are refused with 401. (Game Center and Instant Games through
 * nakama-js are in their own suites.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { numericId, randomSubject, startFakeProviders, tamperedSignature, type FakeProviders } from "../support/fake-providers.js";
import { startTestServer, type TestServer } from "../support/harness.js";
import { nakamaClient, rejection } from "../support/nakama-client.js";

let fake: FakeProviders;
let t: TestServer;
before(async () => {
  fake = await startFakeProviders();
  t = await startTestServer(fake.settings());
});
after(async () => {
  await t.close();
  await fake.close();
});

const past = () => Math.floor(Date.now() / 1000) - 3600;

describe("nakama-js with the token providers", () => {
  it("authenticateApple signs in and finds the account again; getAccount shows user.apple_id", async () => {
    const client = nakamaClient(t);
    const sub = randomSubject("apple");
    const first = await client.authenticateApple(await fake.appleToken({ sub }), true, undefined);
    assert.equal(first.created, true);
    const again = await client.authenticateApple(await fake.appleToken({ sub }), false);
    assert.equal(again.user_id, first.user_id);
    assert.equal((await client.getAccount(first)).user?.apple_id, sub);
  });

  it("authenticateGoogle and authenticateFacebook (a Graph token with sync, and a Limited Login token) sign in", async () => {
    const client = nakamaClient(t);
    const gsub = randomSubject("google");
    const g = await client.authenticateGoogle(await fake.googleIdToken({ sub: gsub }), true);
    assert.equal((await client.getAccount(g)).user?.google_id, gsub);
    const fbUser = { id: numericId(), name: "Nakama Fan" };
    const f = await client.authenticateFacebook(fake.facebookAccessToken(fbUser), true, undefined, true);
    const account = await client.getAccount(f);
    assert.equal(account.user?.facebook_id, fbUser.id);
    assert.equal(account.user?.display_name, "Nakama Fan");
    const llSub = numericId();
    const ll = await client.authenticateFacebook(await fake.limitedLoginToken({ sub: llSub }), true);
    assert.equal((await client.getAccount(ll)).user?.facebook_id, llSub);
  });

  it("tampered, expired, wrong-audience and wrong-issuer tokens are refused with 401", async () => {
    const client = nakamaClient(t);
    const bad = [
      tamperedSignature(await fake.appleToken()),
      await fake.appleToken({ exp: past() }),
      await fake.appleToken({ aud: "com.other.app" }),
      await fake.appleToken({ iss: "https://evil.example" }),
    ];
    for (const token of bad) assert.equal((await rejection(client.authenticateApple(token, true))).status, 401);
    assert.equal((await rejection(client.authenticateGoogle(await fake.googleIdToken({ aud: "other-client" }), true))).status, 401);
    assert.equal((await rejection(client.authenticateFacebook(fake.facebookAccessToken({ id: numericId() }, { appId: "999" }), true))).status, 401);
  });

  it("linkApple, linkGoogle, linkFacebook and their unlinks work on a device account", async () => {
    const client = nakamaClient(t);
    const session = await client.authenticateDevice(`nakama-providers-${randomSubject()}`, true);
    const apple = randomSubject("apple");
    const google = randomSubject("google");
    const fb = { id: numericId() };
    assert.equal(await client.linkApple(session, { token: await fake.appleToken({ sub: apple }) }), true);
    assert.equal(await client.linkGoogle(session, { token: await fake.googleIdToken({ sub: google }) }), true);
    assert.equal(await client.linkFacebook(session, { token: fake.facebookAccessToken(fb) }), true);
    const linked = (await client.getAccount(session)).user;
    assert.deepEqual([linked?.apple_id, linked?.google_id, linked?.facebook_id], [apple, google, fb.id]);
    // Refused link: another account's Apple id is 409.
    const holder = randomSubject("apple");
    await client.authenticateApple(await fake.appleToken({ sub: holder }), true);
    assert.equal((await rejection(client.linkApple(session, { token: await fake.appleToken({ sub: holder }) }))).status, 409);

    assert.equal(await client.unlinkApple(session, { token: await fake.appleToken({ sub: apple }) }), true);
    assert.equal(await client.unlinkGoogle(session, {}), true);
    assert.equal(await client.unlinkFacebook(session, {}), true);
    const after = (await client.getAccount(session)).user;
    assert.deepEqual([after?.apple_id, after?.google_id, after?.facebook_id], [undefined, undefined, undefined]);
  });
});
