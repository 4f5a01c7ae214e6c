/**
 * One accepted realtime socket: who it belongs to (account, session = the token's `tid`), and the
 * few ways the server talks to it — send an envelope, close with a reason, kill it.
 */
import { WebSocket } from "ws";
import type { Envelope } from "./envelope.js";

/**
 * Past this many bytes queued for a client that does not read, the socket is closed instead of
 * buffering without bound (Nakama closes on a full outgoing queue too).
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface SocketIdentity {
  /** This socket's own id (a random UUID), distinct from the session id. */
  id: string;
  userId: string;
  username: string;
  /** The session (JWT `tid`) whose token opened the socket. */
  sessionId: string;
  /** `lang` query parameter (default "en"). */
  lang: string;
  /** `status` query parameter: whether the client asked to appear online to followers. */
  status: boolean;
  /** Unix milliseconds. */
  connectedAt: number;
}

export class LiveSocket {
  readonly id: string;
  readonly userId: string;
  readonly username: string;
  readonly sessionId: string;
  readonly lang: string;
  readonly status: boolean;
  readonly connectedAt: number;
  /** Cleared by each heartbeat ping, set again by the pong (or any message). */
  alive = true;
  /** Resolves once the connection is fully closed. */
  readonly closed: Promise<void>;
  private closing = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly closeTimeoutMs: number,
    identity: SocketIdentity,
  ) {
    this.id = identity.id;
    this.userId = identity.userId;
    this.username = identity.username;
    this.sessionId = identity.sessionId;
    this.lang = identity.lang;
    this.status = identity.status;
    this.connectedAt = identity.connectedAt;
    this.closed = new Promise((resolve) => ws.once("close", () => resolve()));
  }

  /** Open and not being closed by the server: what counts for presence. */
  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  send(envelope: Envelope): void {
    if (!this.isOpen) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.terminate();
      return;
    }
    this.ws.send(JSON.stringify(envelope));
  }

  /**
   * Sends `pushes` (notifications saying why), then a close frame; the peer's close frame or the
   * server's close timeout ends the connection. Idempotent: only the first close counts.
   */
  close(code: number, reason: string, pushes: readonly Envelope[] = []): void {
    if (!this.isOpen) return;
    for (const push of pushes) this.ws.send(JSON.stringify(push));
    this.closing = true;
    this.ws.close(code, truncateUtf8(reason, 123));
    // ws itself would wait 30 s for the client's close frame; a client that never answers is dropped sooner.
    const timer = setTimeout(() => this.ws.terminate(), this.closeTimeoutMs);
    timer.unref();
    void this.closed.then(() => clearTimeout(timer));
  }

  /** Heartbeat: a WebSocket-level ping the client's stack answers by itself. */
  ping(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  /** Drops the connection without a close handshake (dead peer). */
  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }
}

/** A close reason may hold at most 123 bytes of UTF-8 (RFC 6455 §5.5). */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = "";
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  return out;
}
