/**
 * Console users: the operators who sign in to the web console and the `/v2/console` API, with
 * their own credentials (never the server key). Two roles: `admin` may act, `viewer` may only
 * read. Passwords are argon2id (auth/password.ts). At least one enabled admin always remains, so
 * a deployment cannot lock itself out of its console; the first one is made with
 * `tessera admin create`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { ConsoleUserJson } from "@tessera/protocol";
import type { Core } from "../core.js";
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from "../shared/api-error.js";
import { StoreConflictError } from "../store/store.js";
import type { ConsoleRole, ConsoleUserRow } from "../store/admin-store.js";
import { rfc3339 } from "../shared/time.js";
import { MAX_PASSWORD_BYTES } from "../auth/identity-rules.js";
import type { AuditActor } from "../audit/audit-events.js";

/** What console-user and console-session functions need: the server's Core, or what the CLI builds. */
export type ConsoleContext = Pick<Core, "store" | "clock" | "logger" | "passwords" | "audit" | "config">;

/** Console passwords guard every player's account: longer than players' minimum. */
export const MIN_CONSOLE_PASSWORD_BYTES = 12;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** 24 random bytes: 32 base64url characters, 192 bits. */
const GENERATED_PASSWORD_BYTES = 24;

export function consoleUserJson(u: ConsoleUserRow): ConsoleUserJson {
  return {
    username: u.username,
    role: u.role,
    create_time: rfc3339(u.createdAt),
    disabled: u.disabledAt !== null,
    ...(u.disabledAt !== null ? { disable_time: rfc3339(u.disabledAt) } : {}),
    ...(u.lastSignInAt !== null ? { last_sign_in_time: rfc3339(u.lastSignInAt) } : {}),
  };
}

export function checkConsoleUsername(username: unknown): string {
  if (typeof username !== "string" || username === "") throw invalidArgument("Username is required.");
  if (!USERNAME.test(username)) throw invalidArgument("Username invalid: 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit.");
  return username;
}

export function checkConsoleRole(role: unknown): ConsoleRole {
  if (role !== "admin" && role !== "viewer") throw invalidArgument('Role must be "admin" or "viewer".');
  return role;
}

export function checkConsolePassword(password: unknown): string {
  if (typeof password !== "string") throw invalidArgument("Password must be a string.");
  const bytes = Buffer.byteLength(password, "utf8");
  if (bytes < MIN_CONSOLE_PASSWORD_BYTES) throw invalidArgument(`Password must be at least ${MIN_CONSOLE_PASSWORD_BYTES} characters long.`);
  if (bytes > MAX_PASSWORD_BYTES) throw invalidArgument(`Password invalid, must be at most ${MAX_PASSWORD_BYTES} bytes.`);
  return password;
}

/**
 * Creates a console user. Without a password, a random one is generated and returned (it is
 * shown only then). Throws 409 when the username is taken.
 */
export async function createConsoleUser(
  ctx: ConsoleContext,
  input: { username: unknown; role?: unknown; password?: unknown },
  actor: AuditActor,
): Promise<{ user: ConsoleUserJson; password?: string }> {
  const username = checkConsoleUsername(input.username);
  const role = input.role === undefined ? "viewer" : checkConsoleRole(input.role);
  const generated = input.password === undefined ? randomBytes(GENERATED_PASSWORD_BYTES).toString("base64url") : undefined;
  const password = generated ?? checkConsolePassword(input.password);
  const now = ctx.clock.now();
  const row: ConsoleUserRow = {
    id: randomUUID(),
    username,
    passwordHash: await ctx.passwords.hash(password),
    role,
    createdAt: now,
    updatedAt: now,
    disabledAt: null,
    lastSignInAt: null,
  };
  try {
    await ctx.store.admin.createConsoleUser(row);
  } catch (err) {
    if (err instanceof StoreConflictError) throw alreadyExists("A console user with this username already exists.");
    throw err;
  }
  ctx.audit.record({ kind: "console_user_created", actor, details: { username, role } });
  ctx.logger.info("console user created", { username, role });
  return { user: consoleUserJson(row), ...(generated !== undefined ? { password: generated } : {}) };
}

export async function listConsoleUsers(ctx: Pick<ConsoleContext, "store">): Promise<{ users: ConsoleUserJson[] }> {
  return { users: (await ctx.store.admin.listConsoleUsers()).map(consoleUserJson) };
}

async function requireConsoleUser(ctx: Pick<ConsoleContext, "store">, username: unknown): Promise<ConsoleUserRow> {
  const user = await ctx.store.admin.consoleUser(checkConsoleUsername(username));
  if (!user) throw notFound("Console user not found.");
  return user;
}

const isActiveAdmin = (u: ConsoleUserRow): boolean => u.role === "admin" && u.disabledAt === null;

/** Refuses a change that would leave no enabled admin. */
async function keepAnAdmin(ctx: Pick<ConsoleContext, "store">, user: ConsoleUserRow): Promise<void> {
  if (isActiveAdmin(user) && (await ctx.store.admin.countActiveAdmins()) <= 1) {
    throw failedPrecondition("At least one enabled admin must remain.");
  }
}

/**
 * Changes a console user's role, enables or disables it, or sets a new password. Disabling and a
 * new password end its sessions at once.
 */
export async function updateConsoleUser(
  ctx: ConsoleContext,
  usernameIn: unknown,
  change: { role?: unknown; disabled?: unknown; password?: unknown },
  actor: AuditActor,
): Promise<ConsoleUserJson> {
  const user = await requireConsoleUser(ctx, usernameIn);
  const role = change.role === undefined ? undefined : checkConsoleRole(change.role);
  if (change.disabled !== undefined && typeof change.disabled !== "boolean") throw invalidArgument("Disabled must be true or false.");
  const disabled = change.disabled as boolean | undefined;
  const password = change.password === undefined ? undefined : checkConsolePassword(change.password);
  if ((role === "viewer" || disabled === true) && isActiveAdmin(user)) await keepAnAdmin(ctx, user);
  const now = ctx.clock.now();
  const patch = {
    ...(role !== undefined ? { role } : {}),
    ...(disabled !== undefined ? { disabledAt: disabled ? (user.disabledAt ?? now) : null } : {}),
    ...(password !== undefined ? { passwordHash: await ctx.passwords.hash(password) } : {}),
  };
  if (!(await ctx.store.admin.updateConsoleUser(user.id, patch, now))) throw notFound("Console user not found.");
  ctx.audit.record({
    kind: "console_user_updated",
    actor,
    details: {
      username: user.username,
      ...(role !== undefined ? { role } : {}),
      ...(disabled !== undefined ? { disabled } : {}),
      ...(password !== undefined ? { password_changed: true } : {}),
    },
  });
  return consoleUserJson((await ctx.store.admin.consoleUser(user.username)) ?? user);
}

/** Deletes a console user with its sessions (its past actions stay in the audit log under its name). */
export async function deleteConsoleUser(ctx: ConsoleContext, usernameIn: unknown, actor: AuditActor): Promise<void> {
  const user = await requireConsoleUser(ctx, usernameIn);
  await keepAnAdmin(ctx, user);
  if (!(await ctx.store.admin.deleteConsoleUser(user.id))) throw notFound("Console user not found.");
  ctx.audit.record({ kind: "console_user_deleted", actor, details: { username: user.username } });
}
