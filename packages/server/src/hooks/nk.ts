/**
 * The `nk` object runtime modules call: server functions with Nakama's names, each a thin,
 * argument-checking call into the same domain functions the HTTP routes use (so a ban from a
 * module is the ban of account/ban.ts, a logout the logout of session/logout.ts).
 */
import { deleteAccount, getAccount } from "../account/account-view.js";
import { banAccount, unbanAccount } from "../account/ban.js";
import { checkUsername } from "../auth/identity-rules.js";
import type { ClientInfo, Core } from "../core.js";
import { ApiError, GrpcCode, Messages, notFound, permissionDenied } from "../shared/api-error.js";
import { startAccessOnlySession } from "../session/issue.js";
import { logout } from "../session/logout.js";
import { sessionInfo } from "../session/session-list.js";
import { parseVars, type Vars } from "../session/vars.js";
import { rfc3339 } from "../shared/time.js";
import type { ApiAccount, Nakama, SessionInfo } from "./runtime-types.js";
import { createGameServer, deleteGameServer, listGameServers } from "../tickets/game-servers.js";
import { endLoan, grantLicense, lendLicense, listLicenses, revokeLicense } from "../tickets/licenses.js";
import { cancelAllTickets, cancelTicket } from "../tickets/tickets.js";
import { RUNTIME_ACTOR } from "../audit/audit-events.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Nakama's presence reasons, for `sessionDisconnect(id, reason)` given as a number. */
const PRESENCE_REASONS = ["unknown", "join", "update", "leave", "disconnect"] as const;
const MAX_REASON_LENGTH = 128;

/** Sessions made by the runtime record no client address. */
const RUNTIME_CLIENT: ClientInfo = { ip: null, userAgent: null };

function uuid(fn: string, what: string, value: unknown): string {
  if (typeof value !== "string" || !UUID.test(value)) throw new TypeError(`nk.${fn}: expects ${what} to be a UUID string, got ${describe(value)}`);
  return value.toLowerCase();
}

function optionalString(fn: string, what: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new TypeError(`nk.${fn}: expects ${what} to be a string, got ${describe(value)}`);
  return value;
}

function userIds(fn: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError(`nk.${fn}: expects an array of user ids, got ${describe(value)}`);
  return [...new Set(value.map((id: unknown) => uuid(fn, "every user id", id)))];
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 64 ? value.slice(0, 64) + "…" : value);
  if (Array.isArray(value)) return "an array";
  return value === null ? "null" : typeof value;
}

/** Applies `op` to each account; unknown ids are collected and reported after the others were done. */
async function eachAccount(fn: string, ids: string[], op: (id: string) => Promise<void>): Promise<void> {
  const missing: string[] = [];
  for (const id of ids) {
    try {
      await op(id);
    } catch (err) {
      if (err instanceof ApiError && err.code === GrpcCode.NOT_FOUND) missing.push(id);
      else throw err;
    }
  }
  if (missing.length > 0) {
    throw new ApiError(
      GrpcCode.NOT_FOUND,
      `nk.${fn}: no account with id ${missing.join(", ")}${missing.length < ids.length ? " (the other accounts were done)" : ""}.`,
    );
  }
}

export function createNakama(core: Core): Nakama {
  const nk: Nakama = {
    async sessionLogout(userId, token, refreshToken) {
      const uid = uuid("sessionLogout", "userId", userId);
      const t = optionalString("sessionLogout", "token", token);
      const r = optionalString("sessionLogout", "refreshToken", refreshToken);
      const caller = { userId: uid, username: "", sessionId: "", vars: {}, expiresAtSec: 0 };
      try {
        await logout(core, caller, { token: t, refreshToken: r }, RUNTIME_ACTOR);
      } catch (err) {
        // A token of another user, or not a token: an argument error here, not the client's.
        if (err instanceof ApiError && err.code === GrpcCode.INVALID_ARGUMENT) throw new TypeError(`nk.sessionLogout: ${err.message}`);
        throw err;
      }
    },

    async sessionDisconnect(sessionId, reason) {
      const sid = uuid("sessionDisconnect", "sessionId", sessionId);
      let why: string;
      if (reason === undefined || reason === null) why = "disconnect";
      else if (typeof reason === "number") {
        const named = Number.isInteger(reason) ? PRESENCE_REASONS[reason] : undefined;
        if (named === undefined) throw new TypeError("nk.sessionDisconnect: a numeric reason must be 0-4 (Nakama's presence reasons)");
        why = named;
      } else if (typeof reason === "string" && reason.length <= MAX_REASON_LENGTH) why = reason;
      else throw new TypeError(`nk.sessionDisconnect: expects reason to be a string of at most ${MAX_REASON_LENGTH} characters or a number 0-4`);
      await core.bus.publish({ type: "session_disconnect", sessionId: sid, reason: why });
    },

    async sessionsList(userId): Promise<SessionInfo[]> {
      const uid = uuid("sessionsList", "userId", userId);
      const rows = await core.store.listSessions(uid, Math.floor(core.clock.now() / 1000));
      return rows.map((s) => sessionInfo(s, undefined));
    },

    async authenticateTokenGenerate(userId, username, expiresAt, vars) {
      const fn = "authenticateTokenGenerate";
      const uid = uuid(fn, "userId", userId);
      let name = optionalString(fn, "username", username);
      if (name === "") name = undefined;
      if (name !== undefined) {
        try {
          checkUsername(name);
        } catch (err) {
          throw new TypeError(`nk.${fn}: ${(err as Error).message}`);
        }
      }
      const nowSec = Math.floor(core.clock.now() / 1000);
      let exp = nowSec + core.config.session.tokenExpirySec;
      if (expiresAt !== undefined && expiresAt !== null && expiresAt !== 0) {
        if (typeof expiresAt !== "number" || !Number.isSafeInteger(expiresAt))
          throw new TypeError(`nk.${fn}: expects expiresAt to be whole unix seconds, got ${describe(expiresAt)}`);
        if (expiresAt <= nowSec) throw new TypeError(`nk.${fn}: expiresAt (${expiresAt}) is not in the future (now ${nowSec})`);
        exp = expiresAt;
      }
      let sessionVars: Vars = {};
      if (vars !== undefined && vars !== null) {
        try {
          sessionVars = parseVars(vars) ?? {};
        } catch (err) {
          throw new TypeError(`nk.${fn}: ${(err as Error).message}`);
        }
      }
      const account = await core.store.getAccount(uid);
      if (!account) throw notFound(`nk.${fn}: no account with id ${uid}.`);
      if (account.disableTime !== null) throw permissionDenied(Messages.accountBanned);
      return startAccessOnlySession(core, { id: account.id, username: name ?? account.username }, sessionVars, exp, RUNTIME_CLIENT);
    },

    async usersBanId(ids, options) {
      const fn = "usersBanId";
      if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) {
        throw new TypeError(`nk.${fn}: expects options to be {kind?, reason?}, got ${describe(options)}`);
      }
      const kind = options?.kind ?? "publisher";
      if (kind !== "publisher" && kind !== "vac") throw new TypeError(`nk.${fn}: expects kind to be "publisher" or "vac", got ${describe(kind)}`);
      const reason = optionalString(fn, "reason", options?.reason);
      await eachAccount(fn, userIds(fn, ids), (id) => banAccount(core, id, { kind, reason: reason ?? null }, RUNTIME_ACTOR));
    },

    async usersUnbanId(ids) {
      await eachAccount("usersUnbanId", userIds("usersUnbanId", ids), (id) => unbanAccount(core, id, RUNTIME_ACTOR));
    },

    async accountGetId(userId): Promise<ApiAccount> {
      const uid = uuid("accountGetId", "userId", userId);
      const account = await core.store.getAccount(uid);
      if (!account) throw notFound(`nk.accountGetId: no account with id ${uid}.`);
      // The JSON of GET /v2/account (whatever it shows, e.g. `online`), plus the ban time it hides.
      const json = (await getAccount(core, uid)) as unknown as ApiAccount;
      if (account.disableTime !== null) json.disable_time = rfc3339(account.disableTime);
      return json;
    },

    async accountDeleteId(userId) {
      await deleteAccount(core, uuid("accountDeleteId", "userId", userId), RUNTIME_ACTOR);
    },

    async licenseGrant(userId, expiresAt) {
      const fn = "licenseGrant";
      const uid = uuid(fn, "userId", userId);
      let expiry: number | null = null;
      if (expiresAt !== undefined && expiresAt !== null) {
        const nowSec = Math.floor(core.clock.now() / 1000);
        if (typeof expiresAt !== "number" || !Number.isSafeInteger(expiresAt) || expiresAt <= nowSec) {
          throw new TypeError(`nk.${fn}: expects expiresAt to be whole unix seconds in the future, got ${describe(expiresAt)}`);
        }
        expiry = expiresAt * 1000;
      }
      await grantLicense(core, uid, expiry, RUNTIME_ACTOR);
    },

    async licenseRevoke(userId) {
      await revokeLicense(core, uuid("licenseRevoke", "userId", userId), RUNTIME_ACTOR);
    },

    async licenseLend(ownerId, borrowerId) {
      await lendLicense(core, uuid("licenseLend", "ownerId", ownerId), uuid("licenseLend", "borrowerId", borrowerId), RUNTIME_ACTOR);
    },

    async licenseLoanEnd(ownerId, borrowerId) {
      await endLoan(core, uuid("licenseLoanEnd", "ownerId", ownerId), uuid("licenseLoanEnd", "borrowerId", borrowerId), RUNTIME_ACTOR);
    },

    async licensesGet(userId) {
      return listLicenses(core, uuid("licensesGet", "userId", userId));
    },

    async authTicketsCancel(userId, handle) {
      const fn = "authTicketsCancel";
      const uid = uuid(fn, "userId", userId);
      if (handle === undefined || handle === null) return cancelAllTickets(core, uid);
      if (typeof handle !== "number" || !Number.isSafeInteger(handle))
        throw new TypeError(`nk.${fn}: expects handle to be a whole number, got ${describe(handle)}`);
      await cancelTicket(core, uid, String(handle));
      return 1;
    },

    async gameServerCreate(identity) {
      return createGameServer(core, identity);
    },

    async gameServerDelete(identity) {
      await deleteGameServer(core, identity);
    },

    async gameServersList() {
      return listGameServers(core);
    },

    async ticketKeyRotate() {
      const kid = await core.tickets.keyring.rotate();
      core.audit.record({ kind: "ticket_key_rotated", actor: RUNTIME_ACTOR, details: { kid } });
      core.logger.info("ticket signing key rotated", { kid });
      return kid;
    },
  };
  return Object.freeze(nk);
}
