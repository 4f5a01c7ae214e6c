/**
 * `tessera keys rotate|list`: the Ed25519 keys that sign auth session tickets, managed against the
 * configured database.
 */
import { CLI_ACTOR } from "../audit/audit-events.js";
import { commandConfig, runAction, usageRequested, UsageError, withCommandCore, type Output } from "./command-context.js";
import { rfc3339 } from "../shared/time.js";

export const KEYS_USAGE = `Usage:
  tessera keys rotate [flags]
      Rotate the Ed25519 key that signs auth session tickets (docs/tickets.md): a new key signs
      from now on; the old one keeps verifying, and stays in /.well-known/jwks.json, until a day
      after the last ticket it signed expired. Running servers pick the new key up within a
      minute. Recorded in the audit log (ticket_key_rotated, actor "cli").
  tessera keys list [flags]
      The ticket signing keys: key id, created, retired.

  What this does NOT rotate: the HS256 keys that sign players' access and refresh tokens
  (session.encryption_key and session.refresh_encryption_key, or <data_dir>/keys.json when they
  are not configured). Tessera has no overlap period for them: changing either key makes every
  token signed with the old one invalid, so every player must sign in again. To do that on
  purpose (a leaked key), set new values in the configuration of every node (or delete
  keys.json on a single node) and restart.
Flags: the configuration flags of \`tessera serve\` (--config, --data-dir, --database-url, ...).
Exit codes: 0 done, 1 the database cannot be opened, 2 usage or configuration error.
`;

export async function keysCommand(argv: readonly string[], out: Output): Promise<number> {
  const help = usageRequested(argv, KEYS_USAGE, out);
  if (help !== undefined) return help;
  const [action, ...rest] = argv as [string, ...string[]];
  if (action !== "rotate" && action !== "list") throw new UsageError("keys", `unknown action "${action}" (rotate or list)`);
  const config = commandConfig(rest);
  return runAction(`keys ${action}`, out, () =>
    withCommandCore(config, async (core) => {
      if (action === "rotate") {
        const previous = core.tickets.keyring.jwks().keys[0]?.kid;
        const kid = await core.tickets.keyring.rotate();
        core.audit.record({ kind: "ticket_key_rotated", actor: CLI_ACTOR, details: { kid, previous } });
        out(`ticket signing key rotated: ${kid} signs from now on${previous ? `; ${previous} keeps verifying until it is purged` : ""}\n`);
        out("(the session token keys are not changed; see tessera keys --help)\n");
        return;
      }
      for (const k of await core.store.tickets.ticketKeys()) {
        out(`${k.kid}\tcreated ${rfc3339(k.createdAt)}\t${k.retiredAt === null ? "signing" : `retired ${rfc3339(k.retiredAt)}`}\n`);
      }
    }),
  );
}
