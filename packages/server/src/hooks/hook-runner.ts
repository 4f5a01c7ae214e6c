/**
 * Running one hook with Nakama's conventions and a time limit. A before hook's result replaces the
 * request (`null`/`undefined`: 404 "Requested resource was not found."); a thrown `{code, message}`
 * with a gRPC code refuses the call with it; any other throw, a result of the wrong shape, or no
 * answer within `runtime.hook_timeout_ms` fails that one call with an error naming the hook, and is
 * logged. After hooks only log their failures. A hook that never settles is abandoned, not stopped:
 * JavaScript cannot cancel a promise, so the time limit bounds the request, not the hook's work.
 */
import { inspect } from "node:util";
import { ApiError, GrpcCode, Messages } from "../shared/api-error.js";
import type { Logger } from "../shared/logger.js";
import { StoreUnavailableError } from "../store/store.js";
import type { RegisteredHook } from "./hook-registry.js";
import { PayloadError } from "./hook-payloads.js";
import type { Context } from "./runtime-types.js";

class HookTimeout extends Error {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** Calls the hook and waits for it to settle, up to `timeoutMs`. */
function invoke(hook: RegisteredHook, args: unknown[], timeoutMs: number): Promise<unknown> {
  let value: unknown;
  try {
    value = hook.fn(...args);
  } catch (err) {
    return Promise.reject(err);
  }
  if (!isThenable(value)) return Promise.resolve(value);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new HookTimeout()), timeoutMs);
    Promise.resolve(value).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

const label = (hook: RegisteredHook): string => `${hook.mode} ${hook.name}`;

/** A thrown `{code, message}` (an Error or a plain object) whose code is a gRPC error code (1-16). */
function runtimeErrorCode(err: unknown): GrpcCode | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "number" && Number.isInteger(code) && code >= 1 && code <= 16 ? (code as GrpcCode) : undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : inspect(err, { depth: 3 });
}

/** What a hook's throw or timeout means for the call. */
function failure(logger: Logger, hook: RegisteredHook, err: unknown, timeoutMs: number): ApiError | StoreUnavailableError {
  if (err instanceof ApiError) return err; // From an nk function the hook called: keep its code.
  if (err instanceof StoreUnavailableError) return err; // The database is down, not the hook: 503 as for any call.
  if (err instanceof HookTimeout) {
    logger.error(`runtime hook ${label(hook)} did not settle within ${timeoutMs} ms; the request failed`, { module: hook.file });
    return new ApiError(GrpcCode.DEADLINE_EXCEEDED, `Runtime hook ${label(hook)} timed out after ${timeoutMs} ms.`);
  }
  const code = runtimeErrorCode(err);
  if (code !== undefined) {
    const message = (err as { message?: unknown }).message;
    return new ApiError(code, typeof message === "string" && message !== "" ? message : `Refused by runtime hook ${label(hook)}.`);
  }
  logger.error(`runtime hook ${label(hook)} threw`, { module: hook.file, error: describe(err) });
  return new ApiError(GrpcCode.INTERNAL, `Runtime hook ${label(hook)} failed; see the server log.`);
}

/**
 * Runs a before hook. With `check` (the call has input), returns the checked replacement request;
 * without it, the hook's return value is ignored (Nakama's rule for calls without input).
 */
export async function runBeforeHook<Req>(
  logger: Logger,
  hook: RegisteredHook,
  ctx: Context,
  request: Req,
  check: ((value: unknown) => Req) | undefined,
  timeoutMs: number,
): Promise<Req> {
  let result: unknown;
  try {
    result = await invoke(hook, check === undefined ? [ctx, hook.logger, hook.nk] : [ctx, hook.logger, hook.nk, request], timeoutMs);
  } catch (err) {
    throw failure(logger, hook, err, timeoutMs);
  }
  if (check === undefined) return request;
  if (result === null || result === undefined) {
    logger.info(`runtime hook ${label(hook)} refused the request (returned ${String(result)})`, { module: hook.file });
    throw new ApiError(GrpcCode.NOT_FOUND, Messages.resourceNotFound);
  }
  try {
    return check(result);
  } catch (err) {
    if (!(err instanceof PayloadError)) throw err; // Vars limits: the same 400 a client gets.
    logger.error(`runtime hook ${label(hook)} returned an invalid request: ${err.message}`, { module: hook.file });
    throw new ApiError(GrpcCode.INTERNAL, `Runtime hook ${label(hook)} returned an invalid request: ${err.message}.`);
  }
}

/** Runs an after hook; it cannot change the answer, so every failure is only logged. */
export async function runAfterHook(logger: Logger, hook: RegisteredHook, ctx: Context, data: unknown, request: unknown, timeoutMs: number): Promise<void> {
  try {
    await invoke(hook, [ctx, hook.logger, hook.nk, data, request], timeoutMs);
  } catch (err) {
    if (err instanceof HookTimeout) {
      logger.error(`runtime hook ${label(hook)} did not settle within ${timeoutMs} ms; the answer was sent without waiting further`, { module: hook.file });
    } else {
      logger.error(`runtime hook ${label(hook)} threw; the answer is unaffected`, { module: hook.file, error: describe(err) });
    }
  }
}
