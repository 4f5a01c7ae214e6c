/**
 * A local stand-in for Steam's Web API (node:http on an ephemeral port) speaking the documented
 * `ISteamUserAuth/AuthenticateUserTicket/v1` format: tickets it issued answer
 * `{"response":{"params":{result, steamid, ownersteamid, vacbanned, publisherbanned}}}`, unknown ones
 * `{"response":{"error":{"errorcode":101,"errordesc":"Invalid ticket"}}}`, a wrong publisher key or
 * app id an HTML 403, a missing parameter an HTML 400. `failWith` makes it misbehave the way a real
 * service can (5xx, no answer, malformed JSON, answers of the wrong shape). Every request is recorded.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const FAKE_STEAM_KEY = "FAKE0123456789ABCDEF0123456789AB";
export const FAKE_STEAM_APP_ID = 480;
const PATH = "/ISteamUserAuth/AuthenticateUserTicket/v1/";

/** What Steam says about a ticket's player. */
export interface FakeSteamPlayer {
  steamId: string;
  /** Default: `steamId` (the player owns the game). */
  ownerSteamId?: string;
  vacBanned?: boolean;
  publisherBanned?: boolean;
  /** `params.result`; default "OK". */
  result?: string;
}

/** How the fake misbehaves for the next requests (until `failWith(undefined)`). */
export type FakeSteamFailure = { kind: "status"; status: number } | { kind: "hang" } | { kind: "malformed_json" } | { kind: "json"; body: unknown };

export interface FakeSteamRequest {
  path: string;
  /** The query parameters as received. */
  query: Record<string, string>;
}

export interface FakeSteam {
  readonly url: string;
  readonly requests: FakeSteamRequest[];
  /**
   * A fresh hex ticket for `player` (valid until the fake closes). The facts given with a Steam id's
   * first ticket stay until `update` changes them.
   */
  ticketFor(player: FakeSteamPlayer): string;
  /** Changes what Steam says about a player from now on (its tickets answer with the new facts). */
  update(steamId: string, change: Omit<FakeSteamPlayer, "steamId">): void;
  failWith(failure: FakeSteamFailure | undefined): void;
  /** The server settings that point Tessera at this fake. */
  settings(): Record<string, string | number>;
  close(): Promise<void>;
}

/** A fresh random SteamID64 in the individual-account range (7656119…). */
export function steamId(): string {
  return (76561197960265728n + BigInt(randomBytes(4).readUInt32BE())).toString();
}

export async function startFakeSteam(): Promise<FakeSteam> {
  const tickets = new Map<string, string>();
  const players = new Map<string, FakeSteamPlayer>();
  const requests: FakeSteamRequest[] = [];
  let failure: FakeSteamFailure | undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://fake-steam");
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
    if (failure?.kind === "hang") return; // never answers; the client's time-out must end it
    if (failure?.kind === "status") return html(res, failure.status, `<html><body><h1>${failure.status}</h1></body></html>`);
    if (failure?.kind === "malformed_json") return text(res, 200, "application/json", '{"response":{"params":{"result":"OK",');
    if (failure?.kind === "json") return text(res, 200, "application/json", JSON.stringify(failure.body));

    if (url.pathname !== PATH) return html(res, 404, "<html><body><h1>Not Found</h1></body></html>");
    for (const name of ["key", "appid", "ticket"]) {
      if (!url.searchParams.get(name)) {
        return html(res, 400, `<html><head><title>Bad Request</title></head><body><h1>Bad Request</h1>Required parameter '${name}' is missing</body></html>`);
      }
    }
    if (url.searchParams.get("key") !== FAKE_STEAM_KEY || url.searchParams.get("appid") !== String(FAKE_STEAM_APP_ID)) {
      return html(
        res,
        403,
        "<html><head><title>Forbidden</title></head><body><h1>Forbidden</h1>Access is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.</body></html>",
      );
    }
    const owner = tickets.get(url.searchParams.get("ticket")!.toLowerCase());
    const player = owner === undefined ? undefined : players.get(owner);
    if (player === undefined) return json(res, { response: { error: { errorcode: 101, errordesc: "Invalid ticket" } } });
    json(res, {
      response: {
        params: {
          result: player.result ?? "OK",
          steamid: player.steamId,
          ownersteamid: player.ownerSteamId ?? player.steamId,
          vacbanned: player.vacBanned ?? false,
          publisherbanned: player.publisherBanned ?? false,
        },
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    ticketFor(player) {
      const ticket = randomBytes(120).toString("hex");
      tickets.set(ticket, player.steamId);
      if (!players.has(player.steamId)) players.set(player.steamId, { ...player });
      return ticket;
    },
    update(id, change) {
      const player = players.get(id);
      if (player === undefined) throw new Error(`fake Steam: no player ${id}`);
      players.set(id, { ...player, ...change });
    },
    failWith(f) {
      failure = f;
    },
    settings: () => ({ "social.steam.publisher_key": FAKE_STEAM_KEY, "social.steam.app_id": FAKE_STEAM_APP_ID, "social.steam.api_url": url }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function text(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

const html = (res: ServerResponse, status: number, body: string): void => text(res, status, "text/html; charset=UTF-8", body);
const json = (res: ServerResponse, body: unknown): void => text(res, 200, "application/json; charset=UTF-8", JSON.stringify(body));
