/**
 * Who validates tickets: a signed-in player (peer to peer; its identity is its user id) or a game
 * server signed in with its credential (its identity is the credential's). `sessionId` is the
 * validator's own session — auth sessions and their events belong to it.
 */
import type { ValidatorKind } from "../store/ticket-store.js";

export interface Validator {
  kind: ValidatorKind;
  /** A player's session id (JWT `tid`), or a game server token's id. */
  sessionId: string;
  /** A player's user id, or the game server's identity. */
  identity: string;
}
