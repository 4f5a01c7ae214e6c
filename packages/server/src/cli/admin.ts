/**
 * `tessera admin create|list|disable|enable`: console users, against the configured database,
 * with or without a running server. The first admin of a deployment is made here. Prompt-free:
 * a password comes from standard input (`--password-stdin`) or is generated and printed once.
 */
import { CLI_ACTOR } from "../audit/audit-events.js";
import { checkConsolePassword, createConsoleUser, listConsoleUsers, updateConsoleUser } from "../admin/console-users.js";
import { commandConfig, positional, runAction, splitFlags, usageRequested, UsageError, withCommandCore, type Output } from "./command-context.js";

export const ADMIN_USAGE = `Usage:
  tessera admin create <username> [--role admin|viewer] [--password-stdin] [flags]
      Create a console user (default role: admin). Without --password-stdin a random password is
      generated and printed once; with it, the password is read from standard input (one line,
      at least 12 characters), e.g.  printf '%s' "$PW" | tessera admin create alice --password-stdin
  tessera admin list [flags]
      List console users: name, role, state, last sign-in.
  tessera admin disable <username> [flags]
      Disable a console user: its console sessions end at once. One enabled admin always remains.
  tessera admin enable <username> [flags]
      Enable a disabled console user again.
Flags: the configuration flags of \`tessera serve\` (--config, --data-dir, --database-url, ...).
Every change is recorded in the audit log with the actor "cli".
Exit codes: 0 done, 1 refused (unknown user, username taken, last admin), 2 usage or configuration error.
`;

/** Reads all of standard input; one trailing newline is not part of the password. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

export async function adminCommand(argv: readonly string[], out: Output): Promise<number> {
  const help = usageRequested(argv, ADMIN_USAGE, out);
  if (help !== undefined) return help;
  const [action, ...rest] = argv as [string, ...string[]];
  const command = `admin ${action}`;
  switch (action) {
    case "create": {
      const { value: username, rest: flags } = positional(command, rest, "a username");
      const { own, config: configArgs } = splitFlags(command, flags, [
        { name: "--role", takesValue: true },
        { name: "--password-stdin", takesValue: false },
      ]);
      const config = commandConfig(configArgs);
      const password = own.has("--password-stdin") ? await readStdin() : undefined;
      if (password !== undefined) {
        try {
          checkConsolePassword(password);
        } catch (err) {
          throw new UsageError(command, `the password from standard input is refused: ${(err as Error).message}`);
        }
      }
      return runAction(command, out, () =>
        withCommandCore(config, async (core) => {
          const created = await createConsoleUser(core, { username, role: own.get("--role") ?? "admin", password }, CLI_ACTOR);
          out(`created console user ${created.user.username} (role ${created.user.role})\n`);
          if (created.password !== undefined)
            out(`password: ${created.password}\n(shown only now; sign in at /console/ and keep it in your password manager)\n`);
        }),
      );
    }
    case "list": {
      const config = commandConfig(rest);
      return runAction(command, out, () =>
        withCommandCore(config, async (core) => {
          const { users } = await listConsoleUsers(core);
          if (users.length === 0) out("no console users (create one: tessera admin create <username>)\n");
          for (const u of users) out(`${u.username}\t${u.role}\t${u.disabled ? "disabled" : "enabled"}\t${u.last_sign_in_time ?? "never signed in"}\n`);
        }),
      );
    }
    case "disable":
    case "enable": {
      const { value: username, rest: flags } = positional(command, rest, "a username");
      const config = commandConfig(flags);
      return runAction(command, out, () =>
        withCommandCore(config, async (core) => {
          await updateConsoleUser(core, username, { disabled: action === "disable" }, CLI_ACTOR);
          out(`${action}d console user ${username}\n`);
        }),
      );
    }
    default:
      throw new UsageError("admin", `unknown action "${action}" (create, list, disable or enable)`);
  }
}
