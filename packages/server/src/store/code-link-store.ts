/**
 * Storage of Code-Link sign-in codes (docs/code-link.md): the part of the Store that
 * `auth/code-link.ts` uses (`Store.codeLinks`). One implementation in portable SQL
 * (`sql-code-link-store.ts`) runs on both backends. Times are unix milliseconds.
 */

export interface CodeLinkRow {
  /** The code-link session id the waiting device signs in with (a UUID). */
  id: string;
  /** The sign-in code, normalised: 8 upper-case consonants, no dash. */
  code: string;
  /** Lower-case hex SHA-256 of the waiting device's code verifier. */
  challenge: string;
  /** What the waiting device calls itself; "" when it gave nothing. */
  identifier: string;
  createTime: number;
  expireTime: number;
  /** Seconds the device must leave between polls; grows by 5 at each `slow_down`. */
  intervalSec: number;
  lastPollTime: number | null;
  /** The signed-in player who confirmed the code. */
  confirmedAccountId: string | null;
  confirmTime: number | null;
  /** When a sign-in used the code up. */
  consumedTime: number | null;
}

export type NewCodeLink = Pick<CodeLinkRow, "id" | "code" | "challenge" | "identifier" | "createTime" | "expireTime" | "intervalSec">;

/** What a confirmation did: bound the code to the account, or why not. */
export type CodeLinkConfirmation = { result: "confirmed"; row: CodeLinkRow } | { result: "unknown" } | { result: "already_confirmed"; row: CodeLinkRow };

export interface CodeLinkStore {
  /** Writes a new code; false (nothing written) when its code or id is already held by another row. */
  createCodeLink(row: NewCodeLink): Promise<boolean>;
  /** The code's row while it can still be confirmed or used: not expired at `now`, not used up. */
  findLiveCodeLink(code: string, now: number): Promise<CodeLinkRow | undefined>;
  /** A row by its session id, whatever its state. */
  getCodeLink(id: string): Promise<CodeLinkRow | undefined>;
  /**
   * Binds a live, unconfirmed code to `accountId` in one conditional UPDATE: of two confirmations
   * racing, one wins and the other sees `already_confirmed`.
   */
  confirmCodeLink(code: string, accountId: string, now: number): Promise<CodeLinkConfirmation>;
  /** Records a poll of a code not yet used up at `now`, with the interval from now on. */
  recordCodeLinkPoll(id: string, now: number, intervalSec: number): Promise<void>;
  /**
   * Uses a confirmed, live code up in one conditional UPDATE: of any number of concurrent sign-ins
   * exactly one gets the row; the others (and every later one) get undefined.
   */
  consumeCodeLink(id: string, now: number): Promise<CodeLinkRow | undefined>;
  /** Deletes rows that expired before `before`; returns how many. */
  purgeCodeLinks(before: number): Promise<number>;
}
