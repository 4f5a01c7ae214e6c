/**
 * What a validator receives about one of its auth sessions, over its socket (notification code
 * -102) and from the pull API: the validation result first (`seq` 1), then every later change.
 */
import type { AuthSessionResponse } from "./responses.js";

export interface AuthSessionEvent {
  /** Acknowledge this id to the pull API once handled. */
  id: string;
  auth_session_id: string;
  /** 1 for the validation result, then 2, 3 … for later changes. */
  seq: number;
  /** The player the ticket proves (Steam's steamID). */
  user_id: string;
  /** Who owns the app: the player, or the lender of a borrowed license (Steam's ownerSteamID). */
  owner_id: string;
  is_borrowed: boolean;
  response: AuthSessionResponse;
  response_name: string;
  /** True when this response ended the auth session (every response but OK does). */
  ended: boolean;
  create_time: string;
}
