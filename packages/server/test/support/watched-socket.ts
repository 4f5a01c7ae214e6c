/**
 * A realtime socket (`ws` client) that records what the server pushes and when it closes, for
 * tests that revoke a session on one node and watch its socket on another.
 */
import { WebSocket } from "ws";

export interface SocketClose {
  code: number;
  reason: string;
  /** `Date.now()` when the close arrived. */
  at: number;
}

export class WatchedSocket {
  /** Every text frame received, parsed. */
  readonly frames: any[] = [];
  readonly closed: Promise<SocketClose>;
  private close: SocketClose | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => this.frames.push(JSON.parse(String(data))));
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => {
        this.close = { code, reason: reason.toString(), at: Date.now() };
        resolve(this.close);
      }),
    );
    ws.on("error", () => {});
  }

  /** Opens `ws://…/ws?token=` on the server at `httpUrl`; rejects if the upgrade is refused. */
  static open(httpUrl: string, token: string): Promise<WatchedSocket> {
    const ws = new WebSocket(`${httpUrl.replace(/^http/, "ws")}/ws?token=${encodeURIComponent(token)}`);
    const socket = new WatchedSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(socket));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`socket upgrade refused with ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  get isClosed(): boolean {
    return this.close !== undefined;
  }

  /** A ping answered: the socket is open and served. */
  async roundTrip(): Promise<void> {
    const cid = String(Math.floor(Math.random() * 1e9));
    this.ws.send(JSON.stringify({ ping: {}, cid }));
    const deadline = Date.now() + 5000;
    while (!this.frames.some((f) => f.cid === cid && f.pong !== undefined)) {
      if (this.isClosed || Date.now() > deadline) throw new Error("no pong");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The notifications pushed before the close, as `{code, subject, content}` with content parsed. */
  notifications(): { code: number; subject: string; content: unknown }[] {
    return this.frames.flatMap((f) =>
      (f.notifications?.notifications ?? []).map((n: { code: number; subject: string; content: string }) => ({
        code: n.code,
        subject: n.subject,
        content: JSON.parse(n.content),
      })),
    );
  }

  end(): void {
    this.ws.terminate();
  }
}
