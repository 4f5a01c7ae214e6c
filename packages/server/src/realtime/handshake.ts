/**
 * Reading a WebSocket upgrade request (`GET /ws?token=&status=&lang=&format=`) and refusing one
 * with a plain HTTP answer. Refusals are written on the raw socket because no `ServerResponse`
 * exists for an upgrade request.
 */
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { GrpcCode, Messages } from "../shared/api-error.js";

export const SOCKET_PATH = "/ws";

/** Longest `lang` kept; Nakama's language tags are at most 18 bytes. */
const LANG_MAX = 18;

export interface HandshakeParams {
  token: string;
  lang: string;
  status: boolean;
}

export interface Refusal {
  status: number;
  code: GrpcCode;
  message: string;
  headers?: Record<string, string>;
}

const BEARER_CHALLENGE = 'Bearer realm="tessera"';

export const tokenRefusal = (message: string): Refusal => ({
  status: 401,
  code: GrpcCode.UNAUTHENTICATED,
  message,
  headers: { "WWW-Authenticate": message === Messages.authTokenRequired ? BEARER_CHALLENGE : `${BEARER_CHALLENGE}, error="invalid_token"` },
});

/** The path of the request, without its query. */
export function requestPath(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The parameters of an upgrade request to `SOCKET_PATH`, or why it is refused. As in Nakama, an
 * `Authorization` header wins over the `token` query parameter and must then be a Bearer token.
 */
export function readHandshake(req: IncomingMessage): { ok: true; params: HandshakeParams } | { ok: false; refusal: Refusal } {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const query = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));

  const format = query.get("format") ?? "";
  if (format === "protobuf") return refuse({ status: 400, code: GrpcCode.INVALID_ARGUMENT, message: "Protobuf format is not supported; use format=json." });
  if (format !== "" && format !== "json") return refuse({ status: 400, code: GrpcCode.INVALID_ARGUMENT, message: "Invalid format parameter." });

  let token: string;
  const header = req.headers.authorization;
  if (header !== undefined && header !== "") {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return refuse(tokenRefusal(Messages.authTokenInvalid));
    token = match[1]!;
  } else {
    token = query.get("token") ?? "";
  }
  if (token === "") return refuse(tokenRefusal(Messages.authTokenRequired));

  const lang = query.get("lang") || "en";
  return {
    ok: true,
    params: { token, lang: lang.slice(0, LANG_MAX), status: /^(1|t|true)$/i.test(query.get("status") ?? "") },
  };
}

const refuse = (refusal: Refusal): { ok: false; refusal: Refusal } => ({ ok: false, refusal });

/** Writes a complete HTTP answer with a Nakama-shaped JSON body, then closes the connection. */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ code: refusal.code, message: refusal.message });
  const headers: Record<string, string | number> = {
    Connection: "close",
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    ...refusal.headers,
  };
  const head = [`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ""}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.once("finish", () => socket.destroy());
  socket.end(head.join("\r\n") + "\r\n\r\n" + body);
}
