/**
 * The hooks registered by runtime modules, looked up by name on every hooked call. With no
 * modules both maps are empty: a call pays two Map lookups and nothing else.
 */
import type { HookName, Logger, Nakama } from "./runtime-types.js";

/** Every hook name, in the order docs/runtime.md lists them. */
export const HOOK_NAMES = [
  "AuthenticateDevice",
  "AuthenticateEmail",
  "AuthenticateCustom",
  "AuthenticateSteam",
  "AuthenticateApple",
  "AuthenticateGoogle",
  "AuthenticateFacebook",
  "AuthenticateFacebookInstantGame",
  "AuthenticateGameCenter",
  "AuthenticateOidc",
  "AuthenticateAnonymous",
  "SessionRefresh",
  "SessionLogout",
  "GetAccount",
  "UpdateAccount",
  "DeleteAccount",
  "LinkDevice",
  "LinkEmail",
  "LinkCustom",
  "LinkSteam",
  "LinkApple",
  "LinkGoogle",
  "LinkFacebook",
  "LinkFacebookInstantGame",
  "LinkGameCenter",
  "LinkOidc",
  "UnlinkDevice",
  "UnlinkEmail",
  "UnlinkCustom",
  "UnlinkSteam",
  "UnlinkApple",
  "UnlinkGoogle",
  "UnlinkFacebook",
  "UnlinkFacebookInstantGame",
  "UnlinkGameCenter",
  "UnlinkOidc",
  "GenerateSignInCode",
  "GetSignInCodeInfo",
  "ConfirmSignInCode",
  "SignInWithCode",
  "ListSessions",
  "DeleteSession",
] as const satisfies readonly HookName[];

// Compile-time check that the list above names every hook of `HookTypes`.
type Unlisted = Exclude<HookName, (typeof HOOK_NAMES)[number]>;
export const ALL_HOOKS_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;

export type HookMode = "before" | "after";

export interface RegisteredHook {
  readonly name: HookName;
  readonly mode: HookMode;
  readonly fn: (...args: unknown[]) => unknown;
  /** Absolute path of the module that registered it. */
  readonly file: string;
  /** The module's logger, passed to the hook. */
  readonly logger: Logger;
  readonly nk: Nakama;
}

export class HookRegistry {
  readonly before = new Map<HookName, RegisteredHook>();
  readonly after = new Map<HookName, RegisteredHook>();
  /** Loaded module files, in load order. */
  readonly modules: string[] = [];
}
