/**
 * Email and password. The subject is the address lower-cased; the password's argon2id hash lives
 * on the account (`accounts.password_hash`), set with the email identity and cleared when it is
 * unlinked. Without an email, a sign-in names the account by `username` (query) and password.
 */
import { Messages, invalidArgument, unauthenticated } from "../../shared/api-error.js";
import type { AccountRow } from "../../store/store.js";
import { checkEmail, checkPassword } from "../identity-rules.js";
import { field, identifierOf, type Provider, type ProviderCore } from "./provider.js";

const NO_PROFILE = {};

export const emailProvider: Provider<"email"> = {
  name: "email",
  wire: {
    path: "email",
    hooks: { authenticate: "AuthenticateEmail", link: "LinkEmail", unlink: "UnlinkEmail" },
    fields: { email: {}, password: {} },
    link: { kind: "fields", vars: false },
    // Nakama's unlink body is the same `AccountEmail`; its password is ignored.
    unlink: { kind: "fields", vars: false },
    summaries: {
      authenticate: "Sign in with email and password, or with username (query) and password when email is absent.",
      link: "Link (or replace) the email and password of the caller's account.",
      unlink: "Unlink the email; refused (400) if it is the account's last identity.",
    },
  },
  perAccount: "one",
  holdsPassword: true,
  messages: { inUse: "Email is already in use.", notLinked: "Email is not linked to this account." },
  accountField: { shape: "subject", in: "account", key: "email" },
  console: { searchField: "email", summaryKey: "email" },
  signInIdentifier(body, query) {
    const email = body["email"];
    if (typeof email === "string" && email !== "") return identifierOf("email", email.toLowerCase());
    return identifierOf("username", query.get("username") ?? undefined);
  },

  checkSignIn(core, credential, request) {
    const emailIn = field(credential, "email");
    const password = field(credential, "password");
    const byUsername = emailIn === "";
    const email = byUsername ? "" : checkEmail(emailIn);
    checkPassword(password);
    if (byUsername && request.username === undefined) throw invalidArgument("Username is required when email address is not supplied.");
    const rules = { matches: (account: AccountRow) => passwordMatches(core, account, password), unknown: () => refuseUnknown(core, password) };
    return {
      async prove() {
        if (byUsername) return { identity: undefined, account: await core.store.findAccountByUsername(request.username!), ...rules };
        return { identity: { provider: "email", subject: email, profile: NO_PROFILE }, newPasswordHash: () => core.passwords.hash(password), ...rules };
      },
    };
  },
  async proveLink(core, credential) {
    const email = field(credential, "email");
    const password = field(credential, "password");
    if (email === "" || password === "") throw invalidArgument("Email address and password is required.");
    const subject = checkEmail(email);
    checkPassword(password);
    return { identity: { provider: "email", subject, profile: NO_PROFILE }, passwordHash: () => core.passwords.hash(password) };
  },
  async unlinkSubject(_core, credential) {
    const email = field(credential, "email");
    if (email === "") throw invalidArgument("Email address is required.");
    return checkEmail(email);
  },
};

/** An account without a password (no email ever linked) costs the same check as one with a wrong password. */
function passwordMatches(core: ProviderCore, account: AccountRow, password: string): Promise<boolean> {
  return account.passwordHash === null ? core.passwords.verifyNone(password) : core.passwords.verify(account.passwordHash, password);
}

/**
 * A password sign-in naming no account answers exactly as a wrong password does, after the same
 * work, so neither the answer nor its timing tells whether an email or username is registered.
 * (Nakama answers 404 "User account not found." here; see docs/security.md.)
 */
async function refuseUnknown(core: ProviderCore, password: string): Promise<never> {
  await core.passwords.verifyNone(password);
  throw unauthenticated(Messages.invalidCredentials);
}
