/**
 * What every domain function needs, passed explicitly: configuration, the store, signing keys,
 * the password hasher, a clock, a logger, the metrics and the outside services (Steam). Built once
 * by `app.ts`.
 */
import type { Config } from "./config/config.js";
import type { Logger } from "./shared/logger.js";
import type { PasswordHasher } from "./auth/password.js";
import type { SigningKeys } from "./session/keys.js";
import type { Store } from "./store/store.js";
import type { Bus } from "./cluster/bus.js";
import type { HookRegistry } from "./hooks/hook-registry.js";
import type { TicketServices } from "./tickets/ticket-services.js";
import type { SessionCache } from "./session/session-cache.js";
import type { SteamWebApi } from "./auth/steam-web-api-client.js";
import type { SocialServices } from "./auth/social/social-services.js";
import type { AuditLog } from "./audit/audit-log.js";
import type { TesseraMetrics } from "./metrics/tessera-metrics.js";
import type { Clock } from "./shared/time.js";
import type { CodeLinkLookupLimits } from "./auth/code-link-limits.js";

export interface Core {
  readonly config: Config;
  readonly store: Store;
  readonly bus: Bus;
  readonly keys: SigningKeys;
  readonly passwords: PasswordHasher;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Prometheus metrics of this node: domain code counts what happens where it happens. */
  readonly metrics: TesseraMetrics;
  /** Runtime module hooks by name; empty without `runtime.path` (a hooked route then costs two Map lookups). */
  readonly hooks: HookRegistry;
  /** Live realtime sockets on this node, read-only (the `online` flag of accounts). */
  readonly presence: Presence;
  /** Session rows for the bearer check, cached briefly and dropped on revocation (session/session-cache.ts). */
  readonly sessionCache: SessionCache;
  /** Ticket signing keys, the auth-session event hub, game-server credentials. */
  readonly tickets: TicketServices;
  /** The Steam Web API ticket check; undefined when `social.steam.publisher_key` is not set. */
  readonly steam: SteamWebApi | undefined;
  /** The other sign-in providers' keys, discovery and certificates (Apple, Google, Facebook, Game Center, OpenID Connect). */
  readonly social: SocialServices;
  /** Security events and per-minute activity counts, written in batches (audit/audit-log.ts). */
  readonly audit: AuditLog;
  /** How often players may look sign-in codes up (Code-Link's info and confirm), against guessing. */
  readonly codeLinkLookups: CodeLinkLookupLimits;
}

/** Who is connected right now on this node; implemented by `realtime/socket-registry.ts`. */
export interface Presence {
  /** True while the account holds at least one open realtime socket on this node. */
  isOnline(userId: string): boolean;
}

/** Who is calling, as the transport saw it; recorded on sessions. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}
