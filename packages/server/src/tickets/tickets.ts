/**
 * The player's side: getting a ticket for an optional validator identity, cancelling it, listing
 * the open ones. Issuing writes the ticket row before handing out the signed bytes, so every
 * ticket that exists can be cancelled and used only once.
 */
import { randomInt, randomUUID } from "node:crypto";
import type { Core } from "../core.js";
import { ApiError, GrpcCode, invalidArgument, notFound } from "../shared/api-error.js";
import { rfc3339 } from "../shared/time.js";
import type { Caller } from "../session/verify-access.js";
import { StoreConflictError } from "../store/store.js";
import type { TicketRow } from "../store/ticket-store.js";
import { AuthSessionResponse, type OpenTicketJson, type TicketJson } from "@tessera/protocol";
import { respond } from "./auth-session-events.js";
import { checkIdentity } from "./game-servers.js";
import { encodeTicketBody } from "./ticket-format.js";

/** Handles are 31-bit so every client and database integer type holds them. */
const MAX_HANDLE = 2 ** 31 - 1;
const HANDLE_ATTEMPTS = 5;

/** Issues a ticket for `identity` ("" or absent: any validator). */
export async function issueTicket(
  core: Pick<Core, "clock" | "config" | "metrics" | "store" | "tickets">,
  caller: Caller,
  identityIn: string | undefined,
): Promise<TicketJson> {
  const identity = identityIn === undefined || identityIn === "" ? "" : checkIdentity(identityIn);
  const now = core.clock.now();
  const open = await core.store.tickets.countOpenTickets(caller.sessionId, now);
  if (open >= core.config.tickets.maxOpenPerSession) {
    // Every open ticket was issued within the last ticket_expiry_sec, so one has expired by then.
    throw new ApiError(
      GrpcCode.RESOURCE_EXHAUSTED,
      `Too many open tickets (at most ${core.config.tickets.maxOpenPerSession} per session); cancel some first.`,
      {
        headers: { "Retry-After": String(core.config.tickets.ticketExpirySec) },
      },
    );
  }
  const issuedAtSec = Math.floor(now / 1000);
  const expiresAtSec = issuedAtSec + core.config.tickets.ticketExpirySec;
  for (let attempt = 1; ; attempt++) {
    const row = {
      id: randomUUID(),
      accountId: caller.userId,
      handle: randomInt(1, MAX_HANDLE + 1),
      sessionId: caller.sessionId,
      identity,
      appId: core.config.tickets.appId,
      issuedAt: issuedAtSec * 1000,
      expiresAt: expiresAtSec * 1000,
      canceledAt: null,
      usedAt: null,
      usedBy: null,
    } satisfies TicketRow;
    try {
      await core.store.tickets.insertTicket(row);
    } catch (err) {
      if (err instanceof StoreConflictError && err.field === "ticket_handle" && attempt < HANDLE_ATTEMPTS) continue;
      throw err;
    }
    const body = encodeTicketBody({
      keyId: core.tickets.keyring.signingKeyId,
      handle: row.handle,
      ticketId: row.id,
      appId: row.appId,
      userId: caller.userId,
      sessionId: caller.sessionId,
      issuedAtSec,
      expiresAtSec,
      identity,
    });
    const signature = await core.tickets.keyring.sign(body);
    core.metrics.ticketIssued();
    return {
      handle: row.handle,
      ticket: Buffer.concat([body, signature]).toString("hex"),
      identity,
      create_time: rfc3339(row.issuedAt),
      expire_time: rfc3339(row.expiresAt),
    };
  }
}

/** Cancels one of the caller's tickets; a validator holding it gets AuthTicketCanceled (6). */
export async function cancelTicket(core: Pick<Core, "bus" | "clock" | "logger" | "metrics" | "store">, userId: string, handleIn: unknown): Promise<void> {
  const handle = typeof handleIn === "string" && /^\d{1,10}$/.test(handleIn) ? Number(handleIn) : NaN;
  if (!(handle >= 1 && handle <= MAX_HANDLE)) throw invalidArgument("Ticket handle invalid, must be a whole number from 1 to 2147483647.");
  const ticket = await core.store.tickets.cancelTicket(userId, handle, core.clock.now());
  if (!ticket) throw notFound("Ticket not found.");
  for (const session of await core.store.tickets.liveAuthSessionsOfTicket(ticket.id)) {
    await respond(core, session, AuthSessionResponse.AuthTicketCanceled, { ownerId: null, borrowed: false });
  }
}

/** Cancels every open ticket of the caller; returns how many. */
export async function cancelAllTickets(core: Pick<Core, "bus" | "clock" | "logger" | "metrics" | "store">, userId: string): Promise<number> {
  const tickets = await core.store.tickets.listTickets(userId, core.clock.now());
  for (const t of tickets)
    await cancelTicket(core, userId, String(t.handle)).catch((err: unknown) => {
      // Cancelled concurrently: already what was asked.
      if (!(err instanceof ApiError && err.code === GrpcCode.NOT_FOUND)) throw err;
    });
  return tickets.length;
}

export async function listTickets(core: Pick<Core, "clock" | "store">, userId: string): Promise<{ tickets: OpenTicketJson[] }> {
  const tickets = await core.store.tickets.listTickets(userId, core.clock.now());
  return {
    tickets: tickets.map((t) => ({
      handle: t.handle,
      identity: t.identity,
      create_time: rfc3339(t.issuedAt),
      expire_time: rfc3339(t.expiresAt),
      state: t.usedAt === null ? "issued" : "in_use",
    })),
  };
}
