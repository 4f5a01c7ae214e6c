/**
 * Code-Link (docs/code-link.md): Unity's sign-in codes, RFC 8628's device grant underneath. A
 * signed-out device generates a short code and keeps a secret verifier; a signed-in player reads
 * the code's info and confirms it; the device's next poll uses the code up and signs in as that
 * player, through the same session start, ban check, metrics and audit as every sign-in.
 */
import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import {
  CODE_LINK_IDENTIFIER_MAX_BYTES,
  CodeLinkPollErrors,
  SIGN_IN_CODE_ALPHABET,
  SIGN_IN_CODE_LENGTH,
  SLOW_DOWN_STEP_SEC,
  type CodeLinkGenerateJson,
  type CodeLinkInfoJson,
  type CodeLinkPollError,
  type CodeLinkPollErrorJson,
} from "@tessera/protocol";
import type { ClientInfo, Core } from "../core.js";
import { ApiError, GrpcCode, Messages, alreadyExists, invalidArgument, notFound, permissionDenied } from "../shared/api-error.js";
import { rowIds, UUID } from "../shared/ids.js";
import type { Vars } from "../session/vars.js";
import type { CodeLinkRow } from "../store/code-link-store.js";
import { SYSTEM_ACTOR, userActor } from "../audit/audit-events.js";
import { signInToAccount, type AuthenticateResult } from "./authenticate.js";

/** A sign-in poll that did not sign in: Nakama's `{code, message}` plus RFC 8628's `error` (and `interval` while pending). */
export class CodeLinkPollRefusal extends ApiError {
  constructor(
    readonly error: CodeLinkPollError,
    message: string,
    readonly interval?: number,
  ) {
    super(POLL_ERROR_CODES[error], `${error}: ${message}`);
    this.name = "CodeLinkPollRefusal";
  }

  override toJSON(): CodeLinkPollErrorJson {
    const json: CodeLinkPollErrorJson = { code: this.code, message: this.message, error: this.error };
    if (this.interval !== undefined) json.interval = this.interval;
    return json;
  }
}

const POLL_ERROR_CODES: Record<CodeLinkPollError, GrpcCode> = {
  authorization_pending: GrpcCode.FAILED_PRECONDITION,
  slow_down: GrpcCode.FAILED_PRECONDITION,
  expired_token: GrpcCode.NOT_FOUND,
  invalid_grant: GrpcCode.UNAUTHENTICATED,
};

export const CodeLinkMessages = {
  codeNotFound: "Sign-in code not found or expired.",
  codeConfirmedByAnother: "Sign-in code already confirmed by another account.",
  codeFormat: `sign_in_code must be ${SIGN_IN_CODE_LENGTH} letters of ${SIGN_IN_CODE_ALPHABET} (case, dashes and spaces ignored).`,
  challengeFormat: "code_challenge must be the lower-case hex SHA-256 of the code verifier: 64 characters of 0-9 a-f.",
  identifierTooLong: `identifier must be at most ${CODE_LINK_IDENTIFIER_MAX_BYTES} bytes (UTF-8).`,
  identifierControl: "identifier must not contain control characters.",
  sessionIdFormat: "code_link_session_id must be the UUID that generate returned.",
  verifierFormat: "code_verifier must be 43-128 characters of A-Z a-z 0-9 . _ ~ -.",
};

/** New codes retried on a collision with a stored one (about 1 in 2^34 per live code). */
const CODE_ATTEMPTS = 5;
const CHALLENGE = /^[0-9a-f]{64}$/;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CODE_CHARS = new RegExp(`^[${SIGN_IN_CODE_ALPHABET}]{${SIGN_IN_CODE_LENGTH}}$`);

/** `XXXX-XXXX`, as shown to players. */
export function formatSignInCode(code: string): string {
  const half = SIGN_IN_CODE_LENGTH / 2;
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/** The code as stored: upper case, dashes and spaces dropped; 400 unless it can be a code at all. */
export function normalizeSignInCode(typed: string): string {
  const code = typed.replace(/[-\s]/g, "").toUpperCase();
  if (!CODE_CHARS.test(code)) throw invalidArgument(CodeLinkMessages.codeFormat);
  return code;
}

function newSignInCode(): string {
  let code = "";
  // randomInt draws without modulo bias.
  for (let i = 0; i < SIGN_IN_CODE_LENGTH; i++) code += SIGN_IN_CODE_ALPHABET[randomInt(SIGN_IN_CODE_ALPHABET.length)];
  return code;
}

const unixSeconds = (ms: number): string => String(Math.floor(ms / 1000));

/** A new code for a signed-out device: it shows `sign_in_code` and keeps `code_link_session_id` with its verifier. */
export async function generateSignInCode(
  core: Pick<Core, "audit" | "clock" | "config" | "store">,
  input: { identifier: string | undefined; codeChallenge: string },
  client: ClientInfo,
): Promise<CodeLinkGenerateJson> {
  const identifier = input.identifier ?? "";
  if (Buffer.byteLength(identifier, "utf8") > CODE_LINK_IDENTIFIER_MAX_BYTES) throw invalidArgument(CodeLinkMessages.identifierTooLong);
  if (CONTROL.test(identifier)) throw invalidArgument(CodeLinkMessages.identifierControl);
  if (!CHALLENGE.test(input.codeChallenge)) throw invalidArgument(CodeLinkMessages.challengeFormat);
  const { expirySec, intervalSec } = core.config.codeLink;
  for (let attempt = 1; ; attempt++) {
    const now = core.clock.now();
    const row = {
      id: rowIds.next(now),
      code: newSignInCode(),
      challenge: input.codeChallenge,
      identifier,
      createTime: now,
      expireTime: now + expirySec * 1000,
      intervalSec,
    };
    if (await core.store.codeLinks.createCodeLink(row)) {
      core.audit.record({ kind: "code_link_generated", actor: SYSTEM_ACTOR, ip: client.ip, details: { code_link_session_id: row.id, identifier } });
      return { code_link_session_id: row.id, sign_in_code: formatSignInCode(row.code), expiration: unixSeconds(row.expireTime), interval: intervalSec };
    }
    if (attempt >= CODE_ATTEMPTS) throw new ApiError(GrpcCode.UNAVAILABLE, "No free sign-in code was found; retry.");
  }
}

/**
 * A live code that the caller may confirm (or did): its identifier and expiry, for the player to
 * compare with what the waiting device shows. Counted by the lookup limits.
 */
async function lookUp(core: Pick<Core, "clock" | "codeLinkLookups" | "store">, caller: { userId: string }, typed: string, client: ClientInfo) {
  await core.codeLinkLookups.admit(caller.userId, client.ip);
  const code = normalizeSignInCode(typed);
  return { code, row: await core.store.codeLinks.findLiveCodeLink(code, core.clock.now()) };
}

function infoOf(row: CodeLinkRow): CodeLinkInfoJson {
  return { sign_in_code: formatSignInCode(row.code), identifier: row.identifier, expiration: unixSeconds(row.expireTime) };
}

/** `info`: a live code not confirmed yet, or confirmed by the caller; anything else is not found (another's confirmation is not revealed). */
export async function signInCodeInfo(
  core: Pick<Core, "clock" | "codeLinkLookups" | "store">,
  caller: { userId: string },
  typed: string,
  client: ClientInfo,
): Promise<CodeLinkInfoJson> {
  const { row } = await lookUp(core, caller, typed, client);
  if (row === undefined || (row.confirmedAccountId !== null && row.confirmedAccountId !== caller.userId)) throw notFound(CodeLinkMessages.codeNotFound);
  return infoOf(row);
}

/**
 * `confirm`: the caller's account is the one the waiting device signs in as. Confirming again as
 * the same account is a no-op; a code another account confirmed answers 409; a banned account cannot confirm.
 */
export async function confirmSignInCode(
  core: Pick<Core, "audit" | "clock" | "codeLinkLookups" | "store">,
  caller: { userId: string },
  typed: string,
  client: ClientInfo,
): Promise<Record<string, never>> {
  const { code } = await lookUp(core, caller, typed, client);
  const account = await core.store.getAccount(caller.userId);
  if (account === undefined) throw notFound(Messages.accountNotFound);
  if (account.disableTime !== null) throw permissionDenied(Messages.accountBanned);
  const confirmation = await core.store.codeLinks.confirmCodeLink(code, caller.userId, core.clock.now());
  if (confirmation.result === "unknown") throw notFound(CodeLinkMessages.codeNotFound);
  if (confirmation.result === "already_confirmed") {
    if (confirmation.row.confirmedAccountId === caller.userId) return {};
    throw alreadyExists(CodeLinkMessages.codeConfirmedByAnother);
  }
  const { row } = confirmation;
  core.audit.record({
    kind: "code_link_confirmed",
    actor: userActor(caller.userId),
    userId: caller.userId,
    ip: client.ip,
    details: { code_link_session_id: row.id, identifier: row.identifier },
  });
  return {};
}

function verifierMatches(verifier: string, challenge: string): boolean {
  const digest = createHash("sha256").update(verifier, "utf8").digest();
  const stored = Buffer.from(challenge, "hex");
  return stored.length === digest.length && timingSafeEqual(digest, stored);
}

const expired = () => new CodeLinkPollRefusal(CodeLinkPollErrors.expiredToken, "the sign-in code expired or was already used; generate a new one.");

/**
 * `sign-in`, the waiting device's poll: with the right verifier, a confirmed code is used up (once,
 * whatever the concurrency) and the confirming account signed in; an unconfirmed one answers
 * `authorization_pending`, or `slow_down` with 5 s more interval when polled too soon (RFC 8628 §3.5).
 */
export async function signInWithCode(
  core: Core,
  input: { codeLinkSessionId: string; codeVerifier: string },
  opts: { vars: Vars; client: ClientInfo },
): Promise<AuthenticateResult> {
  if (!UUID.test(input.codeLinkSessionId)) throw invalidArgument(CodeLinkMessages.sessionIdFormat);
  if (!VERIFIER.test(input.codeVerifier)) throw invalidArgument(CodeLinkMessages.verifierFormat);
  const now = core.clock.now();
  const row = await core.store.codeLinks.getCodeLink(input.codeLinkSessionId);
  if (row === undefined || row.consumedTime !== null || row.expireTime <= now) throw expired();
  if (!verifierMatches(input.codeVerifier, row.challenge)) {
    throw new CodeLinkPollRefusal(CodeLinkPollErrors.invalidGrant, "the code verifier does not match this code link session.");
  }
  if (row.confirmedAccountId === null) {
    const tooSoon = row.lastPollTime !== null && now - row.lastPollTime < row.intervalSec * 1000;
    const interval = tooSoon ? row.intervalSec + SLOW_DOWN_STEP_SEC : row.intervalSec;
    await core.store.codeLinks.recordCodeLinkPoll(row.id, now, interval);
    if (tooSoon)
      throw new CodeLinkPollRefusal(CodeLinkPollErrors.slowDown, `polled sooner than ${row.intervalSec} s after the last poll; wait ${interval} s.`, interval);
    throw new CodeLinkPollRefusal(CodeLinkPollErrors.authorizationPending, "the sign-in code is not confirmed yet; poll again later.", interval);
  }
  const consumed = await core.store.codeLinks.consumeCodeLink(row.id, now);
  if (consumed === undefined || consumed.confirmedAccountId === null) throw expired();
  const account = await core.store.getAccount(consumed.confirmedAccountId);
  if (account === undefined) throw notFound(Messages.accountNotFound);
  return signInToAccount(core, account, "code_link", opts);
}

/** Deletes codes that expired (used or not); returns how many. Run by the server's hourly purge. */
export function purgeSignInCodes(core: Pick<Core, "clock" | "store">): Promise<number> {
  return core.store.codeLinks.purgeCodeLinks(core.clock.now());
}
