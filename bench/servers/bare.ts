/**
 * The ceiling: a bare node:http server answering a small JSON body. Nothing real can beat it on
 * this machine, so the other servers are reported as a fraction of it. `/__rss` answers its RSS.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const BODY = JSON.stringify({ status: "ok", user: { id: "00000000-0000-4000-8000-000000000000", name: "bench" } });

const server = createServer((req, res) => {
  if (req.url === "/__rss") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ rss: process.memoryUsage().rss }));
    return;
  }
  // Drain any body so keep-alive connections stay usable.
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(BODY) });
    res.end(BODY);
  });
});

server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`bare listening on http://127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
