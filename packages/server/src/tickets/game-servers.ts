/**
 * Game-server credentials and their tokens. A credential is an identity and a random secret:
 * declared in configuration (`tickets.game_servers`) or created at run time (runtime `nk`, CLI),
 * stored as a SHA-256 of the secret. A game server exchanges it for a short-lived bearer token
 * (HS256 under a key derived from the access-token key, so it can never pass as a player's token,
 * nor a player's as its), checked against the credential on every request: deleting the
 * credential stops its tokens at once.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { GameServerCredential } from "../config/config.js";
import type { Core } from "../core.js";
import { alreadyExists, invalidArgument, notFound, unauthenticated } from "../shared/api-error.js";
import { rfc3339 } from "../shared/time.js";
import { signHs256, verifyHs256, TokenError } from "../session/jwt.js";
import { invalidAuthToken } from "../session/verify-access.js";
import { StoreConflictError } from "../store/store.js";
import type { ConfiguredGameServer, TicketServices } from "./ticket-services.js";
import type { Validator } from "./validator.js";
import { UUID } from "../shared/ids.js";

export interface GameServerInfo {
  identity: string;
  /** "config" (declared in configuration) or "runtime" (created by nk, the CLI or the admin API). */
  source: "config" | "runtime";
  create_time?: string;
}

/** What managing credentials needs: the server's Core, or the CLI's store and configuration alone. */
export type GameServerAdmin = Pick<Core, "store" | "clock" | "logger"> & { readonly tickets: Pick<TicketServices, "configuredGameServers"> };

const SECRET_BYTES = 32;

export const hashSecret = (secret: string): Buffer => createHash("sha256").update(secret, "utf8").digest();

/** The derived HMAC key of game-server tokens. */
export function gameServerTokenKey(accessKey: Buffer): Buffer {
  return createHmac("sha256", accessKey).update("tessera game-server token v1").digest();
}

/** Configured credentials by identity; the id changes with the secret, so a new secret ends old tokens. */
export function configuredGameServers(list: readonly GameServerCredential[]): Map<string, ConfiguredGameServer> {
  return new Map(
    list.map((c) => {
      const secretHash = hashSecret(c.secret);
      return [c.identity, { identity: c.identity, id: `config:${secretHash.subarray(0, 8).toString("hex")}`, secretHash }];
    }),
  );
}

export function checkIdentity(identity: unknown, what = "Identity"): string {
  if (typeof identity !== "string" || identity === "") throw invalidArgument(`${what} is required.`);
  if (Buffer.byteLength(identity, "utf8") > 128) throw invalidArgument(`${what} invalid, must be 1-128 bytes.`);
  if (/[\u0000-\u001f\u007f]/.test(identity)) throw invalidArgument(`${what} invalid, no control characters allowed.`);
  return identity;
}

/** Creates a credential; the secret is returned once and only its hash is kept. */
export async function createGameServer(core: GameServerAdmin, identityIn: unknown): Promise<{ identity: string; secret: string }> {
  const identity = checkIdentity(identityIn);
  if (core.tickets.configuredGameServers.has(identity)) throw alreadyExists("A game server with this identity is declared in the configuration.");
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  try {
    await core.store.tickets.createGameServer({ identity, id: randomUUID(), secretHash: hashSecret(secret).toString("hex"), createdAt: core.clock.now() });
  } catch (err) {
    if (err instanceof StoreConflictError) throw alreadyExists("A game server with this identity already exists.");
    throw err;
  }
  core.logger.info("game server credential created", { identity });
  return { identity, secret };
}

/** Deletes a run-time credential: its tokens stop working at once. */
export async function deleteGameServer(core: GameServerAdmin, identityIn: unknown): Promise<void> {
  const identity = checkIdentity(identityIn);
  if (core.tickets.configuredGameServers.has(identity)) {
    throw invalidArgument("This game server is declared in the configuration; remove it from tickets.game_servers instead.");
  }
  if (!(await core.store.tickets.deleteGameServer(identity))) throw notFound("Game server not found.");
  core.logger.info("game server credential deleted", { identity });
}

export async function listGameServers(core: GameServerAdmin): Promise<GameServerInfo[]> {
  const configured: GameServerInfo[] = [...core.tickets.configuredGameServers.keys()].map((identity) => ({ identity, source: "config" }));
  const stored = (await core.store.tickets.listGameServers()).map(
    (g): GameServerInfo => ({ identity: g.identity, source: "runtime", create_time: rfc3339(g.createdAt) }),
  );
  return [...configured, ...stored].sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
}

const invalidCredentials = () => unauthenticated("Game server credentials invalid.");

/** How long after its expiry a game server's token can still be named to keep its session on renewal. */
const RENEWAL_GRACE_SEC = 24 * 60 * 60;

/**
 * Exchanges a credential for a token: `{token, identity, session_id, expire_time}`. Each sign-in is a
 * new validator session (one game-server instance) unless `previousToken` is a token this server
 * issued to the same identity (expired at most a day ago): then the renewal keeps that instance's
 * session, with its auth sessions and pending events. Only a genuine token can name a session, so
 * no other validator's session can be taken over.
 */
export async function authenticateGameServer(
  core: Pick<Core, "clock" | "config" | "store" | "tickets">,
  identityIn: string,
  secret: string,
  previousToken = "",
): Promise<{ token: string; identity: string; session_id: string; expire_time: string }> {
  if (identityIn === "" || secret === "") throw invalidArgument("Identity and secret are required.");
  const identity = checkIdentity(identityIn);
  const credentialId = await credentialIdFor(core, identity, hashSecret(secret));
  if (credentialId === undefined) throw invalidCredentials();
  const nowSec = Math.floor(core.clock.now() / 1000);
  const sessionId = previousToken === "" ? randomUUID() : continuedSession(core, previousToken, identity, nowSec);
  const exp = nowSec + core.config.tickets.gameServerTokenExpirySec;
  const token = signHs256({ tid: sessionId, gsi: identity, gsc: credentialId, iat: nowSec, exp }, core.tickets.gameServerKey);
  return { token, identity, session_id: sessionId, expire_time: rfc3339(exp * 1000) };
}

function continuedSession(core: Pick<Core, "tickets">, previousToken: string, identity: string, nowSec: number): string {
  const refused = () => invalidArgument("previous_token is not a recent token of this game server.");
  let claims: Record<string, unknown>;
  try {
    claims = verifyHs256(previousToken, core.tickets.gameServerKey);
  } catch (err) {
    if (err instanceof TokenError) throw refused();
    throw err;
  }
  const { tid, gsi, exp } = claims;
  if (typeof tid !== "string" || !UUID.test(tid) || gsi !== identity || typeof exp !== "number" || exp + RENEWAL_GRACE_SEC < nowSec) throw refused();
  return tid;
}

/** The game server behind a token, or throws 401 "Auth token invalid". */
export async function authenticateGameServerToken(core: Pick<Core, "clock" | "store" | "tickets">, token: string): Promise<Validator> {
  let claims: Record<string, unknown>;
  try {
    claims = verifyHs256(token, core.tickets.gameServerKey);
  } catch (err) {
    if (err instanceof TokenError) throw invalidAuthToken();
    throw err;
  }
  const { tid, gsi, gsc, exp } = claims;
  if (typeof tid !== "string" || !UUID.test(tid) || typeof gsi !== "string" || typeof gsc !== "string" || typeof exp !== "number") throw invalidAuthToken();
  if (Math.floor(core.clock.now() / 1000) >= exp) throw invalidAuthToken();
  if ((await currentCredentialId(core, gsi)) !== gsc) throw invalidAuthToken();
  return { kind: "server", sessionId: tid, identity: gsi };
}

async function credentialIdFor(core: Pick<Core, "store" | "tickets">, identity: string, secretHash: Buffer): Promise<string | undefined> {
  const configured = core.tickets.configuredGameServers.get(identity);
  if (configured) return timingSafeEqual(configured.secretHash, secretHash) ? configured.id : undefined;
  const stored = await core.store.tickets.gameServer(identity);
  if (!stored) {
    // Same work as a known identity, so response time does not tell which identities exist.
    timingSafeEqual(secretHash, secretHash);
    return undefined;
  }
  return timingSafeEqual(Buffer.from(stored.secretHash, "hex"), secretHash) ? stored.id : undefined;
}

async function currentCredentialId(core: Pick<Core, "store" | "tickets">, identity: string): Promise<string | undefined> {
  return core.tickets.configuredGameServers.get(identity)?.id ?? (await core.store.tickets.gameServer(identity))?.id;
}

/** For the Steam-shaped endpoint: the credential whose secret is `key` (any identity). */
export async function gameServerByKey(core: Pick<Core, "store" | "tickets">, key: string): Promise<string | undefined> {
  const hash = hashSecret(key);
  for (const c of core.tickets.configuredGameServers.values()) if (timingSafeEqual(c.secretHash, hash)) return c.identity;
  return (await core.store.tickets.gameServerBySecretHash(hash.toString("hex")))?.identity;
}
