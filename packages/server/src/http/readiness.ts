/**
 * Readiness (`GET /readyz`): should this node receive traffic? The database decides: without it no
 * request can be served, so the node answers 503 and a load balancer sends players elsewhere. The
 * bus does not: while Redis is unreachable the database poll still brings every revocation to this
 * node within 2 s, and taking every node out of rotation because Redis is down would turn a
 * degraded cluster into an outage. Liveness (`/healthz`) checks nothing but the process.
 */
import type { Core } from "../core.js";
import { StoreUnavailableError } from "../store/store.js";

export interface Readiness {
  ready: boolean;
  /** `ok`; `degraded` (ready, but the bus is reconnecting); `unavailable` (not ready). */
  status: "ok" | "degraded" | "unavailable";
  /** `ok`, or `down: <reason>`. */
  database: string;
  /** `ok` (connected), `local` (in-process bus), or `<transport> reconnecting`. */
  bus: string;
}

/** A readiness probe must answer quickly, also when the database does not. */
export const READINESS_TIMEOUT_MS = 2000;

export async function checkReadiness(core: Core, timeoutMs = READINESS_TIMEOUT_MS): Promise<Readiness> {
  const database = await databaseState(core, timeoutMs);
  const health = core.bus.health();
  const bus = health.state === "local" ? "local" : health.state === "connected" ? "ok" : `${health.transport} reconnecting`;
  const ready = database === "ok";
  return { ready, status: !ready ? "unavailable" : health.state === "disconnected" ? "degraded" : "ok", database, bus };
}

async function databaseState(core: Core, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`down: no answer within ${timeoutMs} ms`), timeoutMs);
  });
  const ping = core.store.ping().then(
    () => "ok",
    (err: unknown) => {
      if (!(err instanceof StoreUnavailableError)) {
        core.logger.error("readiness: the database check failed unexpectedly", { error: err instanceof Error ? err : String(err) });
        return "down: unexpected error (see the server log)";
      }
      core.logger.warn("readiness: database unavailable", { error: err.message });
      return `down: ${reasonOf(err)}`;
    },
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The cause in a few words, without host names or addresses (the endpoint is unauthenticated):
 * a socket error code, or the driver's message for a lost connection.
 */
function reasonOf(err: StoreUnavailableError): string {
  const cause = err.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  // Node's socket codes (ECONNREFUSED, EPIPE) read as they are; a 5-character database code is a SQLSTATE.
  if (typeof code === "string" && code !== "") return !/^E[A-Z_]+$/.test(code) && /^[0-9A-Z]{5}$/.test(code) ? `SQLSTATE ${code}` : code;
  if (cause instanceof AggregateError) {
    const codes = [...new Set(cause.errors.map((e: unknown) => (e as { code?: unknown }).code).filter((c): c is string => typeof c === "string"))];
    if (codes.length > 0) return codes.join(", ");
  }
  const message = cause instanceof Error ? cause.message : cause === undefined ? err.message : "";
  return message !== "" && !NAMES_AN_ADDRESS.test(message) ? message : "unreachable";
}

const NAMES_AN_ADDRESS = /\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]|:\d{2,5}\b|\/\//i;
