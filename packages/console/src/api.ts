/**
 * The console's client of `/v2/console` (same origin). The console token lives in
 * sessionStorage: it is gone when the tab closes, and a 401 from any call signs the console out.
 */
// The answers' shapes are the wire contract's (type-only imports from @tessera/protocol, which the
// server answers with), so the console cannot drift from what /v2/console sends.
import type { AccountDetail, AccountSummary, AuditEventJson, ConsoleIdentity, ConsoleRole, ConsoleUserJson, Dashboard, Figures } from "@tessera/protocol";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type Role = ConsoleRole;
export type ConsoleUser = ConsoleIdentity;
export type { AccountDetail, AccountSummary, Dashboard, Figures };
export type AuditEvent = AuditEventJson;
export type ConsoleUserInfo = ConsoleUserJson;

const TOKEN_KEY = "tessera.console.token";
const USER_KEY = "tessera.console.user";

export class ConsoleApi {
  /** Called when the server refuses the token (expired, signed out, user disabled). */
  onSignedOut: () => void = () => {};

  get user(): ConsoleUser | undefined {
    const raw = sessionStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as ConsoleUser) : undefined;
  }

  get signedIn(): boolean {
    return sessionStorage.getItem(TOKEN_KEY) !== null;
  }

  async signIn(username: string, password: string): Promise<ConsoleUser> {
    const res = await this.request<{ token: string; user: ConsoleUser }>("POST", "/v2/console/authenticate", { username, password }, false);
    sessionStorage.setItem(TOKEN_KEY, res.token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(res.user));
    return res.user;
  }

  async signOut(): Promise<void> {
    try {
      if (this.signedIn) await this.request("POST", "/v2/console/authenticate/logout");
    } finally {
      this.forget();
    }
  }

  forget(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  }

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, v);
    const qs = params.toString();
    return this.request<T>("GET", qs ? `${path}?${qs}` : path);
  }

  async request<T = Record<string, never>>(method: string, path: string, body?: unknown, authenticated = true): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (authenticated && token) headers["Authorization"] = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 14, "The server cannot be reached.");
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = {};
    }
    if (!res.ok) {
      const err = json as { code?: number; message?: string };
      if (res.status === 401 && authenticated) {
        this.forget();
        this.onSignedOut();
      }
      throw new ApiError(res.status, err.code ?? 2, err.message ?? `HTTP ${res.status}`);
    }
    return json as T;
  }
}
