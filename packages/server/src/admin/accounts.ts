/**
 * What operators read about players: account search with keyset paging, and the account page
 * (profile, identities, ban, sessions, licenses, tickets) assembled from the domain's own views.
 */
import type { AccountDetail, AccountSummary } from "@tessera/protocol";
import type { Core } from "../core.js";
import { invalidArgument, notFound } from "../shared/api-error.js";
import { accountJson } from "../account/account-view.js";
import { sessionInfo } from "../session/session-list.js";
import { listLicenses } from "../tickets/licenses.js";
import { listTickets } from "../tickets/tickets.js";
import { checkUserId } from "../tickets/auth-sessions.js";
import { PROVIDERS, type RegisteredProvider } from "../auth/providers/registry.js";
import type { AccountSearch, AccountSearchField } from "../store/admin-store.js";
import type { AccountRow, IdentityRow } from "../store/store.js";
import { rfc3339 } from "../shared/time.js";
import { decodeCursor, encodeCursor } from "./page-cursor.js";

/** The console's search fields: the account's own, then each provider's (`device`, `email`, `custom_id`, `steam_id` …). */
export const ACCOUNT_SEARCH_FIELDS: readonly AccountSearchField[] = ["any", "id", "username", ...PROVIDERS.map((p) => p.console.searchField)];

const providerBySearchField = new Map<string, RegisteredProvider>(PROVIDERS.map((p) => [p.console.searchField, p]));

export interface AccountSearchParams {
  query?: string | undefined;
  field?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/**
 * A search hit: the subject of each one-per-account provider's identity; of a many-per-account
 * provider (devices) only the one that matched a search of it.
 */
function summary(a: AccountRow, identities: readonly IdentityRow[], matched?: { provider: RegisteredProvider; subject: string }): AccountSummary {
  const subjects: Record<string, string> = {};
  for (const provider of PROVIDERS) {
    if (provider.perAccount !== "one") continue;
    const subject = identities.find((i) => i.provider === provider.name)?.subject;
    if (subject) subjects[provider.console.summaryKey] = subject;
  }
  if (matched !== undefined && matched.provider.perAccount === "many") subjects[matched.provider.console.summaryKey] = matched.subject;
  return {
    id: a.id,
    username: a.username,
    ...(a.displayName ? { display_name: a.displayName } : {}),
    ...subjects,
    create_time: rfc3339(a.createTime),
    ...(a.disableTime !== null ? { disable_time: rfc3339(a.disableTime) } : {}),
  };
}

/**
 * Searches accounts. No query: every account, newest first. `field` any (default): a username
 * prefix or any identity exactly (id, email, custom id, Steam id, device id …); id: an exact UUID;
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
    return {
      accounts: page.map((a) => summary(a, identities(a.id))),
      ...(rows.length > limit && last ? { next_cursor: encodeCursor({ t: last.createTime, i: last.id }) } : {}),
    };
  }

  const after = params.cursor ? decodeCursor(params.cursor, { f: "string", k: "string" }) : undefined;
  if (after && after.f !== field) throw invalidArgument("Invalid cursor: it belongs to a search of another field.");
  const provider = providerBySearchField.get(field);
  const search: AccountSearch = { field, query: field === "id" ? checkUserId(query) : query, after: after?.k, limit: limit + 1 };
  const hits = await core.store.admin.searchAccounts(search);
  const page = hits.slice(0, limit);
  const last = page.at(-1);
  const identities = await identitiesByAccount(
    core,
    page.map((h) => h.account),
  );
  return {
    accounts: page.map((h) => summary(h.account, identities(h.account.id), provider === undefined ? undefined : { provider, subject: h.key })),
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

/**
 * Everything the account page shows: Nakama's account JSON plus what only operators see (each
 * provider's `operatorFields`, the ban, and every identity with its times, OpenID Connect's too).
 */
export async function accountDetail(core: Pick<Core, "clock" | "config" | "presence" | "store">, userIdIn: unknown): Promise<AccountDetail> {
  const userId = checkUserId(userIdIn);
  const found = await core.store.getAccountWithIdentities(userId);
  if (!found) throw notFound("Account not found.");
  const a = found.account;
  const operatorFields: Record<string, string | boolean> = {};
  for (const provider of PROVIDERS) {
    const held = found.identities.find((i) => i.provider === provider.name);
    if (held !== undefined && provider.operatorFields !== undefined) Object.assign(operatorFields, provider.operatorFields(held));
  }
  const sessions = await core.store.listSessions(userId, Math.floor(core.clock.now() / 1000));
  return {
    account: {
      ...accountJson(a, found.identities, core.presence.isOnline(userId)),
      ...operatorFields,
      ...(a.disableTime !== null ? { disable_time: rfc3339(a.disableTime), ban_kind: a.banKind ?? "publisher" } : {}),
      ...(a.disableTime !== null && a.banReason ? { ban_reason: a.banReason } : {}),
    },
    identities: found.identities.map((i) => ({
      provider: i.provider,
      subject: i.subject,
      create_time: rfc3339(i.createTime),
      ...(i.lastUseTime > 0 ? { last_use_time: rfc3339(i.lastUseTime) } : {}),
    })),
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
