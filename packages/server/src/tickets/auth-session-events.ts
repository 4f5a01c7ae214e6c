/**
 * Delivering responses to validators. A response is written with its event in one transaction
 * (the database keeps it until the validator acknowledges it), then announced on the bus: the node
 * holding the validator's socket pushes it, and long polls waiting anywhere wake up and read it.
 * Every response but OK ends the auth session.
 */
import { randomUUID } from "node:crypto";
import type { Core } from "../core.js";
import { invalidArgument } from "../shared/api-error.js";
import { rfc3339 } from "../shared/time.js";
import type { AuthSessionRow } from "../store/ticket-store.js";
import type { AuthSessionEventJson as AuthSessionEvent } from "@tessera/protocol";
import { AuthSessionResponse, responseName } from "@tessera/protocol";
import type { Validator } from "./validator.js";

export interface ResponseOwner {
  /** Null keeps the owner already recorded (or the player itself when none is). */
  ownerId: string | null;
  borrowed: boolean;
}

/** Most events one poll returns. */
const POLL_LIMIT = 100;
/** Longest a poll may wait for events. */
export const MAX_POLL_WAIT_MS = 30_000;
const MAX_ACK = 100;
/** How often a waiting poll re-reads the database when the bus may not wake it. */
const UNWOKEN_POLL_MS = 1_000;

/**
 * Records `response` for a live auth session and announces it. With `onlyFirst` it applies only
 * if the session has no response yet (the validation result racing a timeout or a later change).
 * Returns the event, or undefined if nothing changed.
 */
export async function respond(
  core: Pick<Core, "bus" | "clock" | "logger" | "metrics" | "store">,
  session: AuthSessionRow,
  response: AuthSessionResponse,
  owner: ResponseOwner,
  options: { onlyFirst?: boolean } = {},
): Promise<AuthSessionEvent | undefined> {
  const now = core.clock.now();
  const end = response !== AuthSessionResponse.OK;
  const id = randomUUID();
  let event: AuthSessionEvent | undefined;
  const stored = await core.store.tickets.respond(
    session.id,
    { response, ownerId: owner.ownerId, end, onlyFirst: options.onlyFirst ?? false },
    id,
    (seq) => {
      event = {
        id,
        auth_session_id: session.id,
        seq,
        user_id: session.userId,
        owner_id: owner.ownerId ?? session.ownerId ?? session.userId,
        is_borrowed: owner.ownerId === null ? session.ownerId !== null && session.ownerId !== session.userId : owner.borrowed,
        response,
        response_name: responseName(response),
        ended: end,
        create_time: rfc3339(now),
      };
      return JSON.stringify(event);
    },
    now,
  );
  if (!stored || !event) return undefined;
  core.metrics.ticketResponse(event.response_name);
  core.logger.debug("auth session response", { auth_session_id: session.id, response: event.response_name, seq: event.seq });
  await core.bus.publish({ type: "auth_session_event", validatorSessionId: stored.validatorSessionId, event });
  return event;
}

const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The pull API: acknowledges `ack`, then returns the validator's unacknowledged events, waiting
 * up to `waitMs` for one to arrive when there are none. Delivery is at least once: an event stays
 * until acknowledged (or its auth session is purged), so clients de-duplicate by `id`.
 */
export async function pollEvents(
  core: Pick<Core, "clock" | "store" | "tickets">,
  validator: Validator,
  ack: readonly string[],
  waitMs: number,
  signal?: AbortSignal,
): Promise<{ events: AuthSessionEvent[] }> {
  if (!Number.isSafeInteger(waitMs) || waitMs < 0 || waitMs > MAX_POLL_WAIT_MS) throw invalidArgument(`wait_ms must be 0-${MAX_POLL_WAIT_MS}.`);
  if (ack.length > MAX_ACK) throw invalidArgument(`At most ${MAX_ACK} event ids can be acknowledged at once.`);
  // Event ids are UUIDs: any other string acknowledges nothing, as an unknown id does, and is not
  // sent to the database (PostgreSQL refuses text holding NUL with an error).
  const ids = ack.filter((id) => EVENT_ID.test(id));
  if (ids.length > 0) await core.store.tickets.ackEvents(validator.sessionId, ids);
  const read = async () => (await core.store.tickets.pendingEvents(validator.sessionId, POLL_LIMIT)).map((e) => JSON.parse(e.payload) as AuthSessionEvent);
  let events = await read();
  const deadline = core.clock.now() + waitMs;
  while (events.length === 0 && !signal?.aborted && !core.tickets.events.isClosed) {
    const remaining = deadline - core.clock.now();
    if (remaining <= 0) break;
    // Without a bus that reaches every node, an event stored by another node wakes nobody here:
    // re-read the database every second instead (the staleness bound of docs/tickets.md).
    const slice = core.tickets.busReachesAllNodes() ? remaining : Math.min(remaining, UNWOKEN_POLL_MS);
    const wait = core.tickets.events.waiter(validator.sessionId, slice, signal);
    try {
      // Read again after registering: an event stored in between would otherwise wait for the timeout.
      events = await read();
      if (events.length > 0) break;
      await wait.promise;
    } finally {
      wait.cancel();
    }
    if (signal?.aborted) break;
    events = await read();
  }
  return { events: signal?.aborted ? [] : events };
}
