/**
 * The `initializer` a module's InitModule receives: `registerBefore<Hook>` and
 * `registerAfter<Hook>` for every hook, with Nakama's names. It works only while InitModule runs,
 * so the set of hooks is fixed once the server listens.
 */
import { basename } from "node:path";
import type { Logger as ServerLogger } from "../shared/logger.js";
import { HOOK_NAMES, type HookMode, type HookRegistry } from "./hook-registry.js";
import type { HookName, Initializer, Logger, Nakama } from "./runtime-types.js";

export interface ModuleInitializer {
  readonly api: Initializer;
  /** Ends registration (InitModule returned). */
  close(): void;
}

export function createInitializer(registry: HookRegistry, serverLogger: ServerLogger, file: string, logger: Logger, nk: Nakama): ModuleInitializer {
  let open = true;
  const api: Record<string, (fn: unknown) => void> = {};
  const register = (mode: HookMode, name: HookName) => {
    const method = `register${mode === "before" ? "Before" : "After"}${name}`;
    api[method] = (fn: unknown) => {
      if (!open) throw new Error(`initializer.${method}: hooks can only be registered while InitModule runs`);
      if (typeof fn !== "function") throw new TypeError(`initializer.${method}: expects a function`);
      const hooks = mode === "before" ? registry.before : registry.after;
      const previous = hooks.get(name);
      if (previous !== undefined) {
        serverLogger.warn(`runtime: ${method} called again; the hook from ${basename(file)} replaces the one from ${basename(previous.file)}`);
      }
      hooks.set(name, Object.freeze({ name, mode, fn: fn as (...args: unknown[]) => unknown, file, logger, nk }));
    };
  };
  for (const name of HOOK_NAMES) {
    register("before", name);
    register("after", name);
  }
  return {
    api: Object.freeze(api) as unknown as Initializer,
    close: () => {
      open = false;
    },
  };
}
