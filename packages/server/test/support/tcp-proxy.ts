/**
 * A TCP proxy on a loopback port in front of a real server (PostgreSQL), that a test can cut and
 * restore to make the server unreachable without touching it: `reset` drops every connection and
 * refuses new ones (a crashed or restarting database), `blackhole` keeps connections open but
 * carries nothing (a network that silently loses packets).
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export type CutMode = "reset" | "blackhole";

export interface TcpProxy {
  readonly port: number;
  cut(mode?: CutMode): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: "open" | CutMode = "open";
  const pairs = new Set<{ client: Socket; upstream: Socket | undefined }>();

  const drop = (socket: Socket | undefined): void => {
    if (socket && !socket.destroyed) socket.resetAndDestroy();
  };

  const server: Server = createServer((client) => {
    client.on("error", () => {});
    if (mode === "reset") return drop(client);
    const pair: { client: Socket; upstream: Socket | undefined } = { client, upstream: undefined };
    pairs.add(pair);
    client.on("close", () => {
      pairs.delete(pair);
      drop(pair.upstream);
    });
    if (mode === "blackhole") return; // Accepted, never answered.
    const upstream = createConnection(target);
    pair.upstream = upstream;
    upstream.on("error", () => drop(client));
    upstream.on("close", () => drop(client));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as { port: number }).port;

  return {
    port,
    cut(how: CutMode = "reset") {
      mode = how;
      for (const pair of pairs) {
        if (how === "reset") {
          drop(pair.client);
          drop(pair.upstream);
        } else {
          // Nothing flows any more, in either direction; the sockets stay open.
          pair.client.unpipe();
          pair.upstream?.unpipe();
          pair.client.pause();
          pair.upstream?.pause();
        }
      }
    },
    restore() {
      mode = "open";
      // Connections held by a black hole are stale: their peers gave up or will; drop them.
      for (const pair of pairs) {
        if (pair.upstream === undefined || pair.client.isPaused()) {
          drop(pair.client);
          drop(pair.upstream);
        }
      }
    },
    async close() {
      for (const pair of pairs) {
        drop(pair.client);
        drop(pair.upstream);
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
