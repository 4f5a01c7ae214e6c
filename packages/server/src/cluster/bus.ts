/**
 * The cluster bus: how one node tells every node (itself included) that something happened that
 * live connections must react to — sessions revoked, sockets to disconnect. The database stays
 * the source of truth; the bus only carries news of changes. `local-bus.ts` is the in-process
 * implementation for a single node; a Redis one is its sibling for several nodes.
 */
import type { RevocationReason } from "../store/store.js";
import type { AuthSessionEvent } from "../tickets/auth-session-event.js";

export type BusMessage =
  /** These sessions of `userId` were revoked: close their sockets. */
  | { type: "sessions_revoked"; userId: string; sessionIds: string[]; reason: RevocationReason }
  /** Close the sockets of one session without revoking it (runtime `sessionDisconnect`). */
  | { type: "session_disconnect"; sessionId: string; reason: string }
  /** An auth session got a response: wake the validator's long polls, push it to the validator's sockets. */
  | { type: "auth_session_event"; validatorSessionId: string; event: AuthSessionEvent };

export type BusHandler = (message: BusMessage) => void;

export interface Bus {
  /** Delivers `message` to every subscriber on every node, this one included. */
  publish(message: BusMessage): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}
