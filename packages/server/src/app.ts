/**
 * The composition root: builds the Core (store, keys, hasher, clock, logger) from a Config,
 * mounts the routes on an HTTP server, and shuts everything down in order.
 */
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { argon2idHasher, boundedPasswordHasher, type PasswordHasher } from "./auth/password.js";
import type { Config } from "./config/config.js";
import { enforceSafety } from "./config/safety.js";
import type { Core } from "./core.js";
import { systemClock, type Clock } from "./shared/time.js";
import { createHttpServer } from "./http/http-server.js";
import { accountRoutes } from "./http/routes/account-routes.js";
import { authenticateRoutes } from "./http/routes/authenticate-routes.js";
import { metaRoutes } from "./http/routes/meta-routes.js";
import { sessionRoutes } from "./http/routes/session-routes.js";
import { ticketRoutes } from "./http/routes/ticket-routes.js";
import { consoleRoutes } from "./http/routes/console-routes.js";
import { consolePageRoutes } from "./http/routes/console-page-routes.js";
import type { Route } from "./http/route.js";
import { createLogger, type Logger } from "./shared/logger.js";
import { memorySignInLimits } from "./limits/sign-in-limits.js";
import { sharedSignInLimits } from "./limits/shared-sign-in-limits.js";
import { loadSigningKeys } from "./session/keys.js";
import { openStore } from "./store/open-store.js";
import { timedStore } from "./store/timed-store.js";
import { TesseraMetrics } from "./metrics/tessera-metrics.js";
import type { Bus } from "./cluster/bus.js";
import { LocalBus } from "./cluster/local-bus.js";
import { describeRedisUrl, RedisBus } from "./cluster/redis-bus.js";
import { RevocationPoller } from "./cluster/revocation-poll.js";
import { HookRegistry } from "./hooks/hook-registry.js";
import { loadRuntimeModules } from "./hooks/runtime-loader.js";
import { attachSocketServer } from "./realtime/socket-server.js";
import { steamWebApi, type SteamWebApi } from "./auth/steam-web-api-client.js";
import { SocketRegistry } from "./realtime/socket-registry.js";
import { VERSION } from "./shared/version.js";
import { AuthSessionEventHub } from "./tickets/event-hub.js";
import { configuredGameServers, gameServerTokenKey } from "./tickets/game-servers.js";
import { TicketKeyring } from "./tickets/ticket-keys.js";
import { SessionCache } from "./session/session-cache.js";
import { startTicketMaintenance } from "./tickets/ticket-maintenance.js";
import type { TicketServices } from "./tickets/ticket-services.js";
import { AuditLog, countServerErrors } from "./audit/audit-log.js";
import { startAdminMaintenance } from "./admin/maintenance.js";

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  passwords?: PasswordHasher;
}

export interface TesseraServer {
  /** `http://host:port` with the real port (also when 0 was asked for). */
  readonly url: string;
  readonly port: number;
  readonly core: Core;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the store. */
  close(graceMs?: number): Promise<void>;
}

/** The bearer check's session cache on a store only this node writes (revocations drop entries at once). */
const DEFAULT_SESSION_CACHE_TTL_MS = 1_000;

/** How often expired sessions are deleted. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export function apiRoutes(): Route[] {
  const api = [...authenticateRoutes, ...sessionRoutes, ...accountRoutes, ...ticketRoutes, ...consoleRoutes];
  return [...api, ...metaRoutes(api, VERSION)];
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<TesseraServer> {
  const logger = options.logger ?? createLogger({ level: config.logger.level, format: config.logger.format });
  for (const finding of enforceSafety(config)) logger.warn(`${finding.setting} ${finding.message}`);

  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const keys = loadSigningKeys(dataDir, config.session);
  const opened = await openStore(config.database, dataDir, { logger });
  const { description: database, shared, backend } = opened;
  const metrics = new TesseraMetrics({ version: VERSION });
  // Every store call is timed here, once, rather than in each backend's methods.
  const store = timedStore(opened.store, (operation) => metrics.storeOperation(backend, operation));

  // Redis fans news out to every node; without it the bus is in-process. On a database other
  // nodes share, the database poll brings their revocations whenever the bus cannot.
  const bus: Bus = config.cluster.redisUrl !== undefined ? await RedisBus.open({ url: config.cluster.redisUrl, logger }) : new LocalBus();
  metrics.followBus(() => bus.health());
  const clock = options.clock ?? systemClock;
  const poller = shared ? new RevocationPoller({ source: store, bus, clock, logger }) : undefined;
  const sockets = new SocketRegistry();
  const hooks = new HookRegistry();
  let core: Core;
  const steam = steamFrom(config);
  try {
    const tickets: TicketServices = {
      keyring: await TicketKeyring.open(store.tickets, clock),
      events: new AuthSessionEventHub(bus),
      gameServerKey: gameServerTokenKey(keys.access),
      configuredGameServers: configuredGameServers(config.tickets.gameServers),
      busReachesAllNodes: () => !shared || bus.health().state === "connected",
    };
    const sessionCache = new SessionCache(config.session.cacheTtlMs ?? (shared ? 0 : DEFAULT_SESSION_CACHE_TTL_MS), clock, bus);
    const audit = new AuditLog(store.admin, clock, logger);
    const passwords = boundedPasswordHasher(options.passwords ?? argon2idHasher, { concurrency: config.auth.passwordHashConcurrency, queue: config.auth.passwordHashQueue });
    core = { config, store, bus, keys, passwords, clock, logger, presence: sockets, hooks, steam, tickets, sessionCache, audit, metrics };
    await loadRuntimeModules(core, hooks);
  } catch (err) {
    await poller?.close();
    await bus.close();
    await store.close();
    metrics.close();
    throw err;
  }
  // The web console's files are served beside the API, not part of it (nor of its OpenAPI document).
  // With Redis the sign-in limits are the cluster's, counted there (per node while Redis is away).
  const clusterLimits = config.cluster.redisUrl !== undefined ? sharedSignInLimits(config, config.cluster.redisUrl, clock, logger) : undefined;
  const server = createHttpServer(core, [...apiRoutes(), ...consolePageRoutes()], { signInLimits: clusterLimits?.limits ?? memorySignInLimits(config, clock) });
  countServerErrors(server, core.audit);
  const realtime = attachSocketServer(core, server, sockets);

  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once("error", reject);
      server.listen(config.socket.port, config.socket.host, () => {
        server.off("error", reject);
        resolveListen();
      });
    });
  } catch (err) {
    await realtime.close(0);
    await poller?.close();
    await clusterLimits?.close();
    await bus.close();
    await store.close();
    metrics.close();
    throw err;
  }
  poller?.start();

  const stopTicketMaintenance = startTicketMaintenance(core);
  const stopAdminMaintenance = startAdminMaintenance(core);
  const purge = setInterval(() => {
    store.purgeExpiredSessions(Math.floor(core.clock.now() / 1000)).catch((err: unknown) => logger.warn("session purge failed", { error: String(err) }));
  }, PURGE_INTERVAL_MS);
  purge.unref();

  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const busDescription = config.cluster.redisUrl !== undefined ? describeRedisUrl(config.cluster.redisUrl) : "local";
  logger.info(`tessera ${VERSION} listening on ${url}`, { database, bus: busDescription });

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    core,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        clearInterval(purge);
        stopTicketMaintenance();
        stopAdminMaintenance();
        // Long polls answer at once instead of holding the HTTP server open.
        core.tickets.events.close();
        core.sessionCache.close();
        // Sockets get 1001 first; the HTTP server's close completes only once they are gone.
        const socketsClosed = realtime.close(Math.min(graceMs, 5_000));
        await new Promise<void>((done) => {
          // Keep-alive connections become idle once their in-flight response is written.
          const sweep = setInterval(() => server.closeIdleConnections(), 50);
          const force = setTimeout(() => server.closeAllConnections(), graceMs);
          server.close(() => {
            clearInterval(sweep);
            clearTimeout(force);
            done();
          });
          server.closeIdleConnections();
        });
        await socketsClosed;
        await core.audit.close();
        await poller?.close();
        await clusterLimits?.close();
        await bus.close();
        await store.close();
        metrics.close();
      })();
      return closing;
    },
  };
}

/** The Steam Web API client when a publisher key is configured (config.ts then guarantees an app id). */
function steamFrom(config: Config): SteamWebApi | undefined {
  const { publisherKey, appId, apiUrl, timeoutMs, identity } = config.social.steam;
  return publisherKey === undefined ? undefined : steamWebApi({ apiUrl, publisherKey, appId, timeoutMs, identity });
}
