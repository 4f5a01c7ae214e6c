/**
 * What operators read about players: account search with keyset paging, and the account page
 * (profile, identities, ban, sessions, licenses, tickets) assembled from the domain's own views.
 */
import type { Core } from "../core.js";
import { invalidArgument, notFound } from "../shared/api-error.js";
import { accountJson, subjectOf } from "../account/account-view.js";
import { steamStatusOf } from "../auth/steam.js";
import { sessionInfo, type SessionInfo } from "../session/session-list.js";
import { listLicenses, type LicensesJson } from "../tickets/licenses.js";
import { listTickets, type TicketInfo } from "../tickets/tickets.js";
import { checkUserId } from "../tickets/auth-sessions.js";
import type { AccountSearchField } from "../store/admin-store.js";
import type { AccountRow, IdentityRow } from "../store/store.js";
import { rfc3339 } from "../shared/time.js";
import { decodeCursor, encodeCursor } from "./page-cursor.js";

export const ACCOUNT_SEARCH_FIELDS: readonly AccountSearchField[] = ["any", "id", "username", "email", "custom_id", "steam_id", "device"];

export interface AccountSummary {
  id: string;
  username: string;
  display_name?: string;
  email?: string;
  custom_id?: string;
  steam_id?: string;
  /** The device id that matched a device search. */
  device_id?: string;
  create_time: string;
  disable_time?: string;
}

export interface AccountSearchParams {
  query?: string | undefined;
  field?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

function summary(a: AccountRow, identities: readonly IdentityRow[], deviceId?: string): AccountSummary {
  const email = subjectOf(identities, "email");
  const customId = subjectOf(identities, "custom");
  const steamId = subjectOf(identities, "steam");
  return {
    id: a.id,
    username: a.username,
    ...(a.displayName ? { display_name: a.displayName } : {}),
    ...(email ? { email } : {}),
    ...(customId ? { custom_id: customId } : {}),
    ...(steamId ? { steam_id: steamId } : {}),
    ...(deviceId !== undefined ? { device_id: deviceId } : {}),
    create_time: rfc3339(a.createTime),
    ...(a.disableTime !== null ? { disable_time: rfc3339(a.disableTime) } : {}),
  };
}

/**
 * Searches accounts. No query: every account, newest first. `field` any (default): a username
 * prefix or any identity exactly (id, email, custom id, Steam id, device id); id: an exact UUID;
 * the others: a prefix of that identity. Pages continue with `next_cursor`.
 */
export async function searchAccounts(core: Pick<Core, "store">, params: AccountSearchParams): Promise<{ accounts: AccountSummary[]; next_cursor?: string }> {
  const field = (params.field === undefined || params.field === "" ? "any" : params.field) as AccountSearchField;
  if (!ACCOUNT_SEARCH_FIELDS.includes(field)) throw invalidArgument(`Invalid field: expected one of ${ACCOUNT_SEARCH_FIELDS.join(", ")}.`);
  const query = params.query ?? "";
  if (Buffer.byteLength(query, "utf8") > 255) throw invalidArgument("Search query too long, at most 255 bytes.");
  if (/[\u0000-\u001f\u007f]/.test(query)) throw invalidArgument("Search query invalid, no control characters allowed.");
  const limit = params.limit;

  if (query === "" && field === "any") {
    const after = params.cursor ? decodeCursor(params.cursor, { t: "number", i: "string" }) : undefined;
    const rows = await core.store.admin.listAccounts(after ? { createTime: after.t, id: after.i } : undefined, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const identities = await identitiesByAccount(core, page);
    return { accounts: page.map((a) => summary(a, identities(a.id))), ...(rows.length > limit && last ? { next_cursor: encodeCursor({ t: last.createTime, i: last.id }) } : {}) };
  }

  const after = params.cursor ? decodeCursor(params.cursor, { f: "string", k: "string" }) : undefined;
  if (after && after.f !== field) throw invalidArgument("Invalid cursor: it belongs to a search of another field.");
  const hits = await core.store.admin.searchAccounts({ field, query: field === "id" ? checkUserId(query) : query, after: after?.k, limit: limit + 1 });
  const page = hits.slice(0, limit);
  const last = page.at(-1);
  const identities = await identitiesByAccount(core, page.map((h) => h.account));
  return {
    accounts: page.map((h) => summary(h.account, identities(h.account.id), field === "device" ? h.key : undefined)),
    ...(hits.length > limit && last ? { next_cursor: encodeCursor({ f: field, k: last.key }) } : {}),
  };
}

/** The identities of a page of accounts, read in one query, by account id. */
async function identitiesByAccount(core: Pick<Core, "store">, accounts: readonly AccountRow[]): Promise<(accountId: string) => IdentityRow[]> {
  const byAccount = new Map<string, IdentityRow[]>();
  for (const identity of await core.store.admin.identitiesOf(accounts.map((a) => a.id))) {
    const list = byAccount.get(identity.accountId);
    if (list) list.push(identity);
    else byAccount.set(identity.accountId, [identity]);
  }
  return (accountId) => byAccount.get(accountId) ?? [];
}

export interface AccountDetail {
  account: ReturnType<typeof accountJson> & {
    steam_owner_id?: string;
    steam_vac_banned?: boolean;
    disable_time?: string;
    ban_kind?: string;
    ban_reason?: string;
  };
  sessions: SessionInfo[];
  licenses: LicensesJson;
  tickets: TicketInfo[];
}

/** Everything the account page shows: Nakama's account JSON plus what only operators see. */
export async function accountDetail(core: Core, userIdIn: unknown): Promise<AccountDetail> {
  const userId = checkUserId(userIdIn);
  const found = await core.store.getAccountWithIdentities(userId);
  if (!found) throw notFound("Account not found.");
  const a = found.account;
  const steam = found.identities.find((i) => i.provider === "steam");
  const steamStatus = steam === undefined ? undefined : steamStatusOf(steam.profile);
  const sessions = await core.store.listSessions(userId, Math.floor(core.clock.now() / 1000));
  return {
    account: {
      ...accountJson(a, found.identities, core.presence.isOnline(userId)),
      ...(steamStatus?.ownerId ? { steam_owner_id: steamStatus.ownerId } : {}),
      ...(steamStatus ? { steam_vac_banned: steamStatus.vacBanned } : {}),
      ...(a.disableTime !== null ? { disable_time: rfc3339(a.disableTime), ban_kind: a.banKind ?? "publisher" } : {}),
      ...(a.disableTime !== null && a.banReason ? { ban_reason: a.banReason } : {}),
    },
    sessions: sessions.map((s) => sessionInfo(s, undefined)),
    licenses: await listLicenses(core, userId),
    tickets: (await listTickets(core, userId)).tickets,
  };
}

/** An account by id or, failing that, by username (the CLI's `<user id|username>`). */
export async function findAccount(core: Pick<Core, "store">, idOrUsername: string): Promise<AccountRow> {
  let id: string | undefined;
  try {
    id = checkUserId(idOrUsername);
  } catch {
    id = undefined; // Not a UUID: a username.
  }
  const byId = id === undefined ? undefined : await core.store.getAccount(id);
  const account = byId ?? (await core.store.findAccountByUsername(idOrUsername));
  if (!account) throw notFound(`No account with id or username ${JSON.stringify(idOrUsername)}.`);
  return account;
}
