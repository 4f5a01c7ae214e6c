/**
 * The one event emitter of the SDK's classes (`AuthenticationService`, `AuthTickets`,
 * `AuthenticationSession`): typed events, listeners called in the order they were added, and a
 * listener that throws is logged and never stops the others or the caller's state machine.
 */

/** An event map: event name → listener signature. */
export type EventMap<E> = { [K in keyof E]: (...args: never[]) => void };

export class Emitter<E extends EventMap<E>> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>();

  /** `owner` names the class in the log line of a listener that threw. */
  constructor(private readonly owner: string) {}

  on<K extends keyof E>(event: K, listener: E[K]): void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
  }

  off<K extends keyof E>(event: K, listener: E[K]): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** How many listeners `event` has. */
  count(event: keyof E): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Removes every listener of `event` (for events that fire once). */
  clear(event: keyof E): void {
    this.listeners.delete(event);
  }

  /** Calls the listeners of `event` as they were when it fired (one added meanwhile waits for the next). */
  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) this.callOne(event, listener, ...args);
  }

  /** Calls one listener as `emit` would (for a listener that comes after a one-time event fired). */
  callOne<K extends keyof E>(event: K, listener: E[K], ...args: Parameters<E[K]>): void {
    try {
      (listener as (...a: Parameters<E[K]>) => void)(...args);
    } catch (err) {
      // A listener's bug must not break the state machine that fired the event.
      console.error(`${this.owner}: a "${String(event)}" listener threw`, err);
    }
  }
}
