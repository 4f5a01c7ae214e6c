/**
 * `AuthTicket`: a ticket the player got for a validator (Steam's GetAuthSessionTicket result, and
 * Heathen's AuthenticationTicket): the bytes to send, their hex, the handle, the times, `cancel()`.
 */
import type { TicketJson } from "../client.js";
import { observed } from "../errors.js";
import { fromHex } from "./hex.js";

/**
 * Made by `AuthTickets.getAuthSessionTicket`.
 *
 * @example
 * const ticket = await mine.getAuthSessionTicket({ identity: "eu-west-1" });
 * socket.send(JSON.stringify({ ticket: ticket.hex }));   // to the game server, which begins an auth session
 * await ticket.cancel();                                 // when leaving: the server gets AuthTicketCanceled
 */
export class AuthTicket {
  /** Steam's HAuthTicket: non-zero, unique among the player's tickets. */
  readonly handle: number;
  /** The ticket bytes. */
  readonly data: Uint8Array;
  /** The ticket bytes as lower-case hex, the form validators send to the server. */
  readonly hex: string;
  /** The only validator identity that may use it ("" for any). */
  readonly identity: string;
  /** When the server issued it, and until when a validator can begin an auth session with it (server clock). */
  readonly createdOn: Date;
  readonly expiresOn: Date;
  private canceled = false;
  private canceling: Promise<void> | null = null;

  /** Use `AuthTickets.getAuthSessionTicket`; `cancelOnServer` cancels it on the server (404 counts as done). */
  constructor(
    json: TicketJson,
    private readonly cancelOnServer: (ticket: AuthTicket) => Promise<void>,
  ) {
    this.handle = json.handle;
    this.hex = json.ticket.toLowerCase();
    this.data = fromHex(this.hex);
    this.identity = json.identity;
    this.createdOn = new Date(json.create_time);
    this.expiresOn = new Date(json.expire_time);
  }

  /** True once `cancel()` succeeded. */
  get isCanceled(): boolean {
    return this.canceled;
  }

  /**
   * Cancels the ticket (Steam's CancelAuthTicket): a validator that began an auth session with it
   * receives AuthTicketCanceled (6), which ends that auth session. Cancelling twice, or a ticket
   * the server no longer knows, is not an error. Safe to call without `await`; await it to learn
   * whether the server confirmed.
   *
   * @example
   * await ticket.cancel();
   */
  cancel(): Promise<void> {
    if (this.canceled) return Promise.resolve();
    this.canceling ??= this.cancelOnServer(this)
      .then(() => {
        this.canceled = true;
      })
      .finally(() => {
        this.canceling = null;
      });
    return observed(this.canceling);
  }
}
