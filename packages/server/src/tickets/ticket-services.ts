/** What the tickets domain keeps per node, built once by `build-core.ts` and reached through `core.tickets`. */
import type { AuthSessionEventHub } from "./event-hub.js";
import type { TicketKeyring } from "./ticket-keys.js";

/** A game server declared in `tickets.game_servers` (game-servers.ts checks its secret). */
export interface ConfiguredGameServer {
  identity: string;
  id: string;
  secretHash: Buffer;
}

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
