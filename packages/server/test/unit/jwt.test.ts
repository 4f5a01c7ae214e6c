/**
 * Token signing and verification at unit level: the algorithm allow-list, tampering, malformed
 * input, claims, access/refresh separation (keys and the `rgn` claim), and client-safe payloads
 * that nakama-js 2.8 can decode (REFERENCE.md §1).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes, randomInt, randomUUID, sign as cryptoSign } from "node:crypto";
import { signAccessToken, signRefreshToken, verifyAccessToken, verifyRefreshToken, type SessionClaims } from "../../src/session/claims.js";
import { TokenError, signHs256, verifyHs256 } from "../../src/session/jwt.js";
import { clientSafeJson } from "../../src/session/token-json.js";

const ACCESS_KEY = randomBytes(32);
const REFRESH_KEY = randomBytes(32);
const NOW = 1_800_000_000;

const b64 = (value: unknown): string => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const hs = (alg: "sha256" | "sha512", input: string, key: Buffer): string => createHmac(alg, key).update(input).digest("base64url");

function claims(overrides: Partial<SessionClaims> = {}): SessionClaims {
  return { tid: randomUUID(), uid: randomUUID(), usn: "player", vrs: {}, exp: NOW + 60, iat: NOW, ...overrides };
}

/** A token with any header and payload, HMAC-SHA256-signed with `key` (so only the checked part is wrong). */
function forge(header: unknown, payload: unknown, key = ACCESS_KEY): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${hs("sha256", input, key)}`;
}

function rejects(fn: () => unknown, reason?: TokenError["reason"]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TokenError, `expected TokenError, got ${String(err)}`);
    if (reason !== undefined) assert.equal(err.reason, reason);
    return true;
  });
}

describe("jwt: algorithm allow-list", () => {
  const payload = { tid: randomUUID(), uid: randomUUID(), usn: "p", exp: NOW + 60, iat: NOW };

  it("accepts Nakama's exact header and an equivalent HS256 header", () => {
    const token = signAccessToken(claims(), ACCESS_KEY);
    assert.equal(token.split(".")[0], b64('{"alg":"HS256","typ":"JWT"}'));
    assert.equal(verifyAccessToken(token, ACCESS_KEY, NOW).usn, "player");
    assert.equal(verifyAccessToken(forge({ typ: "JWT", alg: "HS256" }, payload), ACCESS_KEY, NOW).usn, "p");
    assert.equal(verifyAccessToken(forge({ alg: "HS256" }, payload), ACCESS_KEY, NOW).usn, "p");
  });

  it("refuses alg none, unsigned or signed", () => {
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;
    rejects(() => verifyHs256(unsigned, ACCESS_KEY), "malformed");
    rejects(() => verifyHs256(`${b64({ alg: "none" })}.${b64(payload)}`, ACCESS_KEY), "malformed");
    rejects(() => verifyHs256(forge({ alg: "none", typ: "JWT" }, payload), ACCESS_KEY), "algorithm");
    rejects(() => verifyHs256(forge({ alg: "None" }, payload), ACCESS_KEY), "algorithm");
  });

  it("refuses HS512 even with a valid HS512 signature under the same key", () => {
    const input = `${b64({ alg: "HS512", typ: "JWT" })}.${b64(payload)}`;
    rejects(() => verifyHs256(`${input}.${hs("sha512", input, ACCESS_KEY)}`, ACCESS_KEY), "algorithm");
    rejects(() => verifyHs256(`${input}.${hs("sha256", input, ACCESS_KEY)}`, ACCESS_KEY), "algorithm");
  });

  it("refuses RS256 and EdDSA, also signed with a real key pair", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const rsInput = `${b64({ alg: "RS256", typ: "JWT" })}.${b64(payload)}`;
    const rsSig = cryptoSign("sha256", Buffer.from(rsInput), rsa.privateKey).toString("base64url");
    rejects(() => verifyHs256(`${rsInput}.${rsSig}`, ACCESS_KEY), "algorithm");
    // Key confusion: an RS256 header "verified" with the public key bytes as HMAC secret.
    const pem = Buffer.from(rsa.publicKey.export({ type: "spki", format: "pem" }) as string);
    rejects(() => verifyHs256(`${rsInput}.${hs("sha256", rsInput, pem)}`, pem), "algorithm");

    const ed = generateKeyPairSync("ed25519");
    const edInput = `${b64({ alg: "EdDSA", typ: "JWT" })}.${b64(payload)}`;
    const edSig = cryptoSign(null, Buffer.from(edInput), createPrivateKey(ed.privateKey.export({ type: "pkcs8", format: "pem" }))).toString("base64url");
    rejects(() => verifyHs256(`${edInput}.${edSig}`, ACCESS_KEY), "algorithm");
  });

  it("refuses other header oddities: lower-case alg, wrong typ, crit, kid and other parameters, non-object header", () => {
    rejects(() => verifyHs256(forge({ alg: "hs256" }, payload), ACCESS_KEY), "algorithm");
    rejects(() => verifyHs256(forge({ alg: "HS256", typ: "at+jwt" }, payload), ACCESS_KEY), "algorithm");
    rejects(() => verifyHs256(forge({ alg: "HS256", crit: ["exp"] }, payload), ACCESS_KEY), "algorithm");
    // Key-selecting header parameters are refused even when the signature is right.
    for (const extra of [
      { kid: "1" },
      { kid: "../../../dev/null" },
      { jku: "https://evil.example/jwks.json" },
      { jwk: { kty: "oct", k: "AA" } },
      { x5u: "https://evil.example" },
      { cty: "JWT" },
    ]) {
      rejects(() => verifyHs256(forge({ alg: "HS256", typ: "JWT", ...extra }, payload), ACCESS_KEY), "algorithm");
    }
    rejects(() => verifyHs256(forge(["HS256"], payload), ACCESS_KEY), "malformed");
    rejects(() => verifyHs256(forge("HS256", payload), ACCESS_KEY), "malformed");
  });
});

describe("jwt: tampering and malformed tokens", () => {
  const token = signAccessToken(claims({ usn: "honest" }), ACCESS_KEY);
  const [header, payload, signature] = token.split(".") as [string, string, string];

  it("refuses a tampered payload", () => {
    const changed = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), usn: "admin" };
    rejects(() => verifyAccessToken(`${header}.${b64(changed)}.${signature}`, ACCESS_KEY, NOW), "signature");
    const longer = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), exp: NOW + 999_999 };
    rejects(() => verifyAccessToken(`${header}.${b64(longer)}.${signature}`, ACCESS_KEY, NOW), "signature");
  });

  it("refuses a tampered signature, in any position", () => {
    for (let i = 0; i < signature.length; i++) {
      const c = signature[i] === "A" ? "B" : "A";
      const bad = signature.slice(0, i) + c + signature.slice(i + 1);
      rejects(() => verifyHs256(`${header}.${payload}.${bad}`, ACCESS_KEY));
    }
  });

  it("accepts exactly one spelling of a signature (no base64url malleability)", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (const c of alphabet) {
      const variant = `${header}.${payload}.${signature.slice(0, -1)}${c}`;
      if (c === signature.at(-1)) verifyHs256(variant, ACCESS_KEY);
      else rejects(() => verifyHs256(variant, ACCESS_KEY), "signature");
    }
    rejects(() => verifyHs256(`${token}=`, ACCESS_KEY));
  });

  it("refuses the right signature under another key", () => {
    rejects(() => verifyHs256(token, randomBytes(32)), "signature");
  });

  it("refuses truncated tokens", () => {
    for (const cut of [1, 2, 10, signature.length, signature.length + 1, token.length - 5]) {
      rejects(() => verifyHs256(token.slice(0, token.length - cut), ACCESS_KEY));
    }
  });

  it("refuses two-part and four-part tokens", () => {
    rejects(() => verifyHs256(`${header}.${payload}`, ACCESS_KEY), "malformed");
    rejects(() => verifyHs256(`${header}.${payload}.${signature}.${signature}`, ACCESS_KEY), "malformed");
    rejects(() => verifyHs256(`${token}.`, ACCESS_KEY), "malformed");
    rejects(() => verifyHs256(`.${token}`, ACCESS_KEY), "malformed");
    rejects(() => verifyHs256(`${header}..${signature}`, ACCESS_KEY), "malformed");
  });

  it("refuses garbage of every shape with a TokenError, never another exception", () => {
    const garbage: unknown[] = [
      "",
      ".",
      "..",
      "...",
      "garbage",
      "a.b.c",
      "e30.e30.e30",
      "e30.e30.",
      "!!.!!.!!",
      "a b.c d.e f",
      `${header}.${payload}.${signature} `,
      `${header}.${payload}.${signature}\n`,
      `${header}+.${payload}.${signature}`,
      "x".repeat(10_000),
      `${header}.${"A".repeat(9000)}.${signature}`,
      `${header}.${b64("not json")}.${hs("sha256", `${header}.${b64("not json")}`, ACCESS_KEY)}`,
      undefined,
      null,
      42,
      {},
      ["a", "b", "c"],
    ];
    for (const g of garbage) rejects(() => verifyHs256(g as string, ACCESS_KEY));
    for (const g of garbage) rejects(() => verifyAccessToken(g as string, ACCESS_KEY, NOW));
    for (const g of garbage) rejects(() => verifyRefreshToken(g as string, REFRESH_KEY, NOW));
  });

  it("refuses a signed payload that is not a JSON object", () => {
    for (const p of ["[]", "null", "42", '"s"']) {
      const input = `${header}.${b64(p)}`;
      rejects(() => verifyHs256(`${input}.${hs("sha256", input, ACCESS_KEY)}`, ACCESS_KEY), "malformed");
    }
  });
});

describe("jwt: claims", () => {
  const base = { tid: randomUUID(), uid: randomUUID(), usn: "p", iat: NOW };

  it("requires exp (Nakama's rule), as a whole number", () => {
    rejects(() => verifyAccessToken(signHs256(base, ACCESS_KEY), ACCESS_KEY, NOW), "claims");
    rejects(() => verifyAccessToken(signHs256({ ...base, exp: String(NOW + 60) }, ACCESS_KEY), ACCESS_KEY, NOW), "claims");
    rejects(() => verifyAccessToken(signHs256({ ...base, exp: NOW + 60.5 }, ACCESS_KEY), ACCESS_KEY, NOW), "claims");
    rejects(() => verifyAccessToken(signHs256({ ...base, exp: null }, ACCESS_KEY), ACCESS_KEY, NOW), "claims");
  });

  it("refuses an expired token, with no leeway", () => {
    const token = signAccessToken(claims({ exp: NOW + 1 }), ACCESS_KEY);
    assert.equal(verifyAccessToken(token, ACCESS_KEY, NOW).exp, NOW + 1);
    rejects(() => verifyAccessToken(token, ACCESS_KEY, NOW + 1), "expired");
    rejects(() => verifyAccessToken(token, ACCESS_KEY, NOW + 3600), "expired");
    const refresh = signRefreshToken({ ...claims({ exp: NOW + 1 }), rgn: 0 }, REFRESH_KEY);
    assert.equal(verifyRefreshToken(refresh, REFRESH_KEY, NOW).rgn, 0);
    rejects(() => verifyRefreshToken(refresh, REFRESH_KEY, NOW + 1), "expired");
  });

  it("requires tid and uid as UUIDs, usn and iat", () => {
    const good = { ...base, exp: NOW + 60 };
    assert.equal(verifyAccessToken(signHs256(good, ACCESS_KEY), ACCESS_KEY, NOW).tid, base.tid);
    for (const bad of [
      { ...good, tid: undefined },
      { ...good, tid: "not-a-uuid" },
      { ...good, uid: undefined },
      { ...good, uid: 42 },
      { ...good, usn: undefined },
      { ...good, iat: undefined },
      { ...good, vrs: "x" },
      { ...good, vrs: { a: 1 } },
      { ...good, vrs: ["a"] },
    ]) {
      rejects(() => verifyAccessToken(signHs256(bad, ACCESS_KEY), ACCESS_KEY, NOW), "claims");
    }
  });

  it("round-trips claims, omitting empty vrs", () => {
    const c = claims({ vrs: { a: "1", ü: "~?>" } });
    assert.deepEqual(verifyAccessToken(signAccessToken(c, ACCESS_KEY), ACCESS_KEY, NOW), c);
    const plain = signAccessToken(claims(), ACCESS_KEY);
    assert.equal("vrs" in JSON.parse(Buffer.from(plain.split(".")[1]!, "base64url").toString("utf8")), false);
    assert.deepEqual(verifyAccessToken(plain, ACCESS_KEY, NOW).vrs, {});
  });
});

describe("jwt: access and refresh tokens never stand in for each other", () => {
  const c = claims();
  const access = signAccessToken(c, ACCESS_KEY);
  const refresh = signRefreshToken({ ...c, rgn: 3 }, REFRESH_KEY);

  it("each verifies as itself", () => {
    assert.equal(verifyAccessToken(access, ACCESS_KEY, NOW).tid, c.tid);
    assert.equal(verifyRefreshToken(refresh, REFRESH_KEY, NOW).rgn, 3);
  });

  it("refuses an access token as a refresh token, and vice versa (different keys)", () => {
    rejects(() => verifyRefreshToken(access, REFRESH_KEY, NOW), "signature");
    rejects(() => verifyAccessToken(refresh, ACCESS_KEY, NOW), "signature");
  });

  it("refuses them even under the same key, by the rgn claim", () => {
    // Were the keys ever equal (start-up forbids it), the rgn claim still tells the kinds apart.
    rejects(() => verifyRefreshToken(signAccessToken(c, REFRESH_KEY), REFRESH_KEY, NOW), "claims");
    rejects(() => verifyAccessToken(signRefreshToken({ ...c, rgn: 0 }, ACCESS_KEY), ACCESS_KEY, NOW), "claims");
  });

  it("refuses a refresh token with a bad rgn", () => {
    for (const rgn of [-1, 1.5, "1", null]) {
      rejects(() => verifyRefreshToken(signHs256({ ...c, rgn }, REFRESH_KEY), REFRESH_KEY, NOW), "claims");
    }
  });
});

describe("jwt: client-safe payloads (nakama-js 2.8)", () => {
  /** nakama-js's decoder: drops characters outside standard base64 (`-`, `_`), reads bytes as Latin-1. */
  const nakamaJsDecode = (part: string): unknown => JSON.parse(Buffer.from(part.replace(/[^A-Za-z0-9+/=]/g, ""), "base64").toString("latin1"));

  const POOL = [
    ..."abcxyzABCXYZ0123456789 !\"#$%&'()*+,-./:;<=@[\\]^_`{|}",
    ">",
    "?",
    "~",
    ">",
    "?",
    "~",
    "\u007f",
    "\u0000",
    "\u001f",
    "\n",
    "é",
    "ë",
    "ß",
    "名",
    "前",
    "€",
    "\u2028",
    "😀",
    "𝄞",
    "\ufffd",
  ];
  const randomString = (): string => Array.from({ length: randomInt(0, 40) }, () => POOL[randomInt(POOL.length)]).join("");

  it("escapes >, ?, ~ and everything from U+007F up as \\uXXXX, which parses back to the same text", () => {
    assert.equal(clientSafeJson({ s: "a?b>c~d" }), '{"s":"a\\u003fb\\u003ec\\u007ed"}');
    assert.equal(clientSafeJson("zoë"), '"zo\\u00eb"');
    assert.equal(clientSafeJson("😀"), '"\\ud83d\\ude00"');
    for (let i = 0; i < 500; i++) {
      const s = randomString();
      const json = clientSafeJson({ s });
      assert.match(json, /^[\x20-\x3d\x40-\x7d]*$/, `unsafe character left in ${json}`);
      assert.equal(JSON.parse(json).s, s);
    }
  });

  it("never yields - or _ in the payload's base64url, and nakama-js's decoder reads the claims back", () => {
    for (const usn of ["a?b", "x~~~y", "zoë", "名前", ">>>", "???", "~", "a>b?c~d", "😀"]) {
      const token = signAccessToken(claims({ usn, vrs: { [usn]: usn } }), ACCESS_KEY);
      const part = token.split(".")[1]!;
      assert.match(part, /^[A-Za-z0-9]+$/, `${usn}: ${part}`);
      assert.equal((nakamaJsDecode(part) as { usn: string }).usn, usn);
    }
    for (let i = 0; i < 1000; i++) {
      const usn = randomString();
      const vrs = { [randomString() || "k"]: randomString() };
      const c = claims({ usn, vrs });
      for (const token of [signAccessToken(c, ACCESS_KEY), signRefreshToken({ ...c, rgn: i }, REFRESH_KEY)]) {
        const part = token.split(".")[1]!;
        assert.match(part, /^[A-Za-z0-9]+$/, `usn ${JSON.stringify(usn)} vrs ${JSON.stringify(vrs)} gave ${part}`);
        const decoded = nakamaJsDecode(part) as { usn: string; vrs: Record<string, string> };
        assert.equal(decoded.usn, usn);
        assert.deepEqual(decoded.vrs, vrs);
      }
      assert.equal(verifyAccessToken(signAccessToken(c, ACCESS_KEY), ACCESS_KEY, NOW).usn, usn);
    }
  });

  it("keeps the header free of - and _ too", () => {
    assert.match(signAccessToken(claims(), ACCESS_KEY).split(".")[0]!, /^[A-Za-z0-9]+$/);
  });
});
