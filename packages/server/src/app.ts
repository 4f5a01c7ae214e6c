/**
 * The server's composition root: the Core from `build-core.ts`, the routes on an HTTP server, the
 * realtime sockets, the background work; every part's stop on one `ShutdownList`.
 */
import type { AddressInfo } from "node:net";
import type { PasswordHasher } from "./auth/password.js";
import { startAdminMaintenance } from "./admin/maintenance.js";
import { countServerErrors } from "./audit/audit-log.js";
import { buildCore } from "./build-core.js";
import { describeRedisUrl } from "./cluster/redis-url.js";
import type { Config } from "./config/config.js";
import { enforceSafety } from "./config/safety.js";
import type { Core } from "./core.js";
import { loadRuntimeModules } from "./hooks/runtime-loader.js";
import { createHttpServer } from "./http/http-server.js";
import type { Route } from "./http/route.js";
import { accountRoutes } from "./http/routes/account-routes.js";
import { authenticateRoutes } from "./http/routes/authenticate-routes.js";
import { consolePageRoutes } from "./http/routes/console-page-routes.js";
import { consoleRoutes } from "./http/routes/console-routes.js";
import { metaRoutes } from "./http/routes/meta-routes.js";
import { sessionRoutes } from "./http/routes/session-routes.js";
import { ticketRoutes } from "./http/routes/ticket-routes.js";
import { codeLinkRoutes } from "./http/routes/code-link-routes.js";
import { purgeSignInCodes } from "./auth/code-link.js";
import { memorySignInLimits } from "./limits/sign-in-limits.js";
import { attachSocketServer } from "./realtime/socket-server.js";
import { SocketRegistry } from "./realtime/socket-registry.js";
import { createLogger, type Logger } from "./shared/logger.js";
import type { Clock } from "./shared/time.js";
import { VERSION } from "./shared/version.js";
import { ShutdownList } from "./shutdown.js";
import { startTicketMaintenance } from "./tickets/ticket-maintenance.js";

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

/** How often expired sessions are deleted. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export function apiRoutes(): Route[] {
  const api = [...authenticateRoutes, ...sessionRoutes, ...accountRoutes, ...codeLinkRoutes, ...ticketRoutes, ...consoleRoutes];
  return [...api, ...metaRoutes(api, VERSION)];
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<TesseraServer> {
  const logger = options.logger ?? createLogger({ level: config.logger.level, format: config.logger.format });
  for (const finding of enforceSafety(config)) logger.warn(`${finding.setting} ${finding.message}`);

  const shutdown = new ShutdownList();
  try {
    return await serve(config, logger, options, shutdown);
  } catch (err) {
    // Whatever had started stops again, in the same order as at a normal shutdown; the reason
    // the start failed stays the error thrown.
    await shutdown.run().catch((closeErr: unknown) => logger.warn("cleanup after a failed start failed", { error: String(closeErr) }));
    throw err;
  }
}

async function serve(config: Config, logger: Logger, options: StartOptions, shutdown: ShutdownList): Promise<TesseraServer> {
  const sockets = new SocketRegistry();
  const built = await buildCore(config, shutdown, { role: "server", logger, presence: sockets, clock: options.clock, passwords: options.passwords });
  const { core, poller } = built;
  await loadRuntimeModules(core, core.hooks);

  // With Redis the sign-in limits are the cluster's, counted there (per node while Redis is away).
  const clusterLimits =
    config.cluster.redisUrl !== undefined
      ? (await import("./limits/shared-sign-in-limits.js")).sharedSignInLimits(config, config.cluster.redisUrl, core.clock, logger)
      : undefined;
  if (clusterLimits) shutdown.add("shared sign-in limits", () => clusterLimits.close());
  // The web console's files are served beside the API, not part of it (nor of its OpenAPI document).
  const server = createHttpServer(core, [...apiRoutes(), ...consolePageRoutes()], {
    signInLimits: clusterLimits?.limits ?? memorySignInLimits(config, core.clock),
  });
  countServerErrors(server, core.audit);
  const realtime = attachSocketServer(core, server, sockets);
  let listening = false;
  shutdown.add("http server and sockets", async ({ graceMs }) => {
    // Long polls answer at once instead of holding the HTTP server open.
    core.tickets.events.close();
    if (!listening) return realtime.close(0);
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
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(config.socket.port, config.socket.host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  listening = true;
  poller?.start();

  const stopTicketMaintenance = startTicketMaintenance(core);
  shutdown.add("ticket maintenance", stopTicketMaintenance);
  const stopAdminMaintenance = startAdminMaintenance(core);
  shutdown.add("admin maintenance", stopAdminMaintenance);
  const purge = setInterval(() => {
    core.store.purgeExpiredSessions(Math.floor(core.clock.now() / 1000)).catch((err: unknown) => logger.warn("session purge failed", { error: String(err) }));
    purgeSignInCodes(core).catch((err: unknown) => logger.warn("sign-in code purge failed", { error: String(err) }));
  }, PURGE_INTERVAL_MS);
  purge.unref();
  shutdown.add("session purge", () => clearInterval(purge));

  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const busDescription = config.cluster.redisUrl !== undefined ? describeRedisUrl(config.cluster.redisUrl) : "local";
  logger.info(`tessera ${VERSION} listening on ${url}`, { database: built.database, bus: busDescription });

  return {
    url,
    port: address.port,
    core,
    close: (graceMs = 10_000) => shutdown.run({ graceMs }),
  };
}
