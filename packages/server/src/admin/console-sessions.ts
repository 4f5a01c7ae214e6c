/**
 * Console sign-in and the check of console tokens. A token is 256 random bits, handed out once;
 * only its SHA-256 is stored, with an expiry (`console.token_expiry_sec`). Every request reads the
 * session and its user, so signing out, disabling the user, a new password or deleting the user
 * stop a token at once, and a role change applies to the next request. Sign-in does the same
 * argon2id work whether or not the username exists, answers every refusal alike, and is audited.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ConsoleSignIn } from "@tessera/protocol";
import type { ClientInfo } from "../core.js";
import { ApiError, GrpcCode, invalidArgument, Messages, permissionDenied } from "../shared/api-error.js";
import type { ConsoleRole } from "../store/admin-store.js";
import { rfc3339 } from "../shared/time.js";
import { adminActor } from "../audit/audit-events.js";
import { MAX_PASSWORD_BYTES } from "../auth/identity-rules.js";
import type { ConsoleContext } from "./console-users.js";

/** Who is calling the console API. */
export interface ConsoleCaller {
  userId: string;
  username: string;
  role: ConsoleRole;
  sessionId: string;
}

/** The prefix makes a leaked console token recognisable (secret scanners, logs). */
const TOKEN_PREFIX = "tcs_";
const TOKEN_BYTES = 32;

const tokenHash = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

/** A hash to verify against when the username is unknown, so both cases cost one argon2id check. */
const decoys = new WeakMap<ConsoleContext["passwords"], Promise<string>>();
function decoyHash(ctx: ConsoleContext): Promise<string> {
  let hash = decoys.get(ctx.passwords);
  if (!hash) decoys.set(ctx.passwords, (hash = ctx.passwords.hash(randomBytes(16).toString("hex"))));
  return hash;
}

/** Signs a console user in: `{token, expire_time, user}`; 401 "Invalid credentials." otherwise. */
export async function signInConsole(ctx: ConsoleContext, usernameIn: unknown, passwordIn: unknown, client: ClientInfo): Promise<ConsoleSignIn> {
  if (typeof usernameIn !== "string" || usernameIn === "" || typeof passwordIn !== "string" || passwordIn === "") {
    throw invalidArgument("Username and password are required.");
  }
  if (Buffer.byteLength(passwordIn, "utf8") > MAX_PASSWORD_BYTES) throw invalidArgument(`Password invalid, must be at most ${MAX_PASSWORD_BYTES} bytes.`);
  const username = usernameIn.slice(0, 128);
  const user = await ctx.store.admin.consoleUser(username);
  const matches = await ctx.passwords.verify(user?.passwordHash ?? (await decoyHash(ctx)), passwordIn);
  const refusal = !user ? "unknown_user" : !matches ? "wrong_password" : user.disabledAt !== null ? "disabled" : undefined;
  if (refusal !== undefined || !user) {
    ctx.audit.record({ kind: "console_sign_in_failed", actor: adminActor(username), ip: client.ip, details: { username, reason: refusal } });
    // A Basic challenge (the default of routes without a token) would make browsers prompt for a
    // password over the console's own form and hold its request: the console's scheme is Bearer.
    throw new ApiError(GrpcCode.UNAUTHENTICATED, Messages.invalidCredentials, { headers: { "WWW-Authenticate": 'Bearer realm="tessera-console"' } });
  }
  const now = ctx.clock.now();
  const token = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString("base64url");
  const expiresAt = now + ctx.config.console.tokenExpirySec * 1000;
  await ctx.store.admin.createConsoleSession({
    id: randomUUID(),
    tokenHash: tokenHash(token),
    userId: user.id,
    createdAt: now,
    expiresAt,
    clientIp: client.ip,
    userAgent: client.userAgent,
  });
  ctx.audit.record({ kind: "console_sign_in", actor: adminActor(user.username), ip: client.ip });
  ctx.logger.info("console sign-in", { username: user.username });
  return { token, expire_time: rfc3339(expiresAt), user: { username: user.username, role: user.role } };
}

/**
 * The caller behind a console token, if it may use a route needing `required`: 401 "Auth token
 * invalid" for an unknown, expired or signed-out token or a disabled user; 403 for a viewer on an
 * admin route.
 */
export async function authenticateConsoleToken(ctx: Pick<ConsoleContext, "store" | "clock">, token: string, required: ConsoleRole): Promise<ConsoleCaller> {
  const invalid = () => new ApiError(GrpcCode.UNAUTHENTICATED, "Auth token invalid");
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 128) throw invalid();
  const found = await ctx.store.admin.consoleSession(tokenHash(token));
  if (!found || found.session.expiresAt <= ctx.clock.now() || found.user.disabledAt !== null) throw invalid();
  if (required === "admin" && found.user.role !== "admin") throw permissionDenied("This action needs the admin role.");
  return { userId: found.user.id, username: found.user.username, role: found.user.role, sessionId: found.session.id };
}

/** Ends the caller's console session. */
export async function signOutConsole(ctx: ConsoleContext, caller: ConsoleCaller, client: ClientInfo): Promise<void> {
  await ctx.store.admin.deleteConsoleSession(caller.sessionId);
  ctx.audit.record({ kind: "console_sign_out", actor: adminActor(caller.username), ip: client.ip });
}

/** The caller's own console session: who is signed in, with which role. */
export function consoleSessionJson(caller: ConsoleCaller): { user: { username: string; role: ConsoleRole } } {
  return { user: { username: caller.username, role: caller.role } };
}
