/**
 * Wraps a route's domain call in its runtime hooks: build the Nakama-shaped request from the HTTP
 * input, let a before hook replace or refuse it, make the domain call, then give the answer to an
 * after hook. Routes declare the parts; domain modules never learn that hooks exist. Without a
 * registered hook the wrapper costs two Map lookups.
 */
import type { Body, RequestContext } from "../http/route.js";
import type { Caller } from "../session/verify-access.js";
import { issuedSession } from "./hook-payloads.js";
import { runAfterHook, runBeforeHook } from "./hook-runner.js";
import { hookContext, type SessionUser } from "./runtime-context.js";
import type { HookName } from "./runtime-types.js";

/** `B`: the route's checked body, as its schema types it. */
export interface HookedCall<C extends Caller | undefined, Req, Result, B extends Body = Body> {
  /** Nakama's name of the call (`registerBefore<name>` / `registerAfter<name>`). */
  readonly name: HookName;
  /** The Nakama-shaped request, from the HTTP input (`undefined` for calls without input). */
  request(ctx: RequestContext<C, B>): Req;
  /** Checks a before hook's replacement request. Absent: the call has no input; a before hook's return value is ignored. */
  readonly check?: (value: unknown) => Req;
  /** The domain call. */
  call(ctx: RequestContext<C, B>, request: Req): Promise<Result>;
  /** The HTTP answer; absent: `{}`. */
  readonly reply?: (result: Result) => unknown;
  /** What an after hook receives as `data` (Nakama's names); absent: `undefined`. */
  readonly data?: (result: Result) => unknown;
  /** For calls that issue tokens (sign-in, refresh): the new access token, whose session an after hook sees in `ctx`. */
  readonly issued?: (result: Result) => string;
}

/** The route handler running `call` between its hooks. */
export function withHooks<C extends Caller | undefined, Req, Result, B extends Body = Body>(
  call: HookedCall<C, Req, Result, B>,
): (ctx: RequestContext<C, B>) => Promise<unknown> {
  return async (ctx) => {
    const hooks = ctx.core.hooks;
    const before = hooks.before.get(call.name);
    const after = hooks.after.get(call.name);
    let request = call.request(ctx);
    const timeoutMs = ctx.core.config.runtime.hookTimeoutMs;
    if (before !== undefined) {
      const context = hookContext("before", ctx.client, ctx.req, callerSession(ctx.caller));
      request = await runBeforeHook(ctx.core.logger, before, context, request, call.check, timeoutMs);
    }
    const result = await call.call(ctx, request);
    const reply = call.reply === undefined ? {} : call.reply(result);
    if (after !== undefined) {
      const user = call.issued === undefined ? callerSession(ctx.caller) : issuedSession(call.issued(result));
      const context = hookContext("after", ctx.client, ctx.req, user);
      await runAfterHook(ctx.core.logger, after, context, call.data?.(result), request, timeoutMs);
    }
    return reply;
  };
}

function callerSession(caller: Caller | undefined): SessionUser | undefined {
  return caller === undefined
    ? undefined
    : { userId: caller.userId, username: caller.username, vars: caller.vars, exp: caller.expiresAtSec, sessionId: caller.sessionId };
}
