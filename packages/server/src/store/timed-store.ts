/**
 * A Store that times every method call of the store it wraps (and of its TicketStore, AdminStore
 * and CodeLinkStore) and reports
 * it, so store latency is measured in one place instead of in each backend's methods. The
 * operation name is the method name (`getSession`, `tickets.claimTicket`); errors pass through.
 */
import { StoreUnavailableError, type Store } from "./store.js";

/** Returns the recorder of one operation; called once per operation, on its first call. */
export type OperationRecorders = (operation: string) => (seconds: number, unavailable: boolean) => void;

/** `store` with every method timed; its parts too, as `tickets.<method>`, `admin.<method>`, `codeLinks.<method>`. */
export function timedStore(store: Store, recorders: OperationRecorders): Store {
  const timed = timeMethods(store, "", recorders);
  // The wrapper has every method of the Store (and of its parts) it was built from.
  return Object.assign(timed, {
    tickets: timeMethods(store.tickets, "tickets.", recorders),
    admin: timeMethods(store.admin, "admin.", recorders),
    codeLinks: timeMethods(store.codeLinks, "codeLinks.", recorders),
  }) as unknown as Store;
}

/**
 * A plain object with one timed function for each method of `target` (its own functions and those
 * of its prototype chain), each calling the original with `target` as `this`.
 */
function timeMethods<T extends object>(target: T, prefix: string, recorders: OperationRecorders): Record<string, unknown> {
  const wrapped: Record<string, unknown> = {};
  for (const name of methodNames(target)) {
    const fn = (target as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
    let record: ReturnType<OperationRecorders> | undefined;
    const done = (started: number, err?: unknown): void => {
      record ??= recorders(prefix + name);
      record((performance.now() - started) / 1000, err instanceof StoreUnavailableError);
    };
    // Every Store method is async, so the timed one is too.
    wrapped[name] = async (...args: unknown[]): Promise<unknown> => {
      const started = performance.now();
      try {
        const value: unknown = await fn.apply(target, args);
        done(started);
        return value;
      } catch (err) {
        done(started, err);
        throw err;
      }
    };
  }
  return wrapped;
}

function methodNames(target: object): Set<string> {
  const names = new Set<string>();
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      // Read descriptors, not values: a getter must not run here.
      if (name !== "constructor" && typeof Object.getOwnPropertyDescriptor(o, name)?.value === "function") names.add(name);
    }
  }
  return names;
}
