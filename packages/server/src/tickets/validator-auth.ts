/** Who is validating: a player's access token, else a game server's token; both 401 alike when neither. */
import type { Core } from "../core.js";
import { ApiError, GrpcCode } from "../shared/api-error.js";
import { authenticateAccessToken } from "../session/verify-access.js";
import { authenticateGameServerToken } from "./game-servers.js";
import type { Validator } from "./validator.js";

export async function authenticateValidator(core: Pick<Core, "clock" | "keys" | "sessionCache" | "store" | "tickets">, token: string): Promise<Validator> {
  try {
    const player = await authenticateAccessToken(core, token);
    return { kind: "player", sessionId: player.sessionId, identity: player.userId };
  } catch (err) {
    if (!(err instanceof ApiError && err.code === GrpcCode.UNAUTHENTICATED)) throw err;
  }
  return authenticateGameServerToken(core, token);
}
