/**
 * The ticket's bytes (version 1), big-endian, documented in docs/tickets.md:
 *
 *   offset size field
 *        0    1 version (1)
 *        1    8 key id: first 8 bytes of SHA-256 over the signing key's raw public key
 *        9    4 handle (uint32, non-zero)
 *       13   16 ticket id (UUID)
 *       29    4 app id (uint32)
 *       33   16 user id (UUID)
 *       49   16 session id (UUID, the player's JWT `tid`)
 *       65    4 issued at (uint32 unix seconds)
 *       69    4 expires at (uint32 unix seconds)
 *       73    1 identity length n (0 = any validator)
 *       74    n identity (UTF-8)
 *     74+n   64 Ed25519 signature over bytes [0, 74+n)
 *
 * Hex in transport. Parsing checks structure only; the signature is checked by the key ring.
 */

export const TICKET_VERSION = 1;
export const KEY_ID_BYTES = 8;
export const SIGNATURE_BYTES = 64;
const HEADER_BYTES = 74;
export const MIN_TICKET_BYTES = HEADER_BYTES + SIGNATURE_BYTES;
export const MAX_IDENTITY_BYTES = 128;
export const MAX_TICKET_BYTES = MIN_TICKET_BYTES + MAX_IDENTITY_BYTES;

export interface TicketClaims {
  keyId: Buffer;
  handle: number;
  ticketId: string;
  appId: number;
  userId: string;
  sessionId: string;
  issuedAtSec: number;
  expiresAtSec: number;
  identity: string;
}

export interface ParsedTicket extends TicketClaims {
  version: number;
  /** The signed bytes. */
  body: Buffer;
  signature: Buffer;
}

export type ParseFailure = "invalid" | "version";

/** The bytes to sign: everything but the signature. */
export function encodeTicketBody(c: TicketClaims): Buffer {
  const identity = Buffer.from(c.identity, "utf8");
  if (identity.length > MAX_IDENTITY_BYTES) throw new RangeError("identity longer than 128 bytes");
  const out = Buffer.alloc(HEADER_BYTES + identity.length);
  out.writeUInt8(TICKET_VERSION, 0);
  c.keyId.copy(out, 1, 0, KEY_ID_BYTES);
  out.writeUInt32BE(c.handle, 9);
  uuidBytes(c.ticketId).copy(out, 13);
  out.writeUInt32BE(c.appId, 29);
  uuidBytes(c.userId).copy(out, 33);
  uuidBytes(c.sessionId).copy(out, 49);
  out.writeUInt32BE(c.issuedAtSec, 65);
  out.writeUInt32BE(c.expiresAtSec, 69);
  out.writeUInt8(identity.length, 73);
  identity.copy(out, HEADER_BYTES);
  return out;
}

/** Reads a ticket's fields, or says why it cannot be a ticket: "version" for another version. */
export function parseTicket(bytes: Buffer): ParsedTicket | ParseFailure {
  if (bytes.length === 0) return "invalid";
  const version = bytes.readUInt8(0);
  if (version !== TICKET_VERSION) return "version";
  if (bytes.length < MIN_TICKET_BYTES || bytes.length > MAX_TICKET_BYTES) return "invalid";
  const identityLength = bytes.readUInt8(73);
  if (bytes.length !== MIN_TICKET_BYTES + identityLength) return "invalid";
  const identityBytes = bytes.subarray(HEADER_BYTES, HEADER_BYTES + identityLength);
  const identity = identityBytes.toString("utf8");
  // Reject bytes that are not the UTF-8 they claim to be (they would not round-trip).
  if (!Buffer.from(identity, "utf8").equals(identityBytes)) return "invalid";
  const handle = bytes.readUInt32BE(9);
  if (handle === 0) return "invalid";
  const signedLength = HEADER_BYTES + identityLength;
  return {
    version,
    keyId: Buffer.from(bytes.subarray(1, 1 + KEY_ID_BYTES)),
    handle,
    ticketId: uuidString(bytes.subarray(13, 29)),
    appId: bytes.readUInt32BE(29),
    userId: uuidString(bytes.subarray(33, 49)),
    sessionId: uuidString(bytes.subarray(49, 65)),
    issuedAtSec: bytes.readUInt32BE(65),
    expiresAtSec: bytes.readUInt32BE(69),
    identity,
    body: Buffer.from(bytes.subarray(0, signedLength)),
    signature: Buffer.from(bytes.subarray(signedLength)),
  };
}

/** Decodes transport hex (either case, even length); undefined if it is not hex. */
export function fromHex(hex: string): Buffer | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || hex.length > MAX_TICKET_BYTES * 2 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  return Buffer.from(hex, "hex");
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

function uuidString(b: Buffer): string {
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
