/**
 * The Bus for several nodes: Redis pub/sub on one channel. A message travels as the JSON envelope
 * `{"v":1,"node":"<publishing node's id>","message":<the message, as is>}`. The publishing node
 * hands the message to its own subscribers at once and skips its own echo from Redis, so every
 * node gets each message exactly once and this node's sockets never wait on Redis.
 *
 * Redis holds nothing: a message published while it is unreachable reaches this node only (it is
 * dropped, never queued), and the database poll (`revocation-poll.ts`) carries revocations to the
 * other nodes meanwhile. Both connections PING every 2 s, so a Redis that falls silent is noticed
 * too, and retry forever with a capped backoff; losing and regaining Redis is logged once each, not
 * per retry.
 */
import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../shared/logger.js";
import { disconnectRedis } from "../shared/redis-disconnect.js";
import type { Bus, BusHandler, BusHealth, BusMessage } from "./bus.js";
import { LocalBus } from "./local-bus.js";
import { describeRedisUrl } from "./redis-url.js";

/** One channel for the whole cluster (pub/sub ignores Redis database numbers: one Redis per cluster). */
export const BUS_CHANNEL = "tessera:cluster";
const ENVELOPE_VERSION = 1;
/**
 * Both connections PING this often. A Redis that stops answering without closing the connection (a
 * network that drops packets) is then noticed within about 3 s (interval + command timeout) and the
 * connection is replaced, instead of looking healthy until TCP gives up minutes later.
 */
const HEARTBEAT_MS = 2000;

export interface RedisBusOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). */
  url: string;
  logger: Logger;
  /** Tells this node's own messages apart when Redis echoes them (default: a random UUID per process). */
  nodeId?: string;
  /** How long `open` waits for the first connection before starting without it (default 3000 ms). */
  connectWaitMs?: number;
  channel?: string;
}

interface Envelope {
  v: number;
  node: string;
  message: BusMessage;
}

/** Reconnect delays: 100 ms doubling up to 2 s, plus jitter so the nodes do not retry in lockstep. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(Math.max(attempt, 1) - 1, 5), 2000) + Math.floor(Math.random() * 100);
}

export class RedisBus implements Bus {
  readonly nodeId: string;
  private readonly local = new LocalBus();
  private readonly logger: Logger;
  private readonly channel: string;
  private readonly where: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private subscribed = false;
  private connected = false;
  private everConnected = false;
  private epoch = 0;
  /** Why the last connection attempt or the connection failed; "" while connected. */
  private lastError = "connecting";
  /** Messages that reached only this node since Redis was lost (reported when it returns). */
  private unsent = 0;
  private publishFailureLogged = false;
  private malformedLogged = false;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private readonly heartbeat: NodeJS.Timeout;

  /**
   * Connects and subscribes, waiting at most `connectWaitMs` for Redis: a node starts without it
   * (logging a warning) and keeps retrying in the background.
   */
  static async open(options: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(options);
    await bus.waitUntilConnected(options.connectWaitMs ?? 3000);
    if (!bus.connected && !bus.closed) {
      options.logger.warn(
        `cluster bus: cannot reach Redis at ${bus.where} (${bus.lastError}); starting without it and retrying in the background. ` +
          "Meanwhile revocations reach the other nodes through the database poll.",
      );
    }
    return bus;
  }

  private constructor(options: RedisBusOptions) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.logger = options.logger;
    this.channel = options.channel ?? BUS_CHANNEL;
    this.where = describeRedisUrl(options.url);
    const common: RedisOptions = {
      // A message for an unreachable Redis is dropped at once: never queued, never sent late.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      // Resubscribed by hand on every "ready", so this bus knows when it hears the channel again.
      autoResubscribe: false,
      retryStrategy: reconnectDelayMs,
      connectTimeout: 2000,
      // A Redis that accepts but does not answer must not hold up the request that published.
      commandTimeout: 1000,
      // RESP2: what every Redis-compatible server speaks.
      protocol: 2,
      lazyConnect: true,
    };
    this.publisher = new Redis(options.url, { ...common, connectionName: "tessera-bus-publish" });
    this.subscriber = new Redis(options.url, { ...common, connectionName: "tessera-bus-subscribe" });

    for (const connection of [this.publisher, this.subscriber]) {
      // Without a listener ioredis prints every failed retry; the state change is logged in update().
      connection.on("error", (err: unknown) => (this.lastError = reasonOf(err)));
    }
    this.publisher.on("ready", () => this.update());
    this.publisher.on("close", () => this.update());
    this.subscriber.on("ready", () => this.joinChannel());
    this.subscriber.on("close", () => {
      this.subscribed = false;
      this.update();
    });
    this.subscriber.on("message", (_channel: string, text: string) => this.receive(text));
    this.publisher.connect().catch(() => {});
    this.subscriber.connect().catch(() => {});
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async publish(message: BusMessage): Promise<void> {
    this.local.deliverLocally(message);
    if (this.closed) return;
    if (this.publisher.status !== "ready") {
      this.unsent++;
      return;
    }
    const envelope: Envelope = { v: ENVELOPE_VERSION, node: this.nodeId, message };
    try {
      await this.publisher.publish(this.channel, JSON.stringify(envelope));
    } catch (err) {
      if (this.closed) return; // Shutting down: the connection was closed under the message.
      this.unsent++;
      if (!this.publishFailureLogged) {
        this.publishFailureLogged = true;
        this.logger.warn(`cluster bus: publishing to Redis at ${this.where} failed (${reasonOf(err)}); the message reached this node only`);
      }
    }
  }

  deliverLocally(message: BusMessage): void {
    this.local.deliverLocally(message);
  }

  subscribe(handler: BusHandler): () => void {
    return this.local.subscribe(handler);
  }

  health(): BusHealth {
    return this.connected
      ? { state: "connected", transport: "redis", epoch: this.epoch }
      : { state: "disconnected", transport: "redis", epoch: this.epoch, reason: this.lastError || "connection closed" };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    clearInterval(this.heartbeat);
    for (const wake of this.waiters) wake();
    await Promise.all([disconnectRedis(this.publisher), disconnectRedis(this.subscriber)]);
    await this.local.close();
  }

  /** The subscriber connection just became ready (first time or after a reconnect): join the channel. */
  private joinChannel(): void {
    this.subscriber.subscribe(this.channel).then(
      () => {
        this.subscribed = true;
        this.update();
      },
      (err: unknown) => {
        this.lastError = `cannot subscribe to ${this.channel}: ${reasonOf(err)}`;
        // Reconnect and try again; the state change (if any) is logged once by update().
        if (!this.closed) this.subscriber.disconnect(true);
      },
    );
  }

  /** Recomputes the state after a connection event; logs and counts only real changes. */
  private update(): void {
    const connected = !this.closed && this.subscribed && this.publisher.status === "ready";
    if (connected === this.connected) return;
    this.connected = connected;
    if (connected) {
      this.epoch++;
      this.lastError = "";
      this.publishFailureLogged = false;
      if (!this.everConnected) this.logger.info(`cluster bus: connected to Redis at ${this.where} as node ${this.nodeId}`);
      else {
        const missed =
          this.unsent > 0 ? `; ${this.unsent} message(s) published meanwhile reached this node only (the database poll carried revocations to the others)` : "";
        this.logger.info(`cluster bus: Redis at ${this.where} is back${missed}`);
      }
      this.everConnected = true;
      this.unsent = 0;
      for (const wake of this.waiters) wake();
      return;
    }
    if (this.closed) return;
    if (this.lastError === "") this.lastError = "connection closed";
    this.logger.warn(
      `cluster bus: lost Redis at ${this.where} (${this.lastError}); reconnecting in the background. ` +
        "Meanwhile revocations reach the other nodes through the database poll.",
    );
  }

  /** PINGs each ready connection; one that does not answer in time is dropped and reconnected. */
  private beat(): void {
    for (const connection of [this.publisher, this.subscriber]) {
      if (connection.status !== "ready") continue;
      connection.ping().catch((err: unknown) => {
        if (this.closed || connection.status !== "ready") return;
        this.lastError = `no answer to PING (${reasonOf(err)})`;
        connection.disconnect(true);
      });
    }
  }

  private receive(text: string): void {
    const envelope = parseEnvelope(text);
    if (!envelope) {
      if (!this.malformedLogged) {
        this.malformedLogged = true;
        this.logger.warn(`cluster bus: ignored a message on ${this.channel} that is not a Tessera bus envelope (further ones are ignored silently)`, {
          sample: text.slice(0, 200),
        });
      }
      return;
    }
    if (envelope.node === this.nodeId) return; // Delivered to this node's subscribers when published.
    this.local.deliverLocally(envelope.message);
  }

  private waitUntilConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }
}

/**
 * Reads an envelope without looking at the message's type: any object with a string `type`
 * passes, so message types added later travel through nodes that do not know them yet.
 */
function parseEnvelope(text: string): Envelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || value["v"] !== ENVELOPE_VERSION || typeof value["node"] !== "string") return undefined;
  const message = value["message"];
  if (!isObject(message) || typeof message["type"] !== "string") return undefined;
  return { v: ENVELOPE_VERSION, node: value["node"], message: message as BusMessage };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return err.message || (typeof code === "string" ? code : err.name);
}
