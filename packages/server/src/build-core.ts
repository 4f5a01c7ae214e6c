/**
 * Builds the `Core` from a Config, once, for the server (`app.ts`) and for every CLI command
 * (`cli/command-context.ts`): the store from `database.url`, the bus from `cluster.redis_url`,
 * signing keys, ticket services, the session cache, the audit log, metrics, the Steam client.
 * Each part registers its stop on the process's one `ShutdownList` as soon as it exists, so a
 * build that fails half-way, a command and the server all close the same parts in the same order.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { argon2idHasher, boundedPasswordHasher, type PasswordHasher } from "./auth/password.js";
import { steamWebApi, type SteamWebApi } from "./auth/steam-web-api-client.js";
import { socialServices } from "./auth/social/social-services.js";
import { SIGN_IN_PROVIDERS } from "./auth/providers/registry.js";
import { memoryCodeLinkLookupLimits } from "./auth/code-link-limits.js";
import { AuditLog } from "./audit/audit-log.js";
import type { Bus } from "./cluster/bus.js";
import { LocalBus } from "./cluster/local-bus.js";
import { RevocationPoller } from "./cluster/revocation-poll.js";
import type { Config } from "./config/config.js";
import type { Core, Presence } from "./core.js";
import { HookRegistry } from "./hooks/hook-registry.js";
import { TesseraMetrics } from "./metrics/tessera-metrics.js";
import { loadSigningKeys } from "./session/keys.js";
import { SessionCache } from "./session/session-cache.js";
import type { Logger } from "./shared/logger.js";
import { systemClock, type Clock } from "./shared/time.js";
import { VERSION } from "./shared/version.js";
import { openStore, type OpenedStore } from "./store/open-store.js";
import { timedStore } from "./store/timed-store.js";
import { AuthSessionEventHub } from "./tickets/event-hub.js";
import { configuredGameServers, gameServerTokenKey } from "./tickets/game-servers.js";
import { TicketKeyring } from "./tickets/ticket-keys.js";
import type { ShutdownList } from "./shutdown.js";

/**
 * Who the Core is for. A `server` answers players: its store checkpoints SQLite's log on a worker,
 * it polls a shared database for other nodes' revocations, caches session rows and bounds password
 * hashing. A `command` (`tessera user ban …`) runs once against the same database and bus: no
 * poll, no cache (another process serves), no sockets, no runtime hooks.
 */
export type CoreRole = "server" | "command";

export interface BuildCoreOptions {
  role: CoreRole;
  logger: Logger;
  clock?: Clock;
  /** The password hasher before bounding; argon2id by default (tests pass a fast one). */
  passwords?: PasswordHasher;
  /** This node's live sockets (the server's `SocketRegistry`); nobody is online for a command. */
  presence?: Presence;
}

export interface BuiltCore {
  core: Core;
  /** Where the data lives, safe to log. */
  database: string;
  /** Other nodes write to the same database (PostgreSQL). */
  shared: boolean;
  /** The revocation poll of a server on a shared database; started by the caller once it serves. */
  poller: RevocationPoller | undefined;
}

/** The bearer check's session cache on a store only this node writes (revocations drop entries at once). */
const DEFAULT_SESSION_CACHE_TTL_MS = 1_000;

/** Nobody is connected to a process without sockets. */
const NOBODY_ONLINE: Presence = { isOnline: () => false };

/**
 * Opens the configured store (migrating it) and registers its close: the first part of every
 * Core, and all that `tessera migrate` needs. A server's store is timed into `metrics`.
 */
export async function openCoreStore(config: Config, shutdown: ShutdownList, server?: { logger: Logger; metrics: TesseraMetrics }): Promise<OpenedStore> {
  const dataDir = resolve(config.dataDir);
  const opened = await openStore(config.database, dataDir, server ? { logger: server.logger } : undefined);
  shutdown.add("store", () => opened.store.close());
  if (!server) return opened;
  // Every store call is timed here, once, rather than in each backend's methods.
  const store = timedStore(opened.store, (operation) => server.metrics.storeOperation(opened.backend, operation));
  return { ...opened, store };
}

/** Builds the Core for `options.role`; on failure, whatever was built is already on `shutdown`. */
export async function buildCore(config: Config, shutdown: ShutdownList, options: BuildCoreOptions): Promise<BuiltCore> {
  const { role, logger } = options;
  const clock = options.clock ?? systemClock;
  const serving = role === "server";
  const dataDir = resolve(config.dataDir);
  // A server makes its data directory; a command given a wrong one fails rather than starting an
  // empty database there.
  if (serving) mkdirSync(dataDir, { recursive: true });

  // A command's counts are never scraped; the server's /metrics counts only its own process.
  const metrics = new TesseraMetrics({ version: VERSION, signInProviders: SIGN_IN_PROVIDERS });
  shutdown.add("metrics", () => metrics.close());
  const { store, shared, description: database } = await openCoreStore(config, shutdown, serving ? { logger, metrics } : undefined);
  const keys = loadSigningKeys(dataDir, config.session);

  // Redis fans news out to every node (a ban from the CLI closes sockets at once there); without
  // it the bus is in-process.
  // The Redis client is loaded only when a cluster is configured (one node does not pay for it).
  const bus: Bus =
    config.cluster.redisUrl !== undefined
      ? await (await import("./cluster/redis-bus.js")).RedisBus.open({ url: config.cluster.redisUrl, logger })
      : new LocalBus();
  shutdown.add("bus", () => bus.close());
  if (serving) metrics.followBus(() => bus.health());

  // On a database other nodes share, the database poll brings their revocations whenever the bus cannot.
  const poller = serving && shared ? new RevocationPoller({ source: store, bus, clock, logger }) : undefined;
  if (poller) shutdown.add("revocation poll", () => poller.close());

  const sessionCacheTtlMs = serving ? (config.session.cacheTtlMs ?? (shared ? 0 : DEFAULT_SESSION_CACHE_TTL_MS)) : 0;
  const sessionCache = new SessionCache(sessionCacheTtlMs, clock, bus);
  shutdown.add("session cache", () => sessionCache.close());
  const tickets = {
    keyring: await TicketKeyring.open(store.tickets, clock),
    events: new AuthSessionEventHub(bus),
    gameServerKey: gameServerTokenKey(keys.access),
    configuredGameServers: configuredGameServers(config.tickets.gameServers),
    // A command cannot know; it assumes the bus reaches the nodes that serve.
    busReachesAllNodes: serving ? () => !shared || bus.health().state === "connected" : () => true,
  };
  // Long polls answer at once (the server also does this before its HTTP server closes).
  shutdown.add("auth session events", () => tickets.events.close());
  const audit = new AuditLog(store.admin, clock, logger);
  // Flushed while the store and the bus are still open: the last events of a command are written.
  shutdown.add("audit log", () => audit.close());

  const passwords = serving
    ? boundedPasswordHasher(options.passwords ?? argon2idHasher, { concurrency: config.auth.passwordHashConcurrency, queue: config.auth.passwordHashQueue })
    : (options.passwords ?? argon2idHasher);
  const core: Core = {
    config,
    store,
    bus,
    keys,
    passwords,
    clock,
    logger,
    metrics,
    hooks: new HookRegistry(),
    presence: options.presence ?? NOBODY_ONLINE,
    sessionCache,
    tickets,
    steam: steamFrom(config),
    social: socialServices(config.social, clock),
    audit,
    codeLinkLookups: memoryCodeLinkLookupLimits(config.codeLink, clock),
  };
  return { core, database, shared, poller };
}

/** The Steam Web API client when a publisher key is configured (config.ts then guarantees an app id). */
function steamFrom(config: Config): SteamWebApi | undefined {
  const { publisherKey, appId, apiUrl, timeoutMs, identity } = config.social.steam;
  return publisherKey === undefined ? undefined : steamWebApi({ apiUrl, publisherKey, appId, timeoutMs, identity });
}
