/**
 * The realtime socket at `GET /ws`: authenticates the upgrade request (401 before any WebSocket
 * exists), accepts the socket into the registry, answers envelopes, keeps a heartbeat that drops
 * dead peers, follows the bus to close revoked sessions' sockets, and closes everything with 1001
 * at shutdown. Protocol and codes: docs/realtime.md.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { Core } from "../core.js";
import { ApiError, GrpcCode, Messages } from "../shared/api-error.js";
import { authenticateAccessToken, type Caller } from "../session/verify-access.js";
import { authenticateGameServerToken } from "../tickets/game-servers.js";
import { StoreUnavailableError } from "../store/store.js";
import { CloseCode } from "./close-codes.js";
import { disconnect, followBus, singleSocketDisconnect } from "./disconnects.js";
import { answerEnvelope } from "./envelope.js";
import { SOCKET_PATH, readHandshake, refuseUpgrade, requestPath, tokenRefusal, type HandshakeParams, type Refusal } from "./handshake.js";
import { LiveSocket } from "./live-socket.js";
import { REQUEST_ID_HEADER, requestCores, requestIdOf } from "../http/request-context.js";
import type { SocketRegistry } from "./socket-registry.js";

export interface SocketServerOptions {
  /** How often a WebSocket ping goes out; a socket silent for a whole period after one is dropped. */
  heartbeatIntervalMs?: number;
  /** Largest incoming message; larger ones close the socket with 1009. */
  maxPayloadBytes?: number;
  /** How long a server-initiated close waits for the client's close frame before dropping it. */
  closeTimeoutMs?: number;
}

/** Nakama pings every 15 s and gives up after 25 s without a pong; this drops a dead peer within 15-30 s. */
const HEARTBEAT_INTERVAL_MS = 15_000;
/** Nakama's default `socket.max_message_size_bytes`; Tessera's envelopes are far smaller. */
const MAX_PAYLOAD_BYTES = 4096;
const CLOSE_TIMEOUT_MS = 5_000;

const unavailable = (): Refusal => ({ status: 503, code: GrpcCode.UNAVAILABLE, message: "Server is shutting down.", headers: { "Retry-After": "1" } });

export class SocketServer {
  private readonly wss: WebSocketServer;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  /**
   * Session ids revoked while each pending upgrade was authenticating: its store read may have
   * come just before the revocation was written, and the bus news just before its socket exists.
   */
  private readonly pending = new Set<Set<string>>();
  private closing: Promise<void> | undefined;
  private readonly closeTimeoutMs: number;
  /** Per-request Cores: the upgrade's log lines name its request id. */
  private readonly coreOf: (requestId: string) => Core;
  private readonly requestIds = new WeakMap<IncomingMessage, string>();

  constructor(
    private readonly core: Core,
    readonly registry: SocketRegistry,
    private readonly http: Server,
    options: SocketServerOptions = {},
  ) {
    this.closeTimeoutMs = options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
    });
    this.unsubscribe = followBus(core, registry, (ids) => {
      for (const seen of this.pending) for (const id of ids) seen.add(id);
    });
    this.coreOf = requestCores(core);
    // The 101 answer echoes the upgrade's request id.
    this.wss.on("headers", (headers: string[], req: IncomingMessage) => {
      const requestId = this.requestIds.get(req);
      if (requestId !== undefined) headers.push(`${REQUEST_ID_HEADER}: ${requestId}`);
    });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
    http.on("upgrade", this.onUpgrade);
  }

  /**
   * Refuses new sockets, closes every live one with 1001 "server shutting down" and waits for them
   * to finish closing (dropping those that take longer than `graceMs`).
   */
  close(graceMs = CLOSE_TIMEOUT_MS): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      this.unsubscribe();
      const sockets = this.registry.all();
      for (const socket of sockets) socket.close(CloseCode.GOING_AWAY, "server shutting down");
      const deadline = setTimeout(() => {
        for (const socket of sockets) socket.terminate();
      }, graceMs);
      await Promise.all(sockets.map((s) => s.closed));
      clearTimeout(deadline);
      this.http.off("upgrade", this.onUpgrade);
      await new Promise<void>((done) => this.wss.close(() => done()));
    })();
    return this.closing;
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A client that resets the connection while its token is checked must not crash the process.
    const ignore = (): void => {};
    socket.on("error", ignore);
    // The upgrade is a request like any other: its log lines and its answer carry a request id.
    const requestId = requestIdOf(req.headers["x-request-id"]);
    this.requestIds.set(req, requestId);
    const core = this.coreOf(requestId);
    this.upgrade(core, req, socket, head, ignore).catch((err: unknown) => {
      core.logger.error("socket upgrade failed", { error: err instanceof Error ? err : String(err) });
      this.refuse(socket, req, { status: 500, code: GrpcCode.INTERNAL, message: "Internal server error." });
    });
  };

  /** Answers an upgrade with an HTTP error instead of a WebSocket, and counts it. */
  private refuse(socket: Duplex, req: IncomingMessage, refusal: Refusal): void {
    this.core.metrics.socketRefused(refusal.status);
    const requestId = this.requestIds.get(req);
    refuseUpgrade(socket, requestId === undefined ? refusal : { ...refusal, headers: { ...refusal.headers, [REQUEST_ID_HEADER]: requestId } });
  }

  private async upgrade(
    core: Pick<Core, "clock" | "keys" | "logger" | "sessionCache" | "store" | "tickets">,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    ignoreErrors: () => void,
  ): Promise<void> {
    if (requestPath(req) !== SOCKET_PATH) return this.refuse(socket, req, { status: 404, code: GrpcCode.NOT_FOUND, message: "Not Found" });
    if (this.closing) return this.refuse(socket, req, unavailable());
    const handshake = readHandshake(req);
    if (!handshake.ok) return this.refuse(socket, req, handshake.refusal);

    const revokedMeanwhile = new Set<string>();
    this.pending.add(revokedMeanwhile);
    let caller: Caller;
    try {
      caller = await socketCaller(core, handshake.params.token);
    } catch (err) {
      if (err instanceof ApiError && err.code === GrpcCode.UNAUTHENTICATED) return this.refuse(socket, req, tokenRefusal(Messages.authTokenInvalid));
      if (err instanceof StoreUnavailableError) {
        core.logger.error("database unavailable", { path: SOCKET_PATH, error: err.message });
        return this.refuse(socket, req, { ...unavailable(), message: "Service temporarily unavailable: the database cannot be reached." });
      }
      throw err;
    } finally {
      this.pending.delete(revokedMeanwhile);
    }
    if (revokedMeanwhile.has(caller.sessionId)) return this.refuse(socket, req, tokenRefusal(Messages.authTokenInvalid));
    if (this.closing) return this.refuse(socket, req, unavailable());
    if (socket.destroyed) return;

    socket.off("error", ignoreErrors);
    // ws answers a malformed handshake (wrong method, missing key or version) with 400 itself.
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(core, ws, caller, handshake.params, req));
  }

  /** `core`: the upgrade request's, so the socket's log lines name the request id that opened it. */
  private accept(core: Pick<Core, "logger">, ws: WebSocket, caller: Caller, params: HandshakeParams, req: IncomingMessage): void {
    const live = new LiveSocket(ws, this.closeTimeoutMs, {
      id: randomUUID(),
      userId: caller.userId,
      username: caller.username,
      sessionId: caller.sessionId,
      lang: params.lang,
      status: params.status,
      connectedAt: this.core.clock.now(),
    });
    this.registry.add(live);
    this.core.metrics.socketConnected();
    ws.on("close", (code) => {
      this.registry.remove(live);
      this.core.metrics.socketClosed();
      core.logger.debug("socket closed", { socket_id: live.id, user_id: live.userId, code });
    });
    ws.on("error", (err) => core.logger.debug("socket error", { socket_id: live.id, error: err.message }));
    ws.on("pong", () => (live.alive = true));
    ws.on("message", (data, isBinary) => this.onMessage(live, data, isBinary));
    core.logger.debug("socket connected", { socket_id: live.id, user_id: live.userId, session_id: live.sessionId, ip: req.socket.remoteAddress });

    // A game server's instances share its identity: single_socket is for players only.
    if (this.core.config.session.singleSocket && !caller.userId.startsWith(GAME_SERVER_PREFIX)) {
      for (const older of this.registry.ofUser(live.userId)) {
        if (older !== live) disconnect(this.core, older, singleSocketDisconnect);
      }
    }
  }

  private onMessage(live: LiveSocket, data: RawData, isBinary: boolean): void {
    live.alive = true;
    if (isBinary) {
      live.close(CloseCode.UNSUPPORTED_DATA, "binary messages are not supported; send JSON text");
      return;
    }
    const text = Buffer.isBuffer(data)
      ? data.toString("utf8")
      : Array.isArray(data)
        ? Buffer.concat(data).toString("utf8")
        : Buffer.from(data).toString("utf8");
    const answer = answerEnvelope(text);
    if (answer) live.send(answer);
  }

  /** Pings every socket; one that has not answered (or sent anything) since the last beat is dead. */
  private beat(): void {
    for (const socket of this.registry.all()) {
      if (!socket.alive) {
        this.core.logger.debug("socket heartbeat timed out", { socket_id: socket.id, user_id: socket.userId });
        socket.terminate();
        continue;
      }
      socket.alive = false;
      socket.ping();
    }
  }
}

/** Registry key of a game server's sockets: `server:<identity>` can never collide with a user id (a UUID). */
const GAME_SERVER_PREFIX = "server:";

/**
 * A player's access token, else a game server's token: a game server holds a socket to receive
 * its auth sessions' responses (its socket's session id is its token id).
 */
async function socketCaller(core: Pick<Core, "clock" | "keys" | "sessionCache" | "store" | "tickets">, token: string): Promise<Caller> {
  try {
    return await authenticateAccessToken(core, token);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === GrpcCode.UNAUTHENTICATED)) throw err;
  }
  const server = await authenticateGameServerToken(core, token);
  return { userId: GAME_SERVER_PREFIX + server.identity, username: server.identity, sessionId: server.sessionId, vars: {}, expiresAtSec: 0 };
}

/** Serves `GET /ws` on `http`; the returned server's `close()` belongs in the graceful shutdown. */
export function attachSocketServer(core: Core, http: Server, registry: SocketRegistry, options?: SocketServerOptions): SocketServer {
  return new SocketServer(core, registry, http, options);
}
