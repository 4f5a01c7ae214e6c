/**
 * The cluster bus: how one node tells every node (itself included) that something happened that
 * live connections must react to — sessions revoked, sockets to disconnect. The database stays
 * the source of truth; the bus only carries news of changes. Siblings: `local-bus.ts` (in-process,
 * one node) and `redis-bus.ts` (Redis pub/sub, several nodes); `revocation-poll.ts` replays
 * revocations from the database when the bus cannot be relied on.
 */
import type { RevocationReason } from "../store/store.js";
import type { AuthSessionEventJson as AuthSessionEvent } from "@tessera/protocol";

/**
 * Every message is a JSON-serializable object with a `type`. Transports carry it as is, without
 * looking at its type, so new message types travel over every bus unchanged. Subscribers must
 * treat messages as idempotent news: the database poll may repeat one the bus already delivered.
 */
export type BusMessage =
  /** These sessions of `userId` were revoked: close their sockets. */
  | { type: "sessions_revoked"; userId: string; sessionIds: string[]; reason: RevocationReason }
  /** Close the sockets of one session without revoking it (runtime `sessionDisconnect`). */
  | { type: "session_disconnect"; sessionId: string; reason: string }
  /** An auth session got a response: wake the validator's long polls, push it to the validator's sockets. */
  | { type: "auth_session_event"; validatorSessionId: string; event: AuthSessionEvent };

export type BusHandler = (message: BusMessage) => void;

/** Whether news published now reaches the other nodes (readiness, and when the database poll runs). */
export type BusHealth =
  /** In-process only: there is no transport to other nodes. */
  | { state: "local" }
  /** The transport (`"redis"`) works. `epoch` grows by one at every (re)connection, so a gap can be noticed. */
  | { state: "connected"; transport: string; epoch: number }
  /** The transport is unreachable and reconnecting; news published now reaches this node only. */
  | { state: "disconnected"; transport: string; epoch: number; reason: string };

export interface Bus {
  /**
   * Delivers `message` to every subscriber on every node, this one included, each once. Never
   * rejects because the transport is down: the change is already stored, the bus only carries news.
   */
  publish(message: BusMessage): Promise<void>;
  /** Delivers `message` to this node's subscribers only: news learned another way (the database poll). */
  deliverLocally(message: BusMessage): void;
  /** Returns a function that unsubscribes. */
  subscribe(handler: BusHandler): () => void;
  health(): BusHealth;
  close(): Promise<void>;
}
