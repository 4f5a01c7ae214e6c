/**
 * WebSocket close codes the server sends. 1000-1015 are RFC 6455's; 4000-4999 are private to an
 * application, and Tessera's are listed here and in docs/realtime.md. Nakama itself closes every
 * server-side disconnect with 1000; Tessera says why, so a client can tell "sign in again" (4001,
 * 4003) from "reconnect" (4000, 1001) without parsing text.
 */
export const CloseCode = {
  /** The client closed the socket (the server echoes its code, normally 1000). */
  NORMAL: 1000,
  /** The server is shutting down: reconnect later, possibly to another node. */
  GOING_AWAY: 1001,
  /** A binary frame arrived: only JSON text envelopes are spoken. */
  UNSUPPORTED_DATA: 1003,
  /** Disconnected by the server (runtime `sessionDisconnect`); the session is still valid. */
  DISCONNECTED: 4000,
  /** The session was ended (logout, logout everywhere, ended from the sessions list, refresh-token reuse, single_session, account deleted): sign in again. */
  SESSION_ENDED: 4001,
  /** The account was banned. */
  BANNED: 4003,
  /** `session.single_socket`: a newer socket of the same account replaced this one. */
  SINGLE_SOCKET: 4007,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
