/**
 * Reading the audit log for operators: filters (kinds, account, actor, time range) checked with
 * clear messages, newest first, keyset pages. Pending events are written first, so an operator
 * sees the effects of their own action at once.
 */
import { AUDIT_ACTOR_TYPES, type AuditEventJson } from "@tessera/protocol";
import type { Core } from "../core.js";
import { invalidArgument } from "../shared/api-error.js";
import type { AuditActorType, AuditEventRow, AuditQuery } from "../store/admin-store.js";
import { checkUserId } from "../tickets/auth-sessions.js";
import { AUDIT_KINDS, isAuditKind } from "../audit/audit-events.js";
import { decodeCursor, encodeCursor } from "./page-cursor.js";
import { parseRfc3339 } from "./operator-actions.js";

export interface AuditFilterParams {
  /** Comma-separated kinds. */
  kind?: string | undefined;
  user_id?: string | undefined;
  /** `type` or `type:id`, e.g. `admin:alice`. */
  actor?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export function auditEventJson(e: AuditEventRow): AuditEventJson {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(e.details) as Record<string, unknown>;
  } catch {
    details = {};
  }
  return {
    id: e.id,
    time: new Date(e.time).toISOString(),
    kind: e.kind,
    actor: e.actorId === null ? { type: e.actorType } : { type: e.actorType, id: e.actorId },
    ...(e.userId !== null ? { user_id: e.userId } : {}),
    ...(e.ip !== null ? { ip: e.ip } : {}),
    details,
  };
}

/** Parses the filters of `GET /v2/console/audit` (and the CLI) into a store query. */
export function auditQuery(params: AuditFilterParams): AuditQuery {
  const query: AuditQuery = { limit: params.limit };
  if (params.kind) {
    const kinds = params.kind
      .split(",")
      .map((k) => k.trim())
      .filter((k) => k !== "");
    const unknown = kinds.find((k) => !isAuditKind(k));
    if (unknown !== undefined)
      throw invalidArgument(`Unknown audit event kind ${JSON.stringify(unknown.slice(0, 64))}; known kinds: ${AUDIT_KINDS.join(", ")}.`);
    query.kinds = kinds;
  }
  if (params.user_id) query.userId = checkUserId(params.user_id);
  if (params.actor) {
    const colon = params.actor.indexOf(":");
    const type = colon === -1 ? params.actor : params.actor.slice(0, colon);
    if (!(AUDIT_ACTOR_TYPES as readonly string[]).includes(type))
      throw invalidArgument(`Invalid actor: expected one of ${AUDIT_ACTOR_TYPES.join(", ")}, optionally followed by ":<id>".`);
    query.actorType = type as AuditActorType;
    if (colon !== -1) query.actorId = params.actor.slice(colon + 1);
  }
  const since = parseRfc3339(params.since, "since");
  const until = parseRfc3339(params.until, "until");
  if (since !== null) query.since = since;
  if (until !== null) query.until = until;
  if (params.cursor) {
    const c = decodeCursor(params.cursor, { t: "number", i: "string" });
    query.after = { time: c.t, id: c.i };
  }
  return query;
}

/** Audit events matching the filters, newest first; `next_cursor` continues. */
export async function listAuditEvents(
  core: Pick<Core, "store" | "audit">,
  params: AuditFilterParams,
): Promise<{ events: AuditEventJson[]; next_cursor?: string }> {
  const query = auditQuery(params);
  await core.audit.flush();
  const rows = await core.store.admin.listAuditEvents({ ...query, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { events: page.map(auditEventJson), ...(rows.length > query.limit && last ? { next_cursor: encodeCursor({ t: last.time, i: last.id }) } : {}) };
}
