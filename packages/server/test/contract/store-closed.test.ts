/**
 * A store that cannot answer says so: every method of the Store, of Store.tickets, Store.admin and
 * Store.codeLinks answers StoreUnavailableError (HTTP 503), never a TypeError or a raw driver error,
 * on a closed SQLite store, a closed PostgreSQL store and a PostgreSQL store whose server no longer
 * listens. The methods are enumerated from the store objects themselves, so a method added later
 * without a call here fails this test.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { AdminStore } from "../../src/store/admin-store.js";
import type { CodeLinkStore } from "../../src/store/code-link-store.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { StoreUnavailableError, type Store } from "../../src/store/store.js";
import type { TicketStore } from "../../src/store/ticket-store.js";
import { tempDir } from "../support/harness.js";
import { createProxiedTestDatabase, createTestDatabase, dropAllTestDatabases, postgresSkip } from "../support/postgres.js";
import { testSessionRow } from "../support/session-row.js";

const NOW = 1_700_000_000_000;
const ID = "00000000-0000-4000-8000-000000000001";
const OTHER = "00000000-0000-4000-8000-000000000002";
const device = { provider: "device", subject: "device-closed-1", profile: {} };
const session = testSessionRow(ID, NOW);

type Calls<T> = { [K in keyof T]: (part: T) => Promise<unknown> };

/** One call of each Store method (close is what made the store unusable, so it is not among them). */
const STORE_CALLS: Omit<Calls<Store>, "tickets" | "admin" | "codeLinks" | "close"> = {
  createAccount: (s) => s.createAccount({ id: ID, username: "closed", createTime: NOW }, device),
  getAccount: (s) => s.getAccount(ID),
  findAccountByIdentity: (s) => s.findAccountByIdentity(device),
  findAccountByUsername: (s) => s.findAccountByUsername("closed"),
  listIdentities: (s) => s.listIdentities(ID),
  getAccountWithIdentities: (s) => s.getAccountWithIdentities(ID),
  updateAccount: (s) => s.updateAccount(ID, { displayName: "x" }, NOW),
  deleteAccount: (s) => s.deleteAccount(ID),
  setDisableTime: (s) => s.setDisableTime(ID, NOW, NOW, { kind: "publisher", reason: "test" }),
  linkIdentity: (s) => s.linkIdentity(ID, device, { replace: false }, NOW),
  unlinkIdentity: (s) => s.unlinkIdentity(ID, device, NOW),
  createSession: (s) => s.createSession(session, device),
  getSession: (s) => s.getSession(session.id),
  getSessionWithAccount: (s) => s.getSessionWithAccount(session.id),
  rotateSession: (s) => s.rotateSession(session.id, 0, { ...session, generation: 1 }, NOW),
  revokeSession: (s) => s.revokeSession(session.id, "logout", NOW),
  revokeAccountSessions: (s) => s.revokeAccountSessions(ID, "logout_all", NOW, session.id),
  listSessions: (s) => s.listSessions(ID, NOW / 1000),
  purgeExpiredSessions: (s) => s.purgeExpiredSessions(NOW / 1000),
  listRevokedSessions: (s) => s.listRevokedSessions(NOW, { revokedAt: NOW, id: session.id }, 10),
  ping: (s) => s.ping(),
  schemaVersion: (s) => s.schemaVersion(),
};

const key = { kid: "kid-1", publicKey: "pub", privateKey: "priv", createdAt: NOW, retiredAt: null };
const ticket = {
  id: "t1",
  accountId: ID,
  handle: 1,
  sessionId: session.id,
  identity: "app",
  appId: 480,
  issuedAt: NOW,
  expiresAt: NOW + 1,
  canceledAt: null,
  usedAt: null,
  usedBy: null,
};
const authSession = {
  id: "as1",
  validatorSessionId: "v1",
  validatorIdentity: OTHER,
  validatorKind: "player" as const,
  userId: ID,
  playerSessionId: session.id,
  ticketId: "t1",
  appId: 480,
  ownerId: null,
  response: null,
  responseSeq: 0,
  createdAt: NOW,
  endedAt: null,
};

const TICKET_CALLS: Calls<TicketStore> = {
  ticketKeys: (t) => t.ticketKeys(),
  addFirstTicketKey: (t) => t.addFirstTicketKey(key),
  rotateTicketKey: (t) => t.rotateTicketKey(key, NOW),
  purgeTicketKeys: (t) => t.purgeTicketKeys(NOW),
  insertTicket: (t) => t.insertTicket(ticket),
  getTicket: (t) => t.getTicket("t1"),
  listTickets: (t) => t.listTickets(ID, NOW),
  countOpenTickets: (t) => t.countOpenTickets(session.id, NOW),
  cancelTicket: (t) => t.cancelTicket(ID, 1, NOW),
  claimTicket: (t) => t.claimTicket("t1", "as1", NOW),
  purgeTickets: (t) => t.purgeTickets(NOW),
  createAuthSession: (t) => t.createAuthSession(authSession),
  getAuthSession: (t) => t.getAuthSession("as1"),
  liveAuthSessionsOfValidator: (t) => t.liveAuthSessionsOfValidator("v1"),
  liveAuthSessionsOfTicket: (t) => t.liveAuthSessionsOfTicket("t1"),
  liveAuthSessionsOfSessions: (t) => t.liveAuthSessionsOfSessions(ID, [session.id]),
  liveAuthSessionsOfPlayer: (t) => t.liveAuthSessionsOfPlayer(ID),
  pendingAuthSessions: (t) => t.pendingAuthSessions(NOW),
  respond: (t) => t.respond("as1", { response: 0, ownerId: null, end: false, onlyFirst: true }, "e1", (seq) => `{"seq":${seq}}`, NOW),
  endAuthSession: (t) => t.endAuthSession("as1", NOW),
  pendingEvents: (t) => t.pendingEvents("v1", 10),
  ackEvents: (t) => t.ackEvents("v1", ["e1"]),
  purgeAuthSessions: (t) => t.purgeAuthSessions(NOW),
  licensesOf: (t) => t.licensesOf(ID),
  grantLicense: (t) => t.grantLicense(ID, null, NOW),
  revokeLicense: (t) => t.revokeLicense(ID),
  lendLicense: (t) => t.lendLicense(ID, OTHER, NOW),
  endLoan: (t) => t.endLoan(ID, OTHER),
  loansBy: (t) => t.loansBy(ID),
  createGameServer: (t) => t.createGameServer({ identity: "gs", id: "gs-id", secretHash: "hash", createdAt: NOW }),
  gameServer: (t) => t.gameServer("gs"),
  gameServerBySecretHash: (t) => t.gameServerBySecretHash("hash"),
  listGameServers: (t) => t.listGameServers(),
  deleteGameServer: (t) => t.deleteGameServer("gs"),
};

const consoleUser = {
  id: "cu1",
  username: "operator",
  passwordHash: "hash",
  role: "admin" as const,
  createdAt: NOW,
  updatedAt: NOW,
  disabledAt: null,
  lastSignInAt: null,
};
const auditEvent = { id: "ae1", time: NOW, kind: "account.created", actorType: "system" as const, actorId: null, userId: ID, ip: null, details: "{}" };

const ADMIN_CALLS: Calls<AdminStore> = {
  createConsoleUser: (a) => a.createConsoleUser(consoleUser),
  consoleUser: (a) => a.consoleUser("operator"),
  listConsoleUsers: (a) => a.listConsoleUsers(),
  updateConsoleUser: (a) => a.updateConsoleUser("cu1", { disabledAt: NOW }, NOW),
  deleteConsoleUser: (a) => a.deleteConsoleUser("cu1"),
  countActiveAdmins: (a) => a.countActiveAdmins(),
  createConsoleSession: (a) =>
    a.createConsoleSession({ id: "cs1", tokenHash: "th", userId: "cu1", createdAt: NOW, expiresAt: NOW + 1, clientIp: null, userAgent: null }),
  consoleSession: (a) => a.consoleSession("th"),
  deleteConsoleSession: (a) => a.deleteConsoleSession("cs1"),
  purgeConsoleSessions: (a) => a.purgeConsoleSessions(NOW),
  appendAudit: (a) => a.appendAudit([auditEvent], [{ minute: NOW, kind: "sign_in", count: 1 }]),
  listAuditEvents: (a) => a.listAuditEvents({ kinds: ["account.created"], userId: ID, after: { time: NOW, id: "ae1" }, limit: 10 }),
  purgeAuditEvents: (a) => a.purgeAuditEvents(NOW),
  activityCounts: (a) => a.activityCounts(NOW),
  purgeActivityCounts: (a) => a.purgeActivityCounts(NOW),
  searchAccounts: (a) => a.searchAccounts({ field: "any", query: "closed", limit: 10 }),
  listAccounts: (a) => a.listAccounts({ createTime: NOW, id: ID }, 10),
  identitiesOf: (a) => a.identitiesOf([ID]),
  countLiveSessions: (a) => a.countLiveSessions(NOW / 1000),
  countAccounts: (a) => a.countAccounts(),
};

const codeLink = { id: ID, code: "BCDFGHJK", challenge: "0".repeat(64), identifier: "", createTime: NOW, expireTime: NOW + 1, intervalSec: 5 };

const CODE_LINK_CALLS: Calls<CodeLinkStore> = {
  createCodeLink: (c) => c.createCodeLink(codeLink),
  findLiveCodeLink: (c) => c.findLiveCodeLink("BCDFGHJK", NOW),
  getCodeLink: (c) => c.getCodeLink(ID),
  confirmCodeLink: (c) => c.confirmCodeLink("BCDFGHJK", OTHER, NOW),
  recordCodeLinkPoll: (c) => c.recordCodeLinkPoll(ID, NOW, 5),
  consumeCodeLink: (c) => c.consumeCodeLink(ID, NOW),
  purgeCodeLinks: (c) => c.purgeCodeLinks(NOW),
};

/** The names of `target`'s methods: its own functions and those of its prototype chain. */
function methodNames(target: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name !== "constructor" && typeof Object.getOwnPropertyDescriptor(o, name)?.value === "function") names.add(name);
    }
  }
  return [...names].sort();
}

/**
 * Calls every method of `part` found on the object, each with its call from `calls` (a method
 * without one fails the test), and returns what each answered other than StoreUnavailableError.
 */
async function wrongAnswers<T extends object>(
  prefix: string,
  part: T,
  calls: Partial<Record<string, (part: T) => Promise<unknown>>>,
  skip: readonly string[],
): Promise<string[]> {
  const wrong: string[] = [];
  for (const name of methodNames(part)) {
    if (skip.includes(name)) continue;
    const call = calls[name];
    if (call === undefined) {
      wrong.push(`${prefix}${name}: no call in this test; add one`);
      continue;
    }
    try {
      const value = await call(part);
      wrong.push(`${prefix}${name}: resolved to ${JSON.stringify(value)}`);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) wrong.push(`${prefix}${name}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
  }
  return wrong;
}

/** Every method of the store and its parts (and `extra`, the backend's own methods) answers StoreUnavailableError. */
async function assertUnavailable(store: Store, extra: Partial<Record<string, (s: Store) => Promise<unknown>>> = {}): Promise<void> {
  const wrong = [
    ...(await wrongAnswers("", store, { ...STORE_CALLS, ...extra } as Partial<Record<string, (s: Store) => Promise<unknown>>>, ["close"])),
    ...(await wrongAnswers("tickets.", store.tickets, TICKET_CALLS as Partial<Record<string, (t: TicketStore) => Promise<unknown>>>, [])),
    ...(await wrongAnswers("admin.", store.admin, ADMIN_CALLS as Partial<Record<string, (a: AdminStore) => Promise<unknown>>>, [])),
    ...(await wrongAnswers("codeLinks.", store.codeLinks, CODE_LINK_CALLS as Partial<Record<string, (c: CodeLinkStore) => Promise<unknown>>>, [])),
  ];
  assert.deepEqual(wrong, [], "every method answers StoreUnavailableError");
}

/** The methods called, so a test can tell it called them all. */
const EVERY_CALL = Object.keys(STORE_CALLS).length + Object.keys(TICKET_CALLS).length + Object.keys(ADMIN_CALLS).length + Object.keys(CODE_LINK_CALLS).length;

const dirs: { remove(): void }[] = [];
after(() => {
  for (const d of dirs) d.remove();
});

describe("a closed or unreachable store answers StoreUnavailableError from every method", () => {
  it("calls every method of the Store and its parts: the test's table has one call for each", () => {
    const dir = tempDir("tessera-closed-");
    dirs.push(dir);
    const store = SqliteStore.open({ path: join(dir.path, "tessera.db") });
    const found =
      methodNames(store).filter((n) => n !== "close" && n !== "integrityCheck").length +
      methodNames(store.tickets).length +
      methodNames(store.admin).length +
      methodNames(store.codeLinks).length;
    assert.equal(found, EVERY_CALL);
    return store.close();
  });

  it("SQLite, closed", async () => {
    const dir = tempDir("tessera-closed-");
    dirs.push(dir);
    const store = SqliteStore.open({ path: join(dir.path, "tessera.db") });
    await store.createAccount({ id: OTHER, username: "before", createTime: NOW }, undefined);
    await store.close();
    await assertUnavailable(store, { integrityCheck: async (s) => (s as SqliteStore).integrityCheck() });
  });

  it("SQLite, closed while calls are queued: those asked before the close ends are answered, later ones are not", async () => {
    const dir = tempDir("tessera-closed-");
    dirs.push(dir);
    const store = SqliteStore.open({ path: join(dir.path, "tessera.db") });
    // Asked before or while closing: answered (the close waits for them). Asked after: unavailable.
    const before = store.getAccount(OTHER);
    const closing = store.close();
    const whileClosing = store.revokeSession(session.id, "logout", NOW);
    assert.equal(await before, undefined);
    await closing;
    assert.equal(await whileClosing, false);
    await assert.rejects(store.getAccount(OTHER), StoreUnavailableError);
  });
});

describe("PostgreSQL, closed or unreachable", { skip: await postgresSkip() }, () => {
  after(dropAllTestDatabases);

  it("closed", async () => {
    const { url } = await createTestDatabase();
    const store = await PostgresStore.open({ url });
    await store.close();
    await assertUnavailable(store);
  });

  it("its server no longer listening", async () => {
    const { url, proxy } = await createProxiedTestDatabase();
    const store = await PostgresStore.open({ url, connectionTimeoutMs: 1000, queryTimeoutMs: 1000 });
    try {
      await store.ping();
      // Nothing listens on the proxy's port any more; pooled connections through it are cut.
      await proxy.close();
      await assertUnavailable(store);
    } finally {
      await store.close();
    }
  });
});
