/**
 * The one Steam Web API call Tessera makes, behind a one-method interface:
 * `GET <api_url>/ISteamUserAuth/AuthenticateUserTicket/v1/?key=&appid=&ticket=[&identity=]`.
 * Every byte of Steam's answer is checked before it is believed. A ticket Steam refuses is a
 * verdict (`valid: false`); a Steam that cannot give a verdict (unreachable, too slow, refusing the
 * publisher key, an HTTP error, an answer of the wrong shape) is a `SteamUnavailableError`, so the
 * caller can tell "this player is not who they claim" from "ask again later".
 */

/** Steam's verdict on a ticket. Field meanings: docs/steam.md. */
export type SteamTicketVerdict =
  | {
      valid: true;
      /** The player's SteamID64 (decimal). */
      steamId: string;
      /** The game owner's SteamID64; differs from `steamId` when the game is borrowed (family sharing). */
      ownerSteamId: string;
      /** A VAC ban in this game. */
      vacBanned: boolean;
      /** A ban the publisher issued through the Web API. */
      publisherBanned: boolean;
    }
  | {
      valid: false;
      /** What Steam said, for the log (`errorcode 101: Invalid ticket`, `result "Failed"`, `HTTP 400`). */
      reason: string;
    };

export interface SteamWebApi {
  /**
   * Asks Steam whether `ticket` (hex) was issued to a signed-in Steam user for the configured app.
   * Rejects with `SteamUnavailableError` when Steam gives no usable verdict.
   *
   * @example
   * const verdict = await steam.authenticateUserTicket("14000000...");
   * if (verdict.valid) console.log(verdict.steamId);
   */
  authenticateUserTicket(ticket: string): Promise<SteamTicketVerdict>;
}

/** Why Steam gave no verdict; stable codes to branch on. */
export type SteamUnavailableCode =
  | "ERR_STEAM_UNREACHABLE"
  | "ERR_STEAM_TIMEOUT"
  | "ERR_STEAM_KEY_REFUSED"
  | "ERR_STEAM_HTTP_STATUS"
  | "ERR_STEAM_MALFORMED_ANSWER";

export class SteamUnavailableError extends Error {
  /**
   * @param code why Steam gave no verdict
   * @param reason a short phrase for players and logs ("no answer within 5000 ms"); never contains the publisher key
   */
  constructor(
    readonly code: SteamUnavailableCode,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Steam Web API unavailable: ${reason}`, options);
    this.name = "SteamUnavailableError";
  }
}

export interface SteamWebApiOptions {
  /** Base URL without a trailing slash (`https://partner.steam-api.com`). */
  apiUrl: string;
  publisherKey: string;
  appId: number;
  timeoutMs: number;
  /** Sent as `identity` when set (tickets from GetAuthTicketForWebApi). */
  identity?: string | undefined;
  /** A `fetch` implementation (default: the global one). */
  fetch?: typeof fetch;
}

/** Steam's answers are a few hundred bytes; anything far larger is not an answer. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** SteamID64 is an unsigned 64-bit integer, written in decimal without leading zeros. */
const UINT64_DECIMAL = /^[1-9][0-9]{0,19}$/;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The real Steam Web API over `fetch`, with a time-out on the whole exchange (connect, headers, body).
 *
 * @example
 * const steam = steamWebApi({ apiUrl: "https://partner.steam-api.com", publisherKey, appId: 480, timeoutMs: 5000 });
 */
export function steamWebApi(options: SteamWebApiOptions): SteamWebApi {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const endpoint = `${options.apiUrl}/ISteamUserAuth/AuthenticateUserTicket/v1/`;
  return {
    async authenticateUserTicket(ticket: string): Promise<SteamTicketVerdict> {
      const url = new URL(endpoint);
      url.searchParams.set("key", options.publisherKey);
      url.searchParams.set("appid", String(options.appId));
      url.searchParams.set("ticket", ticket);
      if (options.identity !== undefined) url.searchParams.set("identity", options.identity);
      const signal = AbortSignal.timeout(options.timeoutMs);

      let res: Response;
      let text: string;
      try {
        res = await fetchImpl(url, { headers: { Accept: "application/json" }, signal });
        text = await readCapped(res, MAX_ANSWER_BYTES);
      } catch (err) {
        throw transportError(err, options.timeoutMs);
      }

      // 400 is Steam refusing the request it was given (the ticket): a verdict, not an outage.
      if (res.status === 400) return { valid: false, reason: "HTTP 400" };
      if (res.status === 401 || res.status === 403) {
        throw new SteamUnavailableError("ERR_STEAM_KEY_REFUSED", `the publisher key was refused (HTTP ${res.status})`);
      }
      if (res.status !== 200) throw new SteamUnavailableError("ERR_STEAM_HTTP_STATUS", `HTTP ${res.status}`);
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        throw malformed("the answer is not JSON");
      }
      return readVerdict(answer);
    },
  };
}

/** Reads `{"response":{"params":{…}}}` or `{"response":{"error":{…}}}`, checking every field used. */
function readVerdict(answer: unknown): SteamTicketVerdict {
  const response = objectAt(answer, "response", "");
  if (response["error"] !== undefined) {
    const error = objectAt(response, "error", "response.");
    const code = error["errorcode"];
    const desc = error["errordesc"];
    if (!Number.isSafeInteger(code)) throw malformed("response.error.errorcode is not a whole number");
    if (desc !== undefined && typeof desc !== "string") throw malformed("response.error.errordesc is not a string");
    return { valid: false, reason: `errorcode ${code as number}${desc ? `: ${desc}` : ""}` };
  }
  const params = objectAt(response, "params", "response.");
  const result = params["result"];
  if (typeof result !== "string") throw malformed("response.params.result is not a string");
  if (result !== "OK") return { valid: false, reason: `result ${JSON.stringify(result)}` };
  return {
    valid: true,
    steamId: steamIdAt(params, "steamid"),
    ownerSteamId: steamIdAt(params, "ownersteamid"),
    vacBanned: booleanAt(params, "vacbanned"),
    publisherBanned: booleanAt(params, "publisherbanned"),
  };
}

function objectAt(value: unknown, key: string, path: string): Record<string, unknown> {
  const v = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw malformed(`${path}${key} is missing or not an object`);
  return v as Record<string, unknown>;
}

function steamIdAt(params: Record<string, unknown>, key: string): string {
  const v = params[key];
  if (typeof v !== "string" || !UINT64_DECIMAL.test(v) || BigInt(v) > UINT64_MAX) {
    throw malformed(`response.params.${key} is not a SteamID64 (a decimal unsigned 64-bit number)`);
  }
  return v;
}

function booleanAt(params: Record<string, unknown>, key: string): boolean {
  const v = params[key];
  if (typeof v !== "boolean") throw malformed(`response.params.${key} is not true or false`);
  return v;
}

function malformed(detail: string): SteamUnavailableError {
  return new SteamUnavailableError("ERR_STEAM_MALFORMED_ANSWER", `malformed answer: ${detail}`);
}

/** The body as text, refusing more than `limit` bytes. */
async function readCapped(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw malformed(`the answer is larger than ${limit} bytes`);
  }
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw malformed(`the answer is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A failed exchange as SteamUnavailableError: the time-out, or the network error's code (never the URL, which holds the key). */
function transportError(err: unknown, timeoutMs: number): SteamUnavailableError {
  if (err instanceof SteamUnavailableError) return err;
  const name = (err as { name?: unknown })?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new SteamUnavailableError("ERR_STEAM_TIMEOUT", `no answer within ${timeoutMs} ms`, { cause: err });
  }
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const detail = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "the connection failed";
  return new SteamUnavailableError("ERR_STEAM_UNREACHABLE", `cannot connect (${detail})`, { cause: err });
}
