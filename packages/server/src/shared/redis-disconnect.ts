/**
 * Closing an ioredis connection completely. `disconnect()` only starts it: the socket closes when
 * Redis answers (or after ioredis's own 2 s), so a shutdown that returned at once would leave the
 * connection, and a timer, behind it, and an embedding process could not exit.
 */
import type { Redis } from "ioredis";

/** At most this long for Redis to close its side; then the shutdown goes on regardless. */
const DISCONNECT_WAIT_MS = 2_500;

/** Disconnects `connection` (no reconnection) and resolves once it has ended. Never rejects. */
export function disconnectRedis(connection: Redis): Promise<void> {
  // Nothing open: ended already, or waiting between two reconnection attempts (disconnect cancels the next).
  if (connection.status === "end" || connection.status === "reconnecting") {
    connection.disconnect();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, DISCONNECT_WAIT_MS);
    connection.once("end", done);
    connection.disconnect();
  });
}
