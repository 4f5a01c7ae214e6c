/** What every page gets from the shell (main.ts), and the one way pages run an action. */
import { ApiError, type ConsoleApi, type ConsoleUser } from "./api.js";

export interface PageContext {
  api: ConsoleApi;
  main: HTMLElement;
  /** The route's path after `#/`, split: `accounts/<id>` → ["accounts", "<id>"]. */
  path: string[];
  params: URLSearchParams;
  user: ConsoleUser;
  isAdmin: boolean;
  /** Navigates to a route (`#/accounts?q=x`). */
  go(hash: string): void;
  /** Renders the current route again (after an action). */
  refresh(): void;
  notify(message: string, kind?: "ok" | "error"): void;
}

/** A page renders into `ctx.main`; what it returns runs when the page is left (timers). */
export type Page = (ctx: PageContext) => Promise<(() => void) | void>;

export function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
}

/**
 * Runs an operator action from a button: the button is disabled meanwhile, the outcome is
 * announced in the status region, and the page is rendered again on success.
 */
export async function act(ctx: PageContext, button: HTMLButtonElement | null, done: string, action: () => Promise<unknown>): Promise<void> {
  if (button) button.disabled = true;
  try {
    await action();
    ctx.notify(done, "ok");
    ctx.refresh();
  } catch (err) {
    ctx.notify(errorText(err), "error");
    if (button) button.disabled = false;
  }
}

/** A query string for a route: empty values left out. */
export function routeQuery(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : "";
}
