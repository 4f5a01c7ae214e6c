/**
 * The payloads hooks exchange, in Nakama's JSON names: checks of what a before hook returns (it
 * replaces the request, so it is untrusted input of a known shape), and the conversion of an
 * HTTP answer into an after hook's `data`. Absent fields take proto3 defaults ("" / {} / true
 * for `create`), as in Nakama; a field of the wrong type is a `PayloadError` naming its path.
 * Requests whose shape an HTTP body shares (sign-in, link, unlink, refresh) are checked with the
 * same @tessera/protocol schemas the HTTP server checks the body with.
 */
import {
  CodeLinkCodeBodySchema,
  CodeLinkGenerateBodySchema,
  CodeLinkSignInBodySchema,
  SessionRefreshSchema,
  s,
  validate,
  type ObjectSchema,
} from "@tessera/protocol";
import { parseVars, type Vars } from "../session/vars.js";
import type { Credential, CredentialBody, ProviderWire } from "../auth/providers/provider.js";
import { anonymousSignInRequest, credentialBody, signInRequest, type CredentialJson } from "../auth/providers/credential-schemas.js";
import type {
  AuthenticateAnonymousRequest,
  DeleteSessionRequest,
  GenerateSignInCodeRequest,
  SessionLogoutRequest,
  SessionRefreshRequest,
  SignInCodeRequest,
  SignInWithCodeRequest,
  UpdateAccountRequest,
} from "./runtime-types.js";
import type { SessionUser } from "./runtime-context.js";

/** A before hook returned a request of the wrong shape; `message` names the field. */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PayloadError";
  }
}

type Fields = Record<string, unknown>;

function record(value: unknown, path: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new PayloadError(`${path} must be an object`);
  return value as Fields;
}

function text(o: Fields, key: string, path: string): string {
  const v = o[key];
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new PayloadError(`${path}${key} must be a string`);
  return v;
}

function nullableText(o: Fields, key: string, path: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new PayloadError(`${path}${key} must be a string or null`);
  return v;
}

/**
 * `value` checked against `schema`; a problem is a `PayloadError` naming the innermost field as
 * Nakama's runtime does (`account.id must be a string`, `vars["k"] must be a string`).
 */
function checked<T>(schema: ObjectSchema<T>, value: unknown): T {
  const result = validate(schema, value);
  if (result.ok) return result.value;
  const { path, reason } = result.problem.detail ?? result.problem;
  throw new PayloadError(`${path === "" ? "the request" : path} ${reason}`);
}

/** A checked map of vars, with the vars limits, which apply to a hook's vars as to a client's (400). */
const limitedVars = (map: Record<string, string> | undefined): Vars => parseVars(map) ?? {};

/** A checked credential: its fields, absent ones "". */
function credentialFields(o: Record<string, unknown>, fields: ProviderWire["fields"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(fields)) {
    const value = o[name];
    out[name] = typeof value === "string" ? value : "";
  }
  return out;
}

/**
 * A credential in a hook payload: the provider's fields (`id`; `email`, `password`; `token` …),
 * each a string, with `vars` where the provider's Nakama message has them.
 */
export type CredentialPayload = { readonly [field: string]: string | Vars };

/** Nakama's `Authenticate<X>Request` of any provider: `{account: {<fields>, vars}, create, username}`, Steam's with `sync`. */
export interface AuthenticatePayload {
  account: CredentialPayload & { readonly vars: Vars };
  create: boolean;
  username: string;
  sync?: boolean;
}

/** A link or unlink request: the credential's fields (`{id}`, `{token, vars}`), or Steam's `{account: {token, vars}, sync}`. */
export type CredentialRequest = CredentialPayload | { account: CredentialPayload; sync: boolean };

/** The check of a provider's sign-in request (built from the HTTP input, or returned by a before hook). */
export function authenticateCheck(wire: ProviderWire): (value: unknown) => AuthenticatePayload {
  const schema = signInRequest(wire);
  return (value) => {
    const r = checked(schema, value);
    const account = r.account ?? {};
    const request: AuthenticatePayload = {
      account: { ...credentialFields(account, wire.fields), vars: limitedVars(account.vars) },
      create: r.create ?? true,
      username: r.username ?? "",
    };
    if (wire.sync) request.sync = r.sync ?? false;
    return request;
  };
}

/** The check of a provider's link or unlink request, in the body shape the provider declares for it (the HTTP body's schema). */
export function credentialCheck(wire: ProviderWire, body: CredentialBody): (value: unknown) => CredentialRequest {
  const schema = credentialBody(wire, body);
  const withVars = (o: CredentialJson): CredentialPayload => ({ ...credentialFields(o, wire.fields), vars: limitedVars(o.vars) });
  return (value) => {
    const r = checked(schema, value);
    if (body.kind === "fields") return body.vars ? withVars(r) : credentialFields(r, wire.fields);
    return { account: withVars(r.account ?? {}), sync: r.sync ?? false };
  };
}

/** The provider's credential in a checked request: its fields, without `vars`. */
export function credentialOf(wire: ProviderWire, request: AuthenticatePayload | CredentialRequest): Credential {
  // Sign-ins and Steam's link carry it in `account` (no provider names a field so).
  const nested: unknown = request["account"];
  const account = typeof nested === "object" && nested !== null ? (nested as CredentialPayload) : (request as CredentialPayload);
  const out: Record<string, string> = {};
  for (const name of Object.keys(wire.fields)) {
    const value = account[name];
    out[name] = typeof value === "string" ? value : "";
  }
  return out;
}

/** A provider's routes' path after `/authenticate/`, `/link/`, `/unlink/`: `steam`, `oidc/{name}`. */
export function routePath(wire: ProviderWire): string {
  return [wire.path, ...(wire.pathParams ?? []).map((p) => `{${p}}`)].join("/");
}

/** The credential of a request with the route's path parameters (`oidc/{name}`'s name) as fields of their names. */
export function credentialWithParams(
  wire: ProviderWire,
  request: AuthenticatePayload | CredentialRequest,
  params: Readonly<Record<string, string>>,
): Credential {
  const credential = credentialOf(wire, request);
  if (wire.pathParams === undefined) return credential;
  return { ...credential, ...Object.fromEntries(wire.pathParams.map((p) => [p, params[p] ?? ""])) };
}

const ANONYMOUS_REQUEST = anonymousSignInRequest();

export function checkAuthenticateAnonymous(value: unknown): AuthenticateAnonymousRequest {
  const r = checked(ANONYMOUS_REQUEST, value);
  return { account: { vars: limitedVars(r.account?.vars) }, create: r.create ?? true, username: r.username ?? "" };
}

/** Nakama's `SessionRefreshRequest` has the HTTP body's shape: one schema checks both. */
export function checkSessionRefresh(value: unknown): SessionRefreshRequest {
  const r = checked(SessionRefreshSchema, value);
  return { token: r.token ?? "", vars: limitedVars(r.vars) };
}

export function checkSessionLogout(value: unknown): SessionLogoutRequest {
  const o = record(value, "the request");
  return { token: text(o, "token", ""), refreshToken: text(o, "refreshToken", "") };
}

export function checkUpdateAccount(value: unknown): UpdateAccountRequest {
  const o = record(value, "the request");
  return {
    username: nullableText(o, "username", ""),
    displayName: nullableText(o, "displayName", ""),
    avatarUrl: nullableText(o, "avatarUrl", ""),
    langTag: nullableText(o, "langTag", ""),
    location: nullableText(o, "location", ""),
    timezone: nullableText(o, "timezone", ""),
  };
}

export function checkDeleteSession(value: unknown): DeleteSessionRequest {
  return { sessionId: text(record(value, "the request"), "sessionId", "") };
}

/** Nakama's `Session` as after hooks see it. */
export function sessionData(s: { token: string; refresh_token: string }, created: boolean): { created: boolean; token: string; refreshToken: string } {
  return { created, token: s.token, refreshToken: s.refresh_token };
}

/**
 * A deep copy of an HTTP answer with Nakama's runtime names (`display_name` → `displayName`), for
 * an after hook: a copy, so nothing the hook does reaches the answer.
 */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Fields = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(
      out,
      k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      { value: camelKeys(v), enumerable: true, writable: true, configurable: true },
    );
  }
  return out;
}

/** The session of an access token the server has just issued (its claims need no verification). */
export function issuedSession(token: string): SessionUser {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
    tid: string;
    uid: string;
    usn: string;
    vrs?: Vars;
    exp: number;
  };
  return { userId: payload.uid, username: payload.usn, vars: payload.vrs ?? {}, exp: payload.exp, sessionId: payload.tid };
}

const SIGN_IN_WITH_CODE = s.extend(CodeLinkSignInBodySchema, { vars: s.optional(s.map(s.string())) });

/** A before hook's `GenerateSignInCode` request. */
export const checkGenerateSignInCode = (value: unknown): GenerateSignInCodeRequest => checked(CodeLinkGenerateBodySchema, value);
/** A before hook's `GetSignInCodeInfo` / `ConfirmSignInCode` request. */
export const checkSignInCode = (value: unknown): SignInCodeRequest => checked(CodeLinkCodeBodySchema, value);
/** A before hook's `SignInWithCode` request. */
export const checkSignInWithCode = (value: unknown): SignInWithCodeRequest => checked(SIGN_IN_WITH_CODE, value);
