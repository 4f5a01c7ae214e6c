/** What the tickets domain keeps per node, built once by `app.ts` and reached through `core.tickets`. */
import type { AuthSessionEventHub } from "./event-hub.js";
import type { ConfiguredGameServer } from "./game-servers.js";
import type { TicketKeyring } from "./ticket-keys.js";

export interface TicketServices {
  readonly keyring: TicketKeyring;
  readonly events: AuthSessionEventHub;
  /** HMAC key of game-server tokens (derived from the access-token key). */
  readonly gameServerKey: Buffer;
  readonly configuredGameServers: ReadonlyMap<string, ConfiguredGameServer>;
  /**
   * True when news on the bus reaches every node that can hold a validator's poll: a node alone on
   * its database, or a cluster whose Redis is connected. Otherwise long polls re-read every second.
   */
  busReachesAllNodes(): boolean;
}
