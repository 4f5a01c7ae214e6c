/**
 * Reading and updating the caller's own account, in Nakama's `Account` JSON shape: RFC 3339
 * times, empty fields omitted, `disable_time` never shown.
 */
import type { AccountJson, AccountUser } from "@tessera/protocol";
import type { Core } from "../core.js";
import { Messages, alreadyExists, invalidArgument, notFound } from "../shared/api-error.js";
import { checkUsername } from "../auth/identity-rules.js";
import { PROVIDERS } from "../auth/providers/registry.js";
import { StoreConflictError, type AccountPatch, type AccountRow, type IdentityRow } from "../store/store.js";
import { rfc3339 } from "../shared/time.js";
import { revokeAllSessions } from "../session/revocation.js";
import { userActor, type AuditActor } from "../audit/audit-events.js";

export async function getAccount(core: Pick<Core, "store" | "presence">, userId: string): Promise<AccountJson> {
  const found = await core.store.getAccountWithIdentities(userId);
  if (!found) throw notFound("Account not found.");
  return accountJson(found.account, found.identities, core.presence.isOnline(userId));
}

/**
 * Each provider's field of the account JSON (`email`, `devices`, `custom_id` at the top, `steam_id`
 * in `user`), from the account's identities in link order. Identities of a provider this version
 * does not know (written by a newer node) are not shown.
 */
export function identityFields(identities: readonly IdentityRow[]): { user: Record<string, string>; account: Record<string, string | { id: string }[]> } {
  const user: Record<string, string> = {};
  const account: Record<string, string | { id: string }[]> = {};
  for (const provider of PROVIDERS) {
    const held = identities.filter((i) => i.provider === provider.name);
    const first = held[0];
    if (first === undefined) continue;
    const field = provider.accountField;
    if (field.shape === "none") continue;
    if (field.shape === "id_list") account[field.key] = held.map((i) => ({ id: i.subject }));
    else (field.in === "user" ? user : account)[field.key] = first.subject;
  }
  return { user, account };
}

/** `identities`: the account's, in link order. */
export function accountJson(a: AccountRow, identities: readonly IdentityRow[], online = false): AccountJson {
  const fields = identityFields(identities);
  // Nakama's key order; `online` is omitted when false, true while a realtime socket of the account is open here.
  const user: AccountUser = {
    id: a.id,
    username: a.username,
    ...(a.displayName ? { display_name: a.displayName } : {}),
    ...(a.avatarUrl ? { avatar_url: a.avatarUrl } : {}),
    ...(a.langTag ? { lang_tag: a.langTag } : {}),
    ...(a.location ? { location: a.location } : {}),
    ...(a.timezone ? { timezone: a.timezone } : {}),
    metadata: a.metadata,
    ...fields.user,
    ...(online ? { online: true } : {}),
    create_time: rfc3339(a.createTime),
    update_time: rfc3339(a.updateTime),
  };
  const out: AccountJson = { user, wallet: "{}", ...fields.account };
  if (a.verifyTime !== null) out.verify_time = rfc3339(a.verifyTime);
  return out;
}

/**
 * Deletes an account for good: identities, sessions (every token stops working), profile. `actor`
 * (default: the player itself) is recorded in the audit log, which keeps the account's trail.
 */
export async function deleteAccount(core: Core, userId: string, actor: AuditActor = userActor(userId)): Promise<void> {
  // Revoke first so live sockets of the account are closed; then the rows go.
  await revokeAllSessions(core, userId, "deleted", undefined, actor);
  if (!(await core.store.deleteAccount(userId))) throw notFound("Account not found.");
  core.audit.record({ kind: "account_deleted", actor, userId });
  core.logger.info("account deleted", { user_id: userId });
}

/** The longest value of each profile field, in UTF-8 bytes. */
export const PROFILE_LIMITS = { display_name: 255, avatar_url: 512, lang_tag: 18, location: 255, timezone: 255 } as const;

const FIELD_NAMES: Record<keyof typeof PROFILE_LIMITS, string> = {
  display_name: "Display name",
  avatar_url: "Avatar URL",
  lang_tag: "Language tag",
  location: "Location",
  timezone: "Timezone",
};

export interface AccountUpdate {
  username?: string | undefined;
  display_name?: string | undefined;
  avatar_url?: string | undefined;
  lang_tag?: string | undefined;
  location?: string | undefined;
  timezone?: string | undefined;
}

/** Nakama's `UpdateAccount`: absent fields stay, present ones are set ("" clears them). */
export async function updateAccount(core: Core, userId: string, update: AccountUpdate): Promise<void> {
  const patch: AccountPatch = {};
  if (update.username !== undefined) patch.username = checkUsername(update.username);
  for (const field of Object.keys(PROFILE_LIMITS) as (keyof typeof PROFILE_LIMITS)[]) {
    const value = update[field];
    if (value === undefined) continue;
    if (Buffer.byteLength(value) > PROFILE_LIMITS[field]) {
      throw invalidArgument(`${FIELD_NAMES[field]} invalid, must be at most ${PROFILE_LIMITS[field]} bytes.`);
    }
    if (/[\u0000-\u001f\u007f]/.test(value)) throw invalidArgument(`${FIELD_NAMES[field]} invalid, no control characters allowed.`);
  }
  if (update.display_name !== undefined) patch.displayName = update.display_name;
  if (update.avatar_url !== undefined) patch.avatarUrl = update.avatar_url;
  if (update.lang_tag !== undefined) patch.langTag = update.lang_tag;
  if (update.location !== undefined) patch.location = update.location;
  if (update.timezone !== undefined) patch.timezone = update.timezone;
  try {
    if (!(await core.store.updateAccount(userId, patch, core.clock.now()))) throw notFound("Account not found.");
  } catch (err) {
    if (err instanceof StoreConflictError && err.field === "username") throw alreadyExists(Messages.usernameInUse);
    throw err;
  }
}
