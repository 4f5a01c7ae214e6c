/**
 * Signing in with any provider of the registry, or anonymously: the provider checks the credential
 * and says which identity it proves; this finds the account holding it or creates one, then starts
 * a session. Nakama's rules: `create` defaults to true, an existing account keeps its username, a
 * new one without a requested username gets a random one.
 */
import type { ClientInfo, Core } from "../core.js";
import { Messages, alreadyExists, invalidArgument, notFound, permissionDenied, unauthenticated } from "../shared/api-error.js";
import { startSession, type SessionTokens } from "../session/issue.js";
import type { Vars } from "../session/vars.js";
import { StoreConflictError, type AccountRow, type IdentityKey, type NewIdentity } from "../store/store.js";
import { checkUsername } from "./identity-rules.js";
import { generateUsername } from "./username.js";
import { refreshProfile } from "./identity-profile.js";
import { applyAccountProfile } from "./account-profile.js";
import type { Credential, SignInProof } from "./providers/provider.js";
import type { RegisteredProvider, SignInProvider } from "./providers/registry.js";
import { userActor } from "../audit/audit-events.js";
import { rowIds } from "../shared/ids.js";

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

/**
 * Signs in with `provider`'s credential. The input rules come first (the provider's, then the
 * username's), then the costly checks (a password hash, a call to Steam), then the account.
 */
export async function authenticate(core: Core, provider: RegisteredProvider, credential: Credential, opts: AuthenticateOptions): Promise<AuthenticateResult> {
  const checked = provider.checkSignIn(core, credential, { username: opts.username === "" ? undefined : opts.username });
  const username = requestedUsername(opts.username);
  const proof = await checked.prove();
  if (proof.identity === undefined) {
    if (proof.account === undefined) return unknownAccount(proof);
    return signInExisting(core, provider, proof, proof.account, opts);
  }

  const existing = await core.store.findAccountByIdentity(proof.identity);
  if (existing) return signInExisting(core, provider, proof, existing, opts);
  if (!opts.create) return unknownAccount(proof);
  if (proof.refusal) throw proof.refusal;

  const passwordHash = proof.newPasswordHash === undefined ? null : await proof.newPasswordHash();
  try {
    const created = await createAccount(core, proof.identity, passwordHash, username);
    const account = await applyAccountProfile(core, created, proof.accountProfile, true);
    return begin(core, account, true, opts, provider.name, proof.identity);
  } catch (err) {
    // A concurrent request created the same identity first: sign in to that account instead.
    if (!(err instanceof StoreConflictError) || err.field !== "identity") throw err;
    const winner = await core.store.findAccountByIdentity(proof.identity);
    if (!winner) throw err;
    return signInExisting(core, provider, proof, winner, opts);
  }
}

/** Tessera's anonymous sign-in: a new account with no identity; only its refresh token brings it back. */
export async function authenticateAnonymous(core: Core, opts: AuthenticateOptions): Promise<AuthenticateResult> {
  if (!opts.create) throw invalidArgument("Anonymous authentication always creates an account; create must not be false.");
  const username = requestedUsername(opts.username);
  const account = await createAccount(core, undefined, null, username);
  return begin(core, account, true, opts, "anonymous", undefined);
}

/**
 * Signs in to an account that another proof already named (a Code-Link code its owner confirmed):
 * no credential to check, the same ban check, session start, metrics and audit as every sign-in.
 */
export function signInToAccount(
  core: Core,
  account: AccountRow,
  provider: SignInProvider,
  opts: Pick<AuthenticateOptions, "vars" | "client">,
): Promise<AuthenticateResult> {
  return begin(core, account, false, { create: false, username: undefined, ...opts }, provider, undefined);
}

function requestedUsername(username: string | undefined): string | undefined {
  return username === undefined || username === "" ? undefined : checkUsername(username);
}

function unknownAccount(proof: SignInProof): Promise<never> {
  if (proof.unknown) return proof.unknown();
  throw notFound(Messages.accountNotFound);
}

/**
 * An existing account: what the provider says now is recorded, the credential's secret checked
 * (before the ban, so a ban is not revealed without the password), the provider's refusal applied.
 */
async function signInExisting(
  core: Core,
  provider: RegisteredProvider,
  proof: SignInProof,
  account: AccountRow,
  opts: AuthenticateOptions,
): Promise<AuthenticateResult> {
  if (proof.identity !== undefined) await refreshProfile(core, provider, account.id, proof.identity);
  if (proof.matches !== undefined && !(await proof.matches(account))) {
    signInRefused(core, account, provider.name, "invalid_credentials", opts);
    throw unauthenticated(Messages.invalidCredentials);
  }
  if (proof.refusal) throw proof.refusal;
  return begin(core, account, false, opts, provider.name, proof.identity);
}

function signInRefused(core: Core, account: AccountRow, provider: SignInProvider, reason: "invalid_credentials" | "banned", opts: AuthenticateOptions): void {
  core.audit.count("sign_in_failed");
  core.audit.record({ kind: "sign_in_failed", actor: userActor(account.id), userId: account.id, ip: opts.client.ip, details: { provider, reason } });
}

async function createAccount(core: Core, identity: NewIdentity | undefined, passwordHash: string | null, username: string | undefined): Promise<AccountRow> {
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

/** Starts the session of a sign-in (touching the identity used), or refuses a banned account; both are audited. */
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
  // A new account's identity was written with its creation as its last use: no second write.
  const tokens = await startSession(core, account, opts.vars, opts.client, created ? undefined : used);
  core.metrics.signIn(provider, created);
  core.audit.count("sign_in");
  core.audit.record({ kind: "sign_in", actor: userActor(account.id), userId: account.id, ip: opts.client.ip, details: { provider, created } });
  return { ...tokens, created, account };
}
