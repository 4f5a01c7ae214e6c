/**
 * Signing in by device, email (or username) and password, custom id, Steam ticket, or anonymously:
 * find or create the account, then start a session. Nakama's rules: `create` defaults to true, an
 * existing account keeps its username, a new one without a requested username gets a random one.
 */
import type { ClientInfo, Core } from "../core.js";
import { Messages, alreadyExists, invalidArgument, notFound, permissionDenied, unauthenticated } from "../shared/api-error.js";
import { startSession, type SessionTokens } from "../session/issue.js";
import type { Vars } from "../session/vars.js";
import { StoreConflictError, type AccountRow, type IdentityKey, type NewIdentity } from "../store/store.js";
import { checkCustomId, checkDeviceId, checkEmail, checkPassword, checkUsername } from "./identity-rules.js";
import { admitSteamPlayer, refusePublisherBan, steamIdentity, steamTicketOf, verifySteamTicket } from "./steam.js";
import { generateUsername } from "./username.js";
import { userActor } from "../audit/audit-events.js";
import { rowIds } from "../shared/ids.js";

/** How a player signed in, as the audit log names it: an identity provider, or anonymously. */
export type SignInProvider = IdentityProvider | "anonymous";

/** The identity providers signing in here (the `provider` of their identities). */
type IdentityProvider = "device" | "email" | "custom" | "steam";

/** A sign-in's identity: its key, and what creates it when it is new (the identity, an email's password). */
interface SignInIdentity {
  key: IdentityKey & { provider: IdentityProvider };
  create: () => Promise<{ identity: NewIdentity; passwordHash?: string }>;
}

function simpleIdentity(provider: IdentityProvider, subject: string): SignInIdentity {
  const key = { provider, subject };
  return { key, create: async () => ({ identity: { ...key, profile: {} } }) };
}

export interface AuthenticateOptions {
  /** Create the account if the identity is unknown (Nakama's `create`, default true). */
  create: boolean;
  /** Username for a new account (query parameter `username`); ignored for existing accounts. */
  username: string | undefined;
  vars: Vars;
  client: ClientInfo;
}

export interface AuthenticateResult extends SessionTokens {
  created: boolean;
  account: AccountRow;
}

/** Generated usernames are retried on the (rare) collision with an existing one. */
const USERNAME_ATTEMPTS = 5;

export async function authenticateDevice(core: Core, id: unknown, opts: AuthenticateOptions): Promise<AuthenticateResult> {
  const deviceId = checkDeviceId(id);
  const username = requestedUsername(opts.username);
  return findOrCreate(core, simpleIdentity("device", deviceId), username, opts);
}

export async function authenticateCustom(core: Core, id: unknown, opts: AuthenticateOptions): Promise<AuthenticateResult> {
  const customId = checkCustomId(id);
  const username = requestedUsername(opts.username);
  return findOrCreate(core, simpleIdentity("custom", customId), username, opts);
}

/** Email and password; with no email, username (query parameter) and password. */
export async function authenticateEmail(core: Core, emailIn: string, password: string, opts: AuthenticateOptions): Promise<AuthenticateResult> {
  const byUsername = emailIn === "";
  const email = byUsername ? "" : checkEmail(emailIn);
  checkPassword(password);
  if (byUsername && (opts.username === undefined || opts.username === "")) {
    throw invalidArgument("Username is required when email address is not supplied.");
  }
  const username = requestedUsername(opts.username);

  if (byUsername) {
    const account = await core.store.findAccountByUsername(username!);
    if (!account) return refuseUnknown(core, password);
    await checkPasswordOf(core, account, password, opts);
    return begin(core, account, false, opts, "email", undefined);
  }

  const key = { provider: "email" as const, subject: email };
  const identity: SignInIdentity = { key, create: async () => ({ identity: { ...key, profile: {} }, passwordHash: await core.passwords.hash(password) }) };
  return findOrCreate(core, identity, username, opts, (account) => checkPasswordOf(core, account, password, opts), () => refuseUnknown(core, password));
}

/**
 * Steam: the client's `token` is a Steam auth ticket (hex) that Steam's Web API turns into the
 * player's Steam id, which is the identity. Also records the game owner (borrowed games) and the
 * VAC status on the account, and refuses publisher bans (and VAC bans when configured).
 */
export async function authenticateSteam(core: Core, token: unknown, opts: AuthenticateOptions): Promise<AuthenticateResult> {
  const ticket = steamTicketOf(core, token);
  const username = requestedUsername(opts.username);
  const player = await verifySteamTicket(core, ticket);
  refusePublisherBan(core, player);
  const identity: SignInIdentity = {
    key: { provider: "steam", subject: player.identity.id },
    create: async () => {
      await admitSteamPlayer(core, player, undefined);
      return { identity: steamIdentity(player.identity) };
    },
  };
  return findOrCreate(core, identity, username, opts, (account) => admitSteamPlayer(core, player, account));
}

/** Tessera's anonymous sign-in: a new account with no identity; only its refresh token brings it back. */
export async function authenticateAnonymous(core: Core, opts: AuthenticateOptions): Promise<AuthenticateResult> {
  if (!opts.create) throw invalidArgument("Anonymous authentication always creates an account; create must not be false.");
  const username = requestedUsername(opts.username);
  const account = await createAccount(core, undefined, username, null);
  return begin(core, account, true, opts, "anonymous", undefined);
}

function requestedUsername(username: string | undefined): string | undefined {
  return username === undefined || username === "" ? undefined : checkUsername(username);
}

async function checkPasswordOf(core: Core, account: AccountRow, password: string, opts: AuthenticateOptions): Promise<void> {
  // The password is checked before the ban, so a ban is not revealed without the password.
  const matches = account.passwordHash === null ? await core.passwords.verifyNone(password) : await core.passwords.verify(account.passwordHash, password);
  if (!matches) {
    signInRefused(core, account, "email", "invalid_credentials", opts);
    throw unauthenticated(Messages.invalidCredentials);
  }
}

/**
 * A password sign-in naming no account answers exactly as a wrong password does, after the same
 * work, so neither the answer nor its timing tells whether an email or username is registered.
 * (Nakama answers 404 "User account not found." here; see docs/security.md.)
 */
async function refuseUnknown(core: Core, password: string): Promise<never> {
  await core.passwords.verifyNone(password);
  throw unauthenticated(Messages.invalidCredentials);
}

function signInRefused(core: Core, account: AccountRow, provider: SignInProvider, reason: "invalid_credentials" | "banned", opts: AuthenticateOptions): void {
  core.audit.count("sign_in_failed");
  core.audit.record({ kind: "sign_in_failed", actor: userActor(account.id), userId: account.id, ip: opts.client.ip, details: { provider, reason } });
}

/**
 * Signs in the account holding the identity's key, or creates it with the identity's `create()`. `admit` runs on an
 * existing account before its session starts (a password check, Steam's status), also on the
 * account that won a concurrent creation. `unknown` answers an unknown identity when `create` is
 * false (default: 404 "User account not found.").
 */
async function findOrCreate(
  core: Core,
  signIn: SignInIdentity,
  username: string | undefined,
  opts: AuthenticateOptions,
  admit?: (account: AccountRow) => Promise<void>,
  unknown?: () => Promise<never>,
): Promise<AuthenticateResult> {
  const { key } = signIn;
  const existing = await core.store.findAccountByIdentity(key);
  if (existing) {
    await admit?.(existing);
    return begin(core, existing, false, opts, key.provider, key);
  }
  if (!opts.create) {
    if (unknown) return unknown();
    throw notFound(Messages.accountNotFound);
  }

  const { identity, passwordHash } = await signIn.create();
  try {
    // A new identity's last use is its creation: the session does not touch it again.
    const account = await createAccount(core, identity, username, passwordHash ?? null);
    return begin(core, account, true, opts, key.provider, undefined);
  } catch (err) {
    // A concurrent request created the same identity first: sign in to that account instead.
    if (!(err instanceof StoreConflictError) || err.field === "username") throw err;
    const winner = await core.store.findAccountByIdentity(key);
    if (!winner) throw err;
    await admit?.(winner);
    return begin(core, winner, false, opts, key.provider, key);
  }
}

async function createAccount(core: Core, identity: NewIdentity | undefined, username: string | undefined, passwordHash: string | null): Promise<AccountRow> {
  for (let attempt = 0; ; attempt++) {
    try {
      const now = core.clock.now();
      return await core.store.createAccount({ id: rowIds.next(now), username: username ?? generateUsername(), createTime: now, passwordHash }, identity);
    } catch (err) {
      if (!(err instanceof StoreConflictError) || err.field !== "username") throw err;
      if (username !== undefined) throw alreadyExists(Messages.usernameInUse);
      if (attempt + 1 >= USERNAME_ATTEMPTS) throw err;
    }
  }
}

/** Starts the session of a sign-in (`used`: the identity whose last use it sets), or refuses a banned account; both are audited. */
async function begin(
  core: Core,
  account: AccountRow,
  created: boolean,
  opts: AuthenticateOptions,
  provider: SignInProvider,
  used: IdentityKey | undefined,
): Promise<AuthenticateResult> {
  if (account.disableTime !== null) {
    signInRefused(core, account, provider, "banned", opts);
    throw permissionDenied(Messages.accountBanned);
  }
  const tokens = await startSession(core, account, opts.vars, opts.client, used);
  core.metrics.signIn(provider, created);
  core.audit.count("sign_in");
  core.audit.record({ kind: "sign_in", actor: userActor(account.id), userId: account.id, ip: opts.client.ip, details: { provider, created } });
  return { ...tokens, created, account };
}
