/**
 * Matching a request to a declared route: static paths through a map (the hot paths), paths with
 * `{params}` through a short list of patterns.
 */
import type { HttpMethod, Route } from "./route.js";

export type Match =
  | { kind: "found"; route: Route; params: Record<string, string> }
  /** `path`: the declared path pattern that matched (`/v2/account/sessions/{id}`). */
  | { kind: "method_not_allowed"; allow: string[]; path: string }
  | { kind: "not_found" };

interface Pattern {
  path: string;
  regex: RegExp;
  names: string[];
  byMethod: Map<HttpMethod, Route>;
}

export class Router {
  private readonly statics = new Map<string, Map<HttpMethod, Route>>();
  private readonly patterns: Pattern[] = [];

  constructor(readonly routes: readonly Route[]) {
    const byPattern = new Map<string, Pattern>();
    for (const r of routes) {
      if (!r.path.includes("{")) {
        const methods = this.statics.get(r.path) ?? new Map<HttpMethod, Route>();
        if (methods.has(r.method)) throw new Error(`duplicate route ${r.method} ${r.path}`);
        methods.set(r.method, r);
        this.statics.set(r.path, methods);
        continue;
      }
      let p = byPattern.get(r.path);
      if (!p) {
        const names: string[] = [];
        const source = r.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, name: string) => {
          names.push(name);
          return "([^/]+)";
        });
        p = { path: r.path, regex: new RegExp(`^${source}$`), names, byMethod: new Map() };
        byPattern.set(r.path, p);
        this.patterns.push(p);
      }
      p.byMethod.set(r.method, r);
    }
  }

  match(method: string, path: string): Match {
    const methods = this.statics.get(path);
    if (methods) return pick(methods, method, {}, path);
    for (const p of this.patterns) {
      const m = p.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      let ok = true;
      p.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1]!);
        } catch {
          ok = false;
        }
      });
      if (!ok) return { kind: "not_found" };
      return pick(p.byMethod, method, params, p.path);
    }
    return { kind: "not_found" };
  }
}

function pick(methods: Map<HttpMethod, Route>, method: string, params: Record<string, string>, path: string): Match {
  const route = methods.get(method as HttpMethod);
  if (route) return { kind: "found", route, params };
  return { kind: "method_not_allowed", allow: [...methods.keys()], path };
}
