/**
 * Why the server closes a socket, and reacting to the cluster bus. Sockets are closed only on bus
 * news (never by a direct call from domain code), so a revocation on any node reaches the sockets
 * on every node; auth-session responses are pushed to the validator's sockets the same way. Each close sends a notification saying why, then a close frame with a code from
 * close-codes.ts.
 */
import type { BusMessage } from "../cluster/bus.js";
import type { Core } from "../core.js";
import type { RevocationReason } from "../store/store.js";
import { CloseCode } from "./close-codes.js";
import type { LiveSocket } from "./live-socket.js";
import { NotificationCode, notificationEnvelope, type Notice } from "./notifications.js";
import type { SocketRegistry } from "./socket-registry.js";

export interface Disconnect {
  closeCode: CloseCode;
  closeReason: string;
  notice: Notice;
}

/** A revoked session: Nakama's -8 "banned" for bans; Tessera's -100 "session_ended" otherwise. */
export function revocationDisconnect(reason: RevocationReason): Disconnect {
  if (reason === "banned") {
    return { closeCode: CloseCode.BANNED, closeReason: "banned", notice: { code: NotificationCode.BANNED, subject: "banned", content: {} } };
  }
  return {
    closeCode: CloseCode.SESSION_ENDED,
    closeReason: `session ended: ${reason}`,
    notice: { code: NotificationCode.SESSION_ENDED, subject: "session_ended", content: { reason } },
  };
}

/** Runtime `sessionDisconnect`: the session stays valid, the client may reconnect. */
export function runtimeDisconnect(reason: string): Disconnect {
  return {
    closeCode: CloseCode.DISCONNECTED,
    closeReason: "disconnected",
    notice: { code: NotificationCode.DISCONNECTED, subject: "disconnected", content: reason === "" ? {} : { reason } },
  };
}

/** `session.single_socket`: Nakama's -7 "single_socket" to each older socket of the account. */
export const singleSocketDisconnect: Disconnect = {
  closeCode: CloseCode.SINGLE_SOCKET,
  closeReason: "single_socket",
  notice: { code: NotificationCode.SINGLE_SOCKET, subject: "single_socket", content: {} },
};

export function disconnect(core: Pick<Core, "clock">, socket: LiveSocket, why: Disconnect): void {
  socket.close(why.closeCode, why.closeReason, [notificationEnvelope(why.notice, core.clock.now())]);
}

/**
 * Closes the sockets the bus says must go. `onRevoked` also hears every revoked session id, so a
 * socket still authenticating when its session is revoked can be refused (see socket-server.ts).
 * Returns a function that unsubscribes.
 */
export function followBus(core: Pick<Core, "bus" | "clock">, registry: SocketRegistry, onRevoked: (sessionIds: readonly string[]) => void): () => void {
  return core.bus.subscribe((message: BusMessage) => {
    switch (message.type) {
      case "sessions_revoked": {
        onRevoked(message.sessionIds);
        const why = revocationDisconnect(message.reason);
        for (const sessionId of message.sessionIds) {
          for (const socket of registry.ofSession(sessionId)) {
            if (socket.userId === message.userId) disconnect(core, socket, why);
          }
        }
        break;
      }
      case "session_disconnect": {
        // The id of a session (JWT tid) closes all its sockets; a socket's own id closes that one.
        const why = runtimeDisconnect(message.reason);
        const sockets = new Set(registry.ofSession(message.sessionId));
        const single = registry.get(message.sessionId);
        if (single) sockets.add(single);
        for (const socket of sockets) disconnect(core, socket, why);
        break;
      }
      case "auth_session_event": {
        const sockets = registry.ofSession(message.validatorSessionId);
        if (sockets.length === 0) break;
        const push = notificationEnvelope(
          { code: NotificationCode.AUTH_SESSION_RESPONSE, subject: "auth_session_response", content: { ...message.event } },
          core.clock.now(),
        );
        for (const socket of sockets) socket.send(push);
        break;
      }
    }
  });
}
