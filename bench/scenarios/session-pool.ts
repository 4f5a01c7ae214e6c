/**
 * Fresh Tessera sessions for the scenarios that consume one per request (refresh rotates the
 * refresh token, logout revokes the session). Each session is handed out once; an empty pool
 * answers undefined and the scenario reports it instead of reusing a token.
 */
import { runLoad } from "../load.js";

export interface SessionTokens {
  token: string;
  refresh_token: string;
}

export class SessionPool {
  private readonly items: SessionTokens[] = [];
  private next = 0;

  get remaining(): number {
    return this.items.length - this.next;
  }

  /** Adds a sign-in answer body (as received); bodies that are not a session are ignored. */
  addBody(body: string): void {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === "object" && parsed !== null) {
        const { token, refresh_token } = parsed as Record<string, unknown>;
        if (typeof token === "string" && typeof refresh_token === "string") this.items.push({ token, refresh_token });
      }
    } catch {
      // Not JSON: a failed sign-in, already counted as non-2xx by the run that made it.
    }
  }

  take(): SessionTokens | undefined {
    if (this.next >= this.items.length) return undefined;
    const item = this.items[this.next]!;
    // Drop the reference: a handed-out session is never handed out again.
    this.items[this.next++] = { token: "", refresh_token: "" };
    return item;
  }
}

export function basicAuth(serverKey: string): string {
  return "Basic " + Buffer.from(serverKey + ":").toString("base64");
}

/**
 * Signs in `count` times with existing device ids (round-robin), each sign-in a new session, and
 * adds the sessions to the pool. Uses autocannon so minting is as fast as the server allows.
 */
export async function mintSessions(
  pool: SessionPool,
  options: { url: string; serverKey: string; deviceIds: string[]; count: number; connections: number },
): Promise<void> {
  if (options.count <= 0) return;
  let i = 0;
  const stats = await runLoad({
    url: options.url,
    connections: options.connections,
    durationSec: 600,
    amount: options.count,
    request: {
      method: "POST",
      path: "/v2/account/authenticate/device?create=false",
      headers: { authorization: basicAuth(options.serverKey), "content-type": "application/json" },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ id: options.deviceIds[i++ % options.deviceIds.length] }) }),
      onResponse: (status, body) => {
        if (status === 200) pool.addBody(body);
      },
    },
  });
  if (stats.errors > 0 || stats.non2xx > 0)
    throw new Error(`minting sessions failed: ${stats.errors} errors, status codes ${JSON.stringify(stats.statusCodes)}`);
}
