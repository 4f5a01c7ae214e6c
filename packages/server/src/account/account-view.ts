/**
 * Reading and updating the caller's own account, in Nakama's `Account` JSON shape: RFC 3339
 * times, empty fields omitted, `disable_time` never shown.
 */
import type { Core } from "../core.js";
import { Messages, alreadyExists, invalidArgument, notFound } from "../shared/api-error.js";
import { checkUsername } from "../auth/identity-rules.js";
import { StoreConflictError, type AccountPatch, type AccountRow, type IdentityRow } from "../store/store.js";
import { rfc3339 } from "../shared/time.js";
import { revokeAllSessions } from "../session/revocation.js";
import { userActor, type AuditActor } from "../audit/audit-events.js";

export interface AccountJson {
  user: Record<string, unknown>;
  wallet: string;
  email?: string;
  devices?: { id: string }[];
  custom_id?: string;
  verify_time?: string;
}

export async function getAccount(core: Core, userId: string): Promise<AccountJson> {
  const found = await core.store.getAccountWithIdentities(userId);
  if (!found) throw notFound("Account not found.");
  return accountJson(found.account, found.identities, core.presence.isOnline(userId));
}

/** The subject of an account's identity of a provider that allows one (email, custom id, Steam id). */
export function subjectOf(identities: readonly IdentityRow[], provider: string): string | undefined {
  return identities.find((i) => i.provider === provider)?.subject;
}

/** `identities`: the account's, in link order (the devices are listed in it). */
export function accountJson(a: AccountRow, identities: readonly IdentityRow[], online = false): AccountJson {
  const email = subjectOf(identities, "email");
  const customId = subjectOf(identities, "custom");
  const steamId = subjectOf(identities, "steam");
  const devices = identities.filter((i) => i.provider === "device").map((i) => i.subject);
  const user: Record<string, unknown> = { id: a.id, username: a.username };
  if (a.displayName) user["display_name"] = a.displayName;
  if (a.avatarUrl) user["avatar_url"] = a.avatarUrl;
  if (a.langTag) user["lang_tag"] = a.langTag;
  if (a.location) user["location"] = a.location;
  if (a.timezone) user["timezone"] = a.timezone;
  user["metadata"] = a.metadata;
  if (steamId) user["steam_id"] = steamId;
  // Nakama omits `online` when false; true while a realtime socket of the account is open here.
  if (online) user["online"] = true;
  user["create_time"] = rfc3339(a.createTime);
  user["update_time"] = rfc3339(a.updateTime);
  const out: AccountJson = { user, wallet: "{}" };
  if (email) out.email = email;
  if (devices.length > 0) out.devices = devices.map((id) => ({ id }));
  if (customId) out.custom_id = customId;
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
