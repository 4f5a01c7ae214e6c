/**
 * Request ids, and the per-request view of the Core that carries one. The id is the one a client
 * or proxy sent in `X-Request-Id` when it is safe to log and echo (at most 128 characters of a
 * conservative set), else a new UUID; every HTTP answer and socket upgrade answer carries it back.
 *
 * Why a per-request Core instead of AsyncLocalStorage: on Node 20 an AsyncLocalStorage makes every
 * promise in the process noticeably slower (async hooks), which the hot paths would pay on every
 * request. Domain code already receives the Core of its request, and logs through `core.logger`:
 * giving each request a Core whose logger names its id costs one small object per request.
 */
import { randomUUID } from "node:crypto";
import type { Core } from "../core.js";
import { requestLogger, type Logger } from "../shared/logger.js";

export const REQUEST_ID_HEADER = "X-Request-Id";

/** Letters, digits and the punctuation ids are made of (UUIDs, trace ids, base64); no spaces or quotes. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:+=@/-]{1,128}$/;

/** The incoming `x-request-id` header if it is safe, otherwise a fresh UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Returns a maker of per-request Cores: each reads everything from `core` (its prototype) except
 * `logger`, which writes `request_id` on every line. The logger is made on first use only.
 */
export function requestCores(core: Core): (requestId: string) => Core {
  class RequestCore {
    #logger: Logger | undefined;
    constructor(readonly requestId: string) {}
    get logger(): Logger {
      return (this.#logger ??= requestLogger(core.logger, this.requestId));
    }
  }
  Object.setPrototypeOf(RequestCore.prototype, core);
  return (requestId) => new RequestCore(requestId) as unknown as Core;
}
