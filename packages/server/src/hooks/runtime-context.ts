/**
 * The `ctx` object runtime code receives, with Nakama's field names. It is frozen, and so is its
 * copy of the session vars: vars are fixed once a token is issued, and a hook that assigns to
 * `ctx.vars` gets a TypeError (modules are strict-mode ESM) instead of silently diverging from
 * the token.
 */
import type { IncomingMessage } from "node:http";
import type { ClientInfo } from "../core.js";
import { VERSION } from "../shared/version.js";
import type { Context, Vars } from "./runtime-types.js";

export const NODE_NAME = "tessera";

const ENV: Readonly<Record<string, string>> = Object.freeze({});

/** The session a call runs for: the caller's, or (after sign-in and refresh) the one just issued. */
export interface SessionUser {
  userId: string;
  username: string;
  vars: Vars;
  /** Access token expiry, unix seconds. */
  exp: number;
  sessionId: string;
}

/** The context of InitModule. */
export function initContext(): Context {
  return Object.freeze({ env: ENV, executionMode: "run_once", node: NODE_NAME, version: VERSION });
}

/** The context of a before or after hook. `user` is absent before a session exists. */
export function hookContext(mode: "before" | "after", client: ClientInfo, req: IncomingMessage, user: SessionUser | undefined): Context {
  const ctx: { -readonly [K in keyof Context]: Context[K] } = { env: ENV, executionMode: mode, node: NODE_NAME, version: VERSION };
  if (user !== undefined) {
    ctx.userId = user.userId;
    ctx.username = user.username;
    // Spread defines own properties, so keys such as "__proto__" survive the copy.
    ctx.vars = Object.freeze({ ...user.vars });
    ctx.userSessionExp = user.exp;
    ctx.sessionId = user.sessionId;
  }
  if (client.ip !== null) ctx.clientIp = client.ip;
  const port = req.socket.remotePort;
  if (port !== undefined) ctx.clientPort = String(port);
  return Object.freeze(ctx);
}
