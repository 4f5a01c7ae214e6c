/**
 * Where `AuthenticationService` keeps the session token between launches. A storage is two
 * synchronous methods, so state views like `sessionTokenExists` answer at once; an asynchronous
 * store (React Native's AsyncStorage, a console save system) can be adapted by loading its keys
 * into a `MemoryStorage` at start-up and writing through.
 */

/**
 * The two-method storage interface.
 *
 * @example
 * const storage: TokenStorage = {
 *   getItem: (key) => myPrefs.get(key) ?? null,
 *   setItem: (key, value) => (value === null ? myPrefs.delete(key) : myPrefs.set(key, value)),
 * };
 */
export interface TokenStorage {
  /** The stored value, or null. */
  getItem(key: string): string | null;
  /** Stores `value`; `null` removes the key. */
  setItem(key: string, value: string | null): void;
}

/**
 * Keeps values in memory: for tests, servers, and as a cache in front of asynchronous stores.
 *
 * @example
 * const auth = new AuthenticationService({ client, projectId: "my-game", storage: new MemoryStorage() });
 */
export class MemoryStorage implements TokenStorage {
  private readonly values = new Map<string, string>();

  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  setItem(key: string, value: string | null): void {
    if (value === null) this.values.delete(key);
    else this.values.set(key, value);
  }
}

/** The part of the Web Storage API this adapter uses (`localStorage`, `sessionStorage`). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Browser storage: `localStorage` by default, shared by the tabs of one origin.
 *
 * @example
 * const auth = new AuthenticationService({ client, projectId: "my-game", storage: new WebStorage() });
 */
export class WebStorage implements TokenStorage {
  private readonly store: WebStorageLike;

  constructor(store?: WebStorageLike) {
    const s = store ?? (globalThis as { localStorage?: WebStorageLike }).localStorage;
    if (!s) throw new TypeError("WebStorage: no localStorage in this environment; pass a Storage object.");
    this.store = s;
  }

  getItem(key: string): string | null {
    return this.store.getItem(key);
  }

  setItem(key: string, value: string | null): void {
    if (value === null) this.store.removeItem(key);
    else this.store.setItem(key, value);
  }
}

/**
 * The storage key of a profile's session token: `{projectId}.{profile}.tessera.session_token`.
 *
 * @example
 * sessionTokenKey("my-game", "default"); // "my-game.default.tessera.session_token"
 */
export function sessionTokenKey(projectId: string, profile: string): string {
  return `${projectId}.${profile}.tessera.session_token`;
}
