/**
 * A local stand-in for Game Center's identity verification: a root CA, an intermediate and a leaf
 * certificate made with openssl in a temporary directory (root → intermediate → leaf, as Apple's
 * signing chain), plus a self-signed "rogue" leaf; the leaves served as DER by a node:http server
 * on 127.0.0.1, and signatures made with a leaf's key over player id ‖ bundle id ‖ timestamp
 * (uint64, big-endian) ‖ salt with RSA-SHA256 (PKCS#1 v1.5), as
 * `fetchItems(forIdentityVerificationSignature:)` gives them.
 *
 * @example
 * const gc = await startFakeGameCenter();
 * const t = await startTestServer(gc.settings());
 * await t.api.withKey("/v2/account/authenticate/gamecenter", gc.credentialFor("T:_abc123"));
 */
import { execFile } from "node:child_process";
import { randomBytes, sign } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { tempDir } from "./harness.js";

export const FAKE_GAMECENTER_BUNDLE_ID = "com.example.tessera";
const CERT_PATH = "/public/gc-sig-fake.cer";
const ROGUE_PATH = "/public/gc-sig-rogue.cer";

/** Which certificate signs (and is named by `public_key_url`): the chained leaf or the self-signed rogue one. */
export type GameCenterSigner = "leaf" | "rogue";

export interface GameCenterOverrides {
  /** The signed timestamp in milliseconds (default now on the real clock). */
  timestampMs?: number;
  signer?: GameCenterSigner;
  /** Fields sent instead of the signed ones (the signature still covers the originals). */
  fields?: Partial<Record<"player_id" | "bundle_id" | "timestamp_seconds" | "salt" | "signature" | "public_key_url", string>>;
  /** The bundle id signed and sent (default `FAKE_GAMECENTER_BUNDLE_ID`). */
  bundleId?: string;
}

export interface FakeGameCenter {
  /** `social.gamecenter.bundle_ids`, `social.gamecenter.trust_roots` (root + intermediate PEM) and `social.gamecenter.key_url_pattern` (this server). */
  settings(): Record<string, string | number | boolean>;
  /** The six Game Center body fields for `playerId`: a fresh timestamp (ms) and salt, validly signed. */
  credentialFor(playerId: string, overrides?: GameCenterOverrides): Record<string, string>;
  /** The URL of the chained leaf certificate. */
  readonly keyUrl: string;
  /** A URL on this server that answers with something that is not a certificate. */
  readonly notACertificateUrl: string;
  /** How many times each certificate path was fetched. */
  fetches(path?: string): number;
  /** "503": the server answers 503; "hang": it never answers; "up": it serves again. */
  setMode(mode: "up" | "503" | "hang"): void;
  /** A PEM file holding only the rogue certificate (a trust root that does not issue the leaf). */
  readonly rogueRootFile: string;
  close(): Promise<void>;
}

const run = promisify(execFile);

export async function startFakeGameCenter(): Promise<FakeGameCenter> {
  const dir = tempDir("tessera-gamecenter-");
  const at = (name: string) => join(dir.path, name);
  const openssl = (...args: string[]) => run("openssl", args, { cwd: dir.path });
  const ca = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
  await openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key", "-out", "root.pem", "-days", "3", "-subj", "/CN=Fake Root CA", ...ca);
  await openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "int.key", "-out", "int.csr", "-subj", "/CN=Fake Code Signing CA");
  writeFileSync(at("int.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  await openssl(
    "x509",
    "-req",
    "-in",
    "int.csr",
    "-CA",
    "root.pem",
    "-CAkey",
    "root.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "int.ext",
    "-out",
    "int.pem",
  );
  await openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=Fake Game Center Signing");
  await openssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "int.pem",
    "-CAkey",
    "int.key",
    "-CAcreateserial",
    "-days",
    "1",
    "-out",
    "leaf.cer",
    "-outform",
    "DER",
  );
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "rogue.key",
    "-out",
    "rogue.pem",
    "-days",
    "1",
    "-subj",
    "/CN=Fake Game Center Signing",
  );
  await openssl("x509", "-in", "rogue.pem", "-out", "rogue.cer", "-outform", "DER");
  writeFileSync(at("trust.pem"), readFileSync(at("root.pem"), "utf8") + readFileSync(at("int.pem"), "utf8"));

  const certs: Record<string, Buffer> = { [CERT_PATH]: readFileSync(at("leaf.cer")), [ROGUE_PATH]: readFileSync(at("rogue.cer")) };
  const keys: Record<GameCenterSigner, string> = { leaf: readFileSync(at("leaf.key"), "utf8"), rogue: readFileSync(at("rogue.key"), "utf8") };
  const counts = new Map<string, number>();
  let mode: "up" | "503" | "hang" = "up";

  const server = createServer((req, res) => {
    // The query is ignored, so a test can name the same certificate under a URL not yet cached.
    const path = (req.url ?? "").split("?")[0]!;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (mode === "hang") return;
    if (mode === "503") return void res.writeHead(503).end();
    if (path === "/public/not-a-cert.cer") return void res.writeHead(200, { "Content-Type": "text/html" }).end("<html>not a certificate</html>");
    const der = certs[path];
    if (der === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": "application/pkix-cert", "Content-Length": der.length }).end(der);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    keyUrl: base + CERT_PATH,
    notACertificateUrl: `${base}/public/not-a-cert.cer`,
    rogueRootFile: at("rogue.pem"),
    settings: () => ({
      "social.gamecenter.bundle_ids": FAKE_GAMECENTER_BUNDLE_ID,
      "social.gamecenter.trust_roots": at("trust.pem"),
      "social.gamecenter.key_url_pattern": `^${base.replaceAll(".", "\\.")}/`,
      "social.timeout_ms": 500,
    }),
    credentialFor(playerId, overrides = {}) {
      const timestamp = BigInt(overrides.timestampMs ?? Date.now());
      const bundleId = overrides.bundleId ?? FAKE_GAMECENTER_BUNDLE_ID;
      const signer = overrides.signer ?? "leaf";
      const salt = randomBytes(8);
      const time = Buffer.alloc(8);
      time.writeBigUInt64BE(timestamp);
      const signed = Buffer.concat([Buffer.from(playerId, "utf8"), Buffer.from(bundleId, "utf8"), time, salt]);
      return {
        player_id: playerId,
        bundle_id: bundleId,
        timestamp_seconds: timestamp.toString(),
        salt: salt.toString("base64"),
        signature: sign("sha256", signed, keys[signer]).toString("base64"),
        public_key_url: base + (signer === "leaf" ? CERT_PATH : ROGUE_PATH),
        ...overrides.fields,
      };
    },
    fetches: (path = CERT_PATH) => counts.get(path) ?? 0,
    setMode(next) {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          dir.remove();
          resolve();
        });
      }),
  };
}
