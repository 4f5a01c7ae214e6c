/**
 * Tessera's ticket scenarios: issuing tickets (POST /v2/tickets, round-robin over signed-in
 * players) and validating them through the Steam-Web-API-shaped endpoint, which checks the
 * signature, uses the ticket up (single use: each request a fresh ticket, never reused) and
 * checks the player — one complete validation per request. An answer that is not Steam's OK counts
 * as a failure, though Steam's shape answers errors with HTTP 200.
 */
import type { AutocannonRequest } from "autocannon";
import { measure, runLoad, toScenario, type LoadStats } from "../load.js";
import type { ScenarioResult } from "../types.js";
import type { TesseraContext } from "./tessera.js";

/** The game-server credential the bench servers are started with (`--tickets.game_servers`). */
export const BENCH_GAME_SERVER = { identity: "bench-server", secret: "bench-game-server-secret-not-a-secret-0001" };

class TicketPool {
  private readonly items: string[] = [];
  private next = 0;
  get remaining(): number {
    return this.items.length - this.next;
  }
  addBody(body: string): void {
    try {
      const t = (JSON.parse(body) as { ticket?: unknown }).ticket;
      if (typeof t === "string") this.items.push(t);
    } catch {
      // A failed issue is already counted as non-2xx.
    }
  }
  take(): string | undefined {
    if (this.next >= this.items.length) return undefined;
    const t = this.items[this.next]!;
    this.items[this.next++] = "";
    return t;
  }
}

/** `issuers`: access tokens of players whose sessions issue the tickets, spread so none nears `tickets.max_open_per_session`. */
export async function runTicketScenarios(ctx: TesseraContext, issuers: string[]): Promise<ScenarioResult[]> {
  const { url, server, options } = ctx;
  const { connections, durationSec, warmupSec } = options;
  const pool = new TicketPool();
  let n = 0;
  const issue: AutocannonRequest = {
    method: "POST",
    path: "/v2/tickets",
    setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${issuers[n++ % issuers.length]}`, "content-type": "application/json" }, body: "{}" }),
    onResponse: (status, body) => {
      if (status === 200) pool.addBody(body);
    },
  };
  ctx.log(`${server}: ticket issue`);
  const issued = await measure({ url, connections, durationSec, request: issue }, warmupSec);
  const results: ScenarioResult[] = [toScenario(server, "ticket-issue", "ticket issue (POST /v2/tickets)", issued, `${issuers.length} players`)];

  ctx.log(`${server}: ticket validate`);
  let refused = 0;
  const query = `key=${encodeURIComponent(BENCH_GAME_SERVER.secret)}&appid=0&ticket=`;
  const validate: AutocannonRequest = {
    method: "GET",
    setupRequest: (req) => {
      const ticket = pool.take();
      // An empty pool asks for a ticket that cannot validate, so exhaustion shows as a failure, never as reuse.
      return { ...req, path: `/ISteamUserAuth/AuthenticateUserTicket/v1/?${query}${ticket ?? "00"}` };
    },
    onResponse: (status, body) => {
      if (status === 200 && !body.includes('"result":"OK"')) refused++;
    },
  };
  const mint = async (count: number): Promise<void> => {
    if (count > 0) await runLoad({ url, connections, durationSec: 600, amount: count, request: issue });
  };
  await mint(Math.ceil(issued.reqPerSec * warmupSec * 1.5) + connections - pool.remaining);
  await runLoad({ url, connections, durationSec: warmupSec, request: validate, amount: pool.remaining });
  refused = 0;
  await mint(Math.ceil(issued.reqPerSec * 1.5 * durationSec) + connections - pool.remaining);
  const need = pool.remaining;
  const stats: LoadStats = await runLoad({ url, connections, durationSec, request: validate, amount: need });
  const result = toScenario(
    server,
    "ticket-validate",
    "ticket validate (Steam-shaped, uses it up)",
    { ...stats, non2xx: stats.non2xx + refused },
    `pool of ${need} fresh tickets`,
  );
  results.push(refused > 0 ? { ...result, note: `${result.note ?? ""}; ${refused} answers were not OK` } : result);
  return results;
}
