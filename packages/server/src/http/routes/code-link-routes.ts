/**
 * Code-Link (`/v2/account/code-link/*`, docs/code-link.md): thin calls into auth/code-link.ts.
 * The signed-out device's calls (generate, sign-in) take the server key and count as sign-ins
 * per client address; the signed-in player's (info, confirm) take their session.
 */
import { confirmSignInCode, generateSignInCode, signInCodeInfo, signInWithCode } from "../../auth/code-link.js";
import { VARS_FIELD } from "../../auth/providers/credential-schemas.js";
import { parseVars } from "../../session/vars.js";
import { camelKeys, checkGenerateSignInCode, checkSignInCode, checkSignInWithCode, sessionData } from "../../hooks/hook-payloads.js";
import type { GenerateSignInCodeRequest, SignInCodeRequest, SignInWithCodeRequest } from "../../hooks/runtime-types.js";
import { withHooks } from "../../hooks/with-hooks.js";
import type { Caller } from "../../session/verify-access.js";
import type { AuthenticateResult } from "../../auth/authenticate.js";
import {
  CodeLinkCodeBodySchema,
  CodeLinkGenerateBodySchema,
  CodeLinkGenerateSchema,
  CodeLinkInfoSchema,
  CodeLinkSignInBodySchema,
  EmptySchema,
  s,
  SessionSchema,
} from "@tessera/protocol";
import { route, type Route } from "../route.js";

const TAG = "code-link";

export const codeLinkRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v2/account/code-link/generate",
    auth: "server_key",
    tag: TAG,
    summary: "A signed-out device asks for a sign-in code to show (Unity's GenerateSignInCodeAsync); it keeps the session id and its code verifier.",
    signIn: {},
    body: CodeLinkGenerateBodySchema,
    response: CodeLinkGenerateSchema,
    handler: withHooks<undefined, GenerateSignInCodeRequest, Awaited<ReturnType<typeof generateSignInCode>>>({
      name: "GenerateSignInCode",
      request: (ctx) => checkGenerateSignInCode(ctx.body),
      check: checkGenerateSignInCode,
      call: (ctx, req) => generateSignInCode(ctx.core, { identifier: req.identifier, codeChallenge: req.code_challenge }, ctx.client),
      reply: (r) => r,
      data: camelKeys,
    }),
  }),
  route({
    method: "POST",
    path: "/v2/account/code-link/info",
    auth: "bearer",
    tag: TAG,
    summary: "A signed-in player reads a sign-in code's device identifier and expiry before confirming it (Unity's GetSignInCodeInfoAsync).",
    body: CodeLinkCodeBodySchema,
    response: CodeLinkInfoSchema,
    handler: withHooks<Caller, SignInCodeRequest, Awaited<ReturnType<typeof signInCodeInfo>>>({
      name: "GetSignInCodeInfo",
      request: (ctx) => checkSignInCode(ctx.body),
      check: checkSignInCode,
      call: (ctx, req) => signInCodeInfo(ctx.core, ctx.caller, req.sign_in_code, ctx.client),
      reply: (r) => r,
      data: camelKeys,
    }),
  }),
  route({
    method: "POST",
    path: "/v2/account/code-link/confirm",
    auth: "bearer",
    tag: TAG,
    summary: "A signed-in player confirms a sign-in code: the waiting device signs in as this account (Unity's ConfirmCodeAsync).",
    body: CodeLinkCodeBodySchema,
    response: EmptySchema,
    handler: withHooks<Caller, SignInCodeRequest, void>({
      name: "ConfirmSignInCode",
      request: (ctx) => checkSignInCode(ctx.body),
      check: checkSignInCode,
      call: async (ctx, req) => {
        await confirmSignInCode(ctx.core, ctx.caller, req.sign_in_code, ctx.client);
      },
    }),
  }),
  route({
    method: "POST",
    path: "/v2/account/code-link/sign-in",
    auth: "server_key",
    tag: TAG,
    summary:
      "The waiting device polls with its code verifier (Unity's SignInWithCodeAsync): a session once the code is confirmed; RFC 8628's authorization_pending, slow_down (400) or expired_token (404) until then.",
    signIn: {},
    body: s.extend(CodeLinkSignInBodySchema, { vars: VARS_FIELD }),
    response: SessionSchema,
    handler: withHooks<undefined, SignInWithCodeRequest, AuthenticateResult>({
      name: "SignInWithCode",
      request: (ctx) => checkSignInWithCode(ctx.body),
      check: checkSignInWithCode,
      call: (ctx, req) =>
        signInWithCode(
          ctx.core,
          { codeLinkSessionId: req.code_link_session_id, codeVerifier: req.code_verifier },
          { vars: parseVars(req.vars) ?? {}, client: ctx.client },
        ),
      reply: (r) => ({ token: r.token, refresh_token: r.refresh_token }),
      data: (r) => sessionData(r, false),
      issued: (r) => r.token,
    }),
  }),
];
