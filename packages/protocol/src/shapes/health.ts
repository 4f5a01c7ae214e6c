/** Liveness and readiness answers (`/healthz`, `/readyz`). */
import { s } from "../schema.js";

/** Liveness and readiness answers. */
export const HealthSchema = s.object({ status: s.oneOf(["ok"]) });
export const ReadinessSchema = s.object({
  status: s.oneOf(["ok", "degraded", "unavailable"]),
  /** "ok" or "down: <reason>". */
  database: s.string(),
  /** "ok", "local" or "redis reconnecting". */
  bus: s.string(),
});
