/**
 * Code-Link (`/v2/account/code-link/*`, docs/code-link.md): thin calls into auth/code-link.ts.
 * The signed-out device's calls (generate, sign-in) take the server key and count as sign-ins
 * per client address; the signed-in player's (info, confirm) take their session.
 */
import { confirmSignInCode, generateSignInCode, signInCodeInfo, signInWithCode } from "../../auth/code-link.js";
import { VARS_FIELD } from "../../auth/providers/credential-schemas.js";
import { parseVars } from "../../session/vars.js";
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
    handler: (ctx) => generateSignInCode(ctx.core, { identifier: ctx.body.identifier, codeChallenge: ctx.body.code_challenge }, ctx.client),
  }),
  route({
    method: "POST",
    path: "/v2/account/code-link/info",
    auth: "bearer",
    tag: TAG,
    summary: "A signed-in player reads a sign-in code's device identifier and expiry before confirming it (Unity's GetSignInCodeInfoAsync).",
    body: CodeLinkCodeBodySchema,
    response: CodeLinkInfoSchema,
    handler: (ctx) => signInCodeInfo(ctx.core, ctx.caller, ctx.body.sign_in_code, ctx.client),
  }),
  route({
    method: "POST",
    path: "/v2/account/code-link/confirm",
    auth: "bearer",
    tag: TAG,
    summary: "A signed-in player confirms a sign-in code: the waiting device signs in as this account (Unity's ConfirmCodeAsync).",
    body: CodeLinkCodeBodySchema,
    response: EmptySchema,
    handler: (ctx) => confirmSignInCode(ctx.core, ctx.caller, ctx.body.sign_in_code, ctx.client),
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
    handler: async (ctx) => {
      const r = await signInWithCode(
        ctx.core,
        { codeLinkSessionId: ctx.body.code_link_session_id, codeVerifier: ctx.body.code_verifier },
        { vars: parseVars(ctx.body.vars) ?? {}, client: ctx.client },
      );
      return { token: r.token, refresh_token: r.refresh_token };
    },
  }),
];
