/**
 * Every metric Tessera exposes, declared once (docs/operations.md has the reference table), with
 * one method per thing that happens. Domain code calls these methods where the event happens
 * (`core.metrics.refresh("rotated")`); the label values are typed, so no series can be created
 * from request input and the number of series stays bounded.
 */
import type { BusHealth } from "../cluster/bus.js";
import type { RevocationReason } from "../store/store.js";
import type { CounterChild } from "./counter.js";
import type { GaugeChild } from "./gauge.js";
import type { HistogramChild } from "./histogram.js";
import { AuthSessionResponse, BeginAuthSessionResult } from "@tessera/protocol";
import { registerProcessMetrics } from "./process-metrics.js";
import { MetricsRegistry } from "./registry.js";

export type RefreshOutcome = "rotated" | "grace_duplicate" | "reuse_detected" | "invalid" | "banned";
export type StoreBackend = "sqlite" | "postgres";

const REFRESH_OUTCOMES: readonly RefreshOutcome[] = ["rotated", "grace_duplicate", "reuse_detected", "invalid", "banned"];
const REVOCATION_REASONS: readonly RevocationReason[] = ["logout", "logout_all", "ended", "refresh_reuse", "single_session", "banned", "deleted"];
const BUS_STATES: readonly BusHealth["state"][] = ["local", "connected", "disconnected"];

/** Seconds; from half a millisecond (a cached bearer check) to the 30 s long poll. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds; a SQLite read takes microseconds, a PostgreSQL round trip a millisecond or more. */
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** HTTP methods kept as they are in the `method` label; anything else is `other`. */
const HTTP_METHODS = new Set(["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"]);

/** The `method` label of a request's method: bounded whatever a client sends. */
export function httpMethodLabel(method: string): string {
  return HTTP_METHODS.has(method) ? method : "other";
}

/** The `route` label of requests that matched no declared route. */
export const UNMATCHED_ROUTE = "unmatched";

/** The request metrics of one method and route, bound once so a request costs no label lookup. */
export class HttpRouteMetrics {
  private readonly byStatus = new Map<number, CounterChild>();

  constructor(
    private readonly requests: (status: string) => CounterChild,
    private readonly duration: HistogramChild,
  ) {}

  /** One answered request: its status and how long it took to produce the answer. */
  observe(status: number, seconds: number): void {
    let counter = this.byStatus.get(status);
    if (!counter) {
      counter = this.requests(String(status));
      this.byStatus.set(status, counter);
    }
    counter.inc();
    this.duration.observe(seconds);
  }
}

/** Called after each store operation with its duration and whether the database was unreachable. */
export type StoreOperationRecorder = (seconds: number, unavailable: boolean) => void;

export class TesseraMetrics {
  readonly registry = new MetricsRegistry();
  private readonly stopProcessMetrics: () => void;

  private readonly httpRequests = this.registry.counter({
    name: "tessera_http_requests_total",
    help: "HTTP requests answered, by method, declared route path and status.",
    labelNames: ["method", "route", "status"],
  });
  private readonly httpDuration = this.registry.histogram({
    name: "tessera_http_request_duration_seconds",
    help: "Time from receiving a request to writing its answer, in seconds, by method and declared route path.",
    labelNames: ["method", "route"],
    buckets: HTTP_BUCKETS,
  });
  /** Requests being handled right now (long polls included). */
  readonly httpInFlight: GaugeChild = this.registry
    .gauge({ name: "tessera_http_requests_in_flight", help: "HTTP requests being handled now (long polls included)." })
    .child({});

  private readonly signIns = this.registry.counter({
    name: "tessera_signins_total",
    help: "Successful sign-ins (new sessions), by provider and whether the account was created.",
    labelNames: ["provider", "created"],
  });
  private readonly refreshes = this.registry.counter({
    name: "tessera_refreshes_total",
    help: "Refresh attempts by outcome: rotated, grace_duplicate (concurrent duplicate inside the grace window), reuse_detected (session revoked), invalid, banned.",
    labelNames: ["outcome"],
  });
  private readonly revocations = this.registry.counter({
    name: "tessera_revocations_total",
    help: "Sessions revoked, by reason.",
    labelNames: ["reason"],
  });

  private readonly socketsOpen = this.registry.gauge({ name: "tessera_sockets_open", help: "Realtime sockets open on this node." }).child({});
  private readonly socketConnects = this.registry.counter({ name: "tessera_socket_connects_total", help: "Realtime sockets accepted." }).child({});
  private readonly socketCloses = this.registry.counter({ name: "tessera_socket_closes_total", help: "Realtime sockets closed (by either side)." }).child({});
  private readonly socketRefusals = this.registry.counter({
    name: "tessera_socket_refusals_total",
    help: "Realtime socket upgrades refused before a WebSocket existed, by HTTP status.",
    labelNames: ["status"],
  });

  private readonly ticketsIssued = this.registry.counter({ name: "tessera_tickets_issued_total", help: "Auth session tickets issued to players." }).child({});
  private readonly ticketBegins = this.registry.counter({
    name: "tessera_ticket_begins_total",
    help: "BeginAuthSession calls by result (EBeginAuthSessionResult name).",
    labelNames: ["result"],
  });
  private readonly ticketResponses = this.registry.counter({
    name: "tessera_ticket_responses_total",
    help: "Auth session responses delivered to validators, by response (EAuthSessionResponse name).",
    labelNames: ["response"],
  });
  private readonly ticketWebApi = this.registry.counter({
    name: "tessera_ticket_web_api_validations_total",
    help: "Tickets validated through the Steam-shaped AuthenticateUserTicket endpoint, by result: OK or Steam's error code.",
    labelNames: ["result"],
  });

  private readonly storeDuration = this.registry.histogram({
    name: "tessera_store_operation_duration_seconds",
    help: "Duration of store operations (one Store or TicketStore method call), in seconds, by backend and operation.",
    labelNames: ["backend", "operation"],
    buckets: STORE_BUCKETS,
  });
  private readonly storeUnavailable = this.registry.counter({
    name: "tessera_store_unavailable_total",
    help: "Store operations that failed because the database could not be reached (answered 503), by backend and operation.",
    labelNames: ["backend", "operation"],
  });

  private busHealth: (() => BusHealth) | undefined;

  /** The `provider` label's values: given by the builder (the provider registry's names and "anonymous"). */
  private readonly signInProviders: ReadonlySet<string>;

  /** `signInProviders`: every value of the sign-ins' `provider` label; any other name counts as `other`. */
  constructor(options: { version: string; signInProviders: readonly string[] }) {
    this.signInProviders = new Set(options.signInProviders);
    this.registry
      .gauge({
        name: "tessera_build_info",
        help: "Always 1; the labels name the running version.",
        labelNames: ["version", "node_version"],
      })
      .set({ version: options.version, node_version: process.version }, 1);
    this.registry.gauge({
      name: "tessera_bus_state",
      help: "1 for the cluster bus's current state (local: no Redis; connected; disconnected: Redis unreachable, reconnecting), 0 for the others.",
      labelNames: ["state"],
      collect: (g) => {
        const state = this.busHealth?.().state;
        for (const s of BUS_STATES) g.set({ state: s }, s === state ? 1 : 0);
      },
    });
    this.stopProcessMetrics = registerProcessMetrics(this.registry);

    // Series whose label values are known start at 0, so rate() sees their first increase.
    for (const provider of this.signInProviders) for (const created of ["true", "false"]) this.signIns.child({ provider, created });
    for (const outcome of REFRESH_OUTCOMES) this.refreshes.child({ outcome });
    for (const reason of REVOCATION_REASONS) this.revocations.child({ reason });
    for (const result of Object.keys(BeginAuthSessionResult)) this.ticketBegins.child({ result });
    for (const response of Object.keys(AuthSessionResponse)) this.ticketResponses.child({ response });
  }

  /**
   * The bound request metrics of one method and route: a declared path pattern or
   * `UNMATCHED_ROUTE`, never a raw URL. A method outside the usual verbs becomes `other`.
   */
  httpRoute(method: string, route: string): HttpRouteMetrics {
    const m = httpMethodLabel(method);
    return new HttpRouteMetrics((status) => this.httpRequests.child({ method: m, route, status }), this.httpDuration.child({ method: m, route }));
  }

  signIn(provider: string, created: boolean): void {
    this.signIns.inc({ provider: this.signInProviders.has(provider) ? provider : "other", created: created ? "true" : "false" });
  }

  refresh(outcome: RefreshOutcome): void {
    this.refreshes.inc({ outcome });
  }

  revoked(reason: RevocationReason, sessions: number): void {
    this.revocations.inc({ reason }, sessions);
  }

  socketConnected(): void {
    this.socketConnects.inc();
    this.socketsOpen.inc();
  }

  socketClosed(): void {
    this.socketCloses.inc();
    this.socketsOpen.dec();
  }

  socketRefused(status: number): void {
    this.socketRefusals.inc({ status: String(status) });
  }

  ticketIssued(): void {
    this.ticketsIssued.inc();
  }

  /** `result`: an EBeginAuthSessionResult name (`OK`, `InvalidTicket` ...). */
  ticketBegin(result: string): void {
    this.ticketBegins.inc({ result });
  }

  /** `response`: an EAuthSessionResponse name (`OK`, `AuthTicketCanceled` ...). */
  ticketResponse(response: string): void {
    this.ticketResponses.inc({ response });
  }

  /** `result`: `OK`, or the Steam error code answered (`101` ...). */
  ticketWebApiValidation(result: string): void {
    this.ticketWebApi.inc({ result });
  }

  /** The recorder of one store operation, bound once per operation. */
  storeOperation(backend: StoreBackend, operation: string): StoreOperationRecorder {
    const duration = this.storeDuration.child({ backend, operation });
    let unavailable: CounterChild | undefined;
    return (seconds, failedUnavailable) => {
      duration.observe(seconds);
      if (failedUnavailable) (unavailable ??= this.storeUnavailable.child({ backend, operation })).inc();
    };
  }

  /** Reports the bus's state at each scrape. */
  followBus(health: () => BusHealth): void {
    this.busHealth = health;
  }

  /** The text exposition of every metric. */
  render(): string {
    return this.registry.render();
  }

  /** Stops the event-loop monitor. */
  close(): void {
    this.stopProcessMetrics();
  }
}
