/**
 * The Ed25519 key ring that signs and verifies tickets. Keys live in the database (so every node
 * signs with the same key and a rotation reaches all of them): the first node to start generates
 * one, `rotate()` retires it in favour of a new one, and retired keys keep verifying (and stay in
 * the JWKS) until purged, well after the last ticket they signed has expired. A ticket naming an
 * unknown key id makes the ring re-read the database once (rate-limited), so a key rotated on
 * another node is picked up at once.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import type { Clock } from "../shared/time.js";
import type { TicketKeyRow, TicketStore } from "../store/ticket-store.js";
import { KEY_ID_BYTES } from "./ticket-format.js";

interface LoadedKey {
  row: TicketKeyRow;
  keyId: Buffer;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** One JSON Web Key (RFC 8037, OKP / Ed25519). */
export interface Jwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  use: "sig";
  alg: "EdDSA";
}

/** How often a ring re-reads the keys anyway (rotations by the CLI or another node). */
const RELOAD_INTERVAL_MS = 60_000;
/** Unknown key ids trigger at most one re-read per this interval (garbage tickets cannot flood the database). */
const MISS_RELOAD_INTERVAL_MS = 5_000;

export class TicketKeyring {
  private keys = new Map<string, LoadedKey>();
  private signing: LoadedKey | undefined;
  private loadedAt = 0;
  private lastMissReload = 0;

  private constructor(
    private readonly store: TicketStore,
    private readonly clock: Clock,
  ) {}

  /** Loads the keys, generating the first one if the database has none. */
  static async open(store: TicketStore, clock: Clock): Promise<TicketKeyring> {
    const ring = new TicketKeyring(store, clock);
    await ring.reload();
    if (!ring.signing) {
      await store.addFirstTicketKey(newKey(clock.now()));
      await ring.reload();
    }
    if (!ring.signing) throw new Error("no active ticket signing key after creating one");
    return ring;
  }

  /** The current signing key id (8 bytes). */
  get signingKeyId(): Buffer {
    return this.signing!.keyId;
  }

  /** Signs a ticket body with the current key (re-reading keys first if they are stale). */
  async sign(body: Buffer): Promise<Buffer> {
    if (this.clock.now() - this.loadedAt > RELOAD_INTERVAL_MS) await this.reload();
    return sign(null, body, this.signing!.privateKey);
  }

  /** True when `signature` over `body` verifies with the key `keyId` names. */
  async verify(keyId: Buffer, body: Buffer, signature: Buffer): Promise<boolean> {
    let key = this.keys.get(kidOf(keyId));
    if (!key && this.clock.now() - this.lastMissReload > MISS_RELOAD_INTERVAL_MS) {
      this.lastMissReload = this.clock.now();
      await this.reload();
      key = this.keys.get(kidOf(keyId));
    }
    if (!key) return false;
    return verify(null, body, key.publicKey, signature);
  }

  /** The public keys, current first, as a JWKS document. */
  jwks(): { keys: Jwk[] } {
    const keys = [...this.keys.values()].sort(
      (a, b) => Number(a.row.retiredAt !== null) - Number(b.row.retiredAt !== null) || b.row.createdAt - a.row.createdAt,
    );
    return { keys: keys.map((k) => ({ kty: "OKP", crv: "Ed25519", x: k.row.publicKey, kid: k.row.kid, use: "sig", alg: "EdDSA" })) };
  }

  /** Makes a new key the signing key; the old one keeps verifying. Returns the new key id. */
  async rotate(): Promise<string> {
    const key = newKey(this.clock.now());
    await this.store.rotateTicketKey(key, this.clock.now());
    await this.reload();
    return key.kid;
  }

  async reload(): Promise<void> {
    const rows = await this.store.ticketKeys();
    const keys = new Map<string, LoadedKey>();
    let signing: LoadedKey | undefined;
    for (const row of rows) {
      const loaded: LoadedKey = {
        row,
        keyId: Buffer.from(row.kid, "base64url"),
        publicKey: createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: row.publicKey }, format: "jwk" }),
        privateKey: createPrivateKey({ key: Buffer.from(row.privateKey, "base64"), format: "der", type: "pkcs8" }),
      };
      keys.set(row.kid, loaded);
      if (row.retiredAt === null && (!signing || row.createdAt > signing.row.createdAt)) signing = loaded;
    }
    this.keys = keys;
    if (signing) this.signing = signing;
    this.loadedAt = this.clock.now();
  }
}

function kidOf(keyId: Buffer): string {
  return keyId.toString("base64url");
}

function newKey(now: number): TicketKeyRow {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = (publicKey.export({ format: "jwk" }) as { x: string }).x;
  const raw = Buffer.from(x, "base64url");
  const kid = kidOf(createHash("sha256").update(raw).digest().subarray(0, KEY_ID_BYTES));
  return { kid, publicKey: x, privateKey: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"), createdAt: now, retiredAt: null };
}
