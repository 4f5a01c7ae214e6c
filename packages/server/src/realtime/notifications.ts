/**
 * Notification pushes, in Nakama's `rtapi.Notifications` envelope. Codes below 0 are reserved for
 * the server: -7 and -8 are Nakama's own (it also uses -1 to -6 and -9, so Tessera's additions sit
 * at -100 and below to stay clear of codes Nakama may add). Documented in docs/realtime.md.
 */
import { randomUUID } from "node:crypto";
import { rfc3339 } from "../shared/time.js";
import type { Envelope } from "./envelope.js";

export const NotificationCode = {
  /** Nakama: a newer socket of the account replaced this one (`session.single_socket`). */
  SINGLE_SOCKET: -7,
  /** Nakama: the account was banned. */
  BANNED: -8,
  /** Tessera: the session was ended; content `{"reason":"logout"|"logout_all"|"ended"|"refresh_reuse"|"single_session"|"deleted"}`. */
  SESSION_ENDED: -100,
  /** Tessera: the server disconnected this socket; the session is still valid. Content `{"reason":"..."}`. */
  DISCONNECTED: -101,
  /** Tessera: a response for one of this validator's auth sessions; content is the event (docs/tickets.md). */
  AUTH_SESSION_RESPONSE: -102,
} as const;
export type NotificationCode = (typeof NotificationCode)[keyof typeof NotificationCode];

export interface Notice {
  code: NotificationCode;
  subject: string;
  /** An object; sent JSON-encoded as Nakama's `content` string (nakama-js parses it back). */
  content: Record<string, unknown>;
}

/** One non-persistent notification as a push envelope (no `cid`). */
export function notificationEnvelope(notice: Notice, nowMs: number): Envelope {
  return {
    notifications: {
      notifications: [
        {
          id: randomUUID(),
          subject: notice.subject,
          content: JSON.stringify(notice.content),
          code: notice.code,
          create_time: rfc3339(nowMs),
          persistent: false,
        },
      ],
    },
  };
}
