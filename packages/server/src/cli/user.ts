/**
 * `tessera user show|ban|unban|sessions|logout <user id|username>`: support work on one player
 * against the configured database, through the same domain functions as the console (audited
 * with the actor "cli"). A server running on the same SQLite file sees a logout or a ban on its
 * next check of the session row: at once, or within `session.cache_ttl_ms` (1 s by default) for
 * rows it had cached. Its open sockets of those sessions close when they reconnect, or at once
 * when the server shares `cluster.redis_url` with this command.
 */
import type { AccountDetail } from "@tessera/protocol";
import { accountDetail, findAccount } from "../admin/accounts.js";
import { endAllSessions } from "../admin/operator-actions.js";
import { banAccount, unbanAccount } from "../account/ban.js";
import { CLI_ACTOR } from "../audit/audit-events.js";
import { commandConfig, positional, runAction, splitFlags, usageRequested, UsageError, withCommandCore, type Output } from "./command-context.js";
import { endSession } from "../session/session-list.js";
import type { BanKind } from "../store/store.js";

export const USER_USAGE = `Usage:
  tessera user show <user id|username> [--json] [flags]
      The account: identities, ban, live sessions, license, open tickets.
  tessera user sessions <user id|username> [--json] [flags]
      The account's live sessions: id, created, last refresh, address, client.
  tessera user ban <user id|username> [--kind publisher|vac] [--reason <text>] [flags]
      Ban the account: every session ends, sign-in and refresh answer 403. --kind (default
      publisher) decides what ticket validators are told; the reason is kept for operators.
  tessera user unban <user id|username> [flags]
      Lift the ban (sessions the ban ended stay ended).
  tessera user logout <user id|username> [--session <session id>] [flags]
      End one session, or without --session every session, of the account.
Flags: the configuration flags of \`tessera serve\` (--config, --data-dir, --database-url, ...).
Every change is recorded in the audit log with the actor "cli". A server running on the same
database refuses the ended tokens on its next check: at once, or within session.cache_ttl_ms
(1 s by default on SQLite) for sessions it had cached.
Exit codes: 0 done, 1 refused (no such account or session), 2 usage or configuration error.
`;

function describe(d: AccountDetail): string {
  const a = d.account;
  const lines = [`id: ${a.user["id"]}`, `username: ${a.user["username"]}`];
  if (a.user["display_name"]) lines.push(`display name: ${a.user["display_name"]}`);
  lines.push(`created: ${a.user["create_time"]}`);
  if (a.email) lines.push(`email: ${a.email}`);
  for (const device of a.devices ?? []) lines.push(`device: ${device.id}`);
  if (a.custom_id) lines.push(`custom id: ${a.custom_id}`);
  if (a.user["steam_id"]) lines.push(`steam id: ${a.user["steam_id"]}${a.steam_vac_banned ? " (VAC banned)" : ""}`);
  lines.push(a.disable_time ? `banned: ${a.disable_time} (${a.ban_kind})${a.ban_reason ? ` ${a.ban_reason}` : ""}` : "banned: no");
  lines.push(`license: ${d.licenses.owns_app ? (d.licenses.is_borrowed ? `borrowed from ${d.licenses.owner_id}` : "owns the app") : "none"}`);
  lines.push(`open tickets: ${d.tickets.length}`);
  lines.push(`live sessions: ${d.sessions.length}`);
  return lines.join("\n") + "\n" + sessionLines(d);
}

function sessionLines(d: AccountDetail): string {
  return d.sessions
    .map(
      (s) => `  ${s.id}  created ${s.create_time}  last refresh ${s.last_refresh_time ?? "-"}  ${s.client_ip ?? "-"}  ${s.user_agent ?? ""}`.trimEnd() + "\n",
    )
    .join("");
}

export async function userCommand(argv: readonly string[], out: Output): Promise<number> {
  const help = usageRequested(argv, USER_USAGE, out);
  if (help !== undefined) return help;
  const [action, ...rest] = argv as [string, ...string[]];
  const command = `user ${action}`;
  if (!["show", "sessions", "ban", "unban", "logout"].includes(action)) {
    throw new UsageError("user", `unknown action "${action}" (show, sessions, ban, unban or logout)`);
  }
  const { value: who, rest: flags } = positional(command, rest, "a user id or username");
  const { own, config: configArgs } = splitFlags(command, flags, [
    { name: "--json", takesValue: false },
    ...(action === "ban"
      ? [
          { name: "--kind", takesValue: true },
          { name: "--reason", takesValue: true },
        ]
      : []),
    ...(action === "logout" ? [{ name: "--session", takesValue: true }] : []),
  ]);
  const config = commandConfig(configArgs);
  return runAction(command, out, () =>
    withCommandCore(config, async (core) => {
      const account = await findAccount(core, who);
      switch (action) {
        case "show":
        case "sessions": {
          const detail = await accountDetail(core, account.id);
          if (own.has("--json")) out(JSON.stringify(action === "show" ? detail : { sessions: detail.sessions }, null, 2) + "\n");
          else out(action === "show" ? describe(detail) : detail.sessions.length === 0 ? "no live sessions\n" : sessionLines(detail));
          return;
        }
        case "ban": {
          const kind = own.get("--kind") as BanKind | undefined;
          await banAccount(core, account.id, { kind, reason: own.get("--reason") ?? null }, CLI_ACTOR);
          out(`banned ${account.username} (${account.id}), kind ${kind ?? "publisher"}\n`);
          return;
        }
        case "unban":
          await unbanAccount(core, account.id, CLI_ACTOR);
          out(`unbanned ${account.username} (${account.id})\n`);
          return;
        case "logout": {
          const session = own.get("--session");
          if (session !== undefined) {
            await endSession(core, account.id, session, CLI_ACTOR);
            out(`ended session ${session} of ${account.username}\n`);
          } else {
            const { ended } = await endAllSessions(core, account.id, CLI_ACTOR);
            out(`ended ${ended} session${ended === 1 ? "" : "s"} of ${account.username}\n`);
          }
          return;
        }
      }
    }),
  );
}
