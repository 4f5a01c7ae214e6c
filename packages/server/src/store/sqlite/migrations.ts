/**
 * SQLite schema migrations (the statements only): `store/migrator.ts` applies the pending ones in
 * order at start-up, in one transaction, and records them in `schema_migrations`. Never edit a
 * released migration: add the next one.
 */
import type { Migration } from "../migration.js";

export type { Migration };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "accounts and sessions",
    sql: `
      CREATE TABLE accounts (
        id            TEXT PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE,
        display_name  TEXT,
        avatar_url    TEXT,
        lang_tag      TEXT NOT NULL DEFAULT 'en',
        location      TEXT,
        timezone      TEXT,
        metadata      TEXT NOT NULL DEFAULT '{}',
        email         TEXT,
        password_hash TEXT,
        custom_id     TEXT,
        steam_id      TEXT,
        create_time   INTEGER NOT NULL,
        update_time   INTEGER NOT NULL,
        verify_time   INTEGER,
        disable_time  INTEGER
      ) STRICT;
      -- Partial: most accounts lack most identities, and NULLs need no index entry.
      CREATE UNIQUE INDEX accounts_email ON accounts(email) WHERE email IS NOT NULL;
      CREATE UNIQUE INDEX accounts_custom_id ON accounts(custom_id) WHERE custom_id IS NOT NULL;
      CREATE UNIQUE INDEX accounts_steam_id ON accounts(steam_id) WHERE steam_id IS NOT NULL;

      CREATE TABLE account_devices (
        id         TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX account_devices_account_id ON account_devices(account_id);

      CREATE TABLE sessions (
        id                     TEXT PRIMARY KEY,
        account_id             TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at             INTEGER NOT NULL,
        last_refresh_at        INTEGER,
        generation             INTEGER NOT NULL,
        rotated_at             INTEGER NOT NULL,
        username               TEXT NOT NULL,
        vars                   TEXT NOT NULL,
        issued_at_sec          INTEGER NOT NULL,
        token_expires_at_sec   INTEGER NOT NULL,
        refresh_expires_at_sec INTEGER NOT NULL,
        client_ip              TEXT,
        user_agent             TEXT,
        revoked_at             INTEGER,
        revoked_reason         TEXT
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX sessions_account_id ON sessions(account_id);
      CREATE INDEX sessions_refresh_expires ON sessions(refresh_expires_at_sec);
    `,
  },
  {
    version: 2,
    name: "tickets, auth sessions, licenses, game servers, ban kinds",
    sql: `
      ALTER TABLE accounts ADD COLUMN ban_kind TEXT;
      ALTER TABLE accounts ADD COLUMN ban_reason TEXT;

      -- Ed25519 ticket signing keys; "active" is 1 for the one signing key, NULL once retired.
      CREATE TABLE ticket_keys (
        kid         TEXT PRIMARY KEY,
        public_key  TEXT NOT NULL,
        private_key TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        retired_at  INTEGER,
        active      INTEGER UNIQUE
      ) STRICT;

      CREATE TABLE auth_tickets (
        id          TEXT PRIMARY KEY,
        account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        handle      INTEGER NOT NULL,
        session_id  TEXT NOT NULL,
        identity    TEXT NOT NULL,
        app_id      INTEGER NOT NULL,
        issued_at   INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        canceled_at INTEGER,
        used_at     INTEGER,
        used_by     TEXT
      ) STRICT;
      CREATE UNIQUE INDEX auth_tickets_handle ON auth_tickets(account_id, handle);
      CREATE INDEX auth_tickets_expires ON auth_tickets(expires_at);
      CREATE INDEX auth_tickets_open ON auth_tickets(session_id) WHERE canceled_at IS NULL AND used_at IS NULL;

      CREATE TABLE auth_sessions (
        id                   TEXT PRIMARY KEY,
        validator_session_id TEXT NOT NULL,
        validator_identity   TEXT NOT NULL,
        validator_kind       TEXT NOT NULL,
        user_id              TEXT NOT NULL,
        player_session_id    TEXT NOT NULL,
        ticket_id            TEXT NOT NULL,
        app_id               INTEGER NOT NULL,
        owner_id             TEXT,
        response             INTEGER,
        response_seq         INTEGER NOT NULL,
        created_at           INTEGER NOT NULL,
        ended_at             INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX auth_sessions_live ON auth_sessions(validator_session_id, user_id) WHERE ended_at IS NULL;
      CREATE INDEX auth_sessions_user ON auth_sessions(user_id) WHERE ended_at IS NULL;
      CREATE INDEX auth_sessions_validator ON auth_sessions(validator_session_id) WHERE ended_at IS NULL;
      CREATE INDEX auth_sessions_ticket ON auth_sessions(ticket_id);
      CREATE INDEX auth_sessions_created ON auth_sessions(created_at);

      CREATE TABLE auth_session_events (
        id                   TEXT PRIMARY KEY,
        validator_session_id TEXT NOT NULL,
        auth_session_id      TEXT NOT NULL,
        seq                  INTEGER NOT NULL,
        payload              TEXT NOT NULL,
        created_at           INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX auth_session_events_validator ON auth_session_events(validator_session_id, created_at);
      CREATE INDEX auth_session_events_created ON auth_session_events(created_at);

      -- An own license has owner_id = account_id; a borrowed one names the lender.
      CREATE TABLE licenses (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        owner_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        granted_at INTEGER NOT NULL,
        expires_at INTEGER,
        PRIMARY KEY (account_id, owner_id)
      ) STRICT;
      CREATE INDEX licenses_owner ON licenses(owner_id);

      CREATE TABLE game_servers (
        identity    TEXT PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL UNIQUE,
        created_at  INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: "steam owner and VAC status",
    sql: `
      -- What Steam said at the last Steam sign-in or link (docs/steam.md): the game owner's Steam id
      -- when the game is borrowed (family sharing), and whether the player is VAC banned in this game.
      ALTER TABLE accounts ADD COLUMN steam_owner_id TEXT;
      ALTER TABLE accounts ADD COLUMN steam_vac_banned INTEGER NOT NULL DEFAULT 0 CHECK (steam_vac_banned IN (0, 1));
    `,
  },
  {
    version: 4,
    name: "revoked sessions index",
    // The cluster's database poll reads revocations since a cursor; most rows are never revoked.
    sql: `
      CREATE INDEX sessions_revoked_at ON sessions(revoked_at) WHERE revoked_at IS NOT NULL;
    `,
  },
  {
    version: 6,
    name: "console users and sessions, audit log, activity counts, account listing",
    sql: `
      CREATE TABLE console_users (
        id              TEXT PRIMARY KEY,
        username        TEXT NOT NULL UNIQUE,
        password_hash   TEXT NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        disabled_at     INTEGER,
        last_sign_in_at INTEGER
      ) STRICT;

      -- Opaque console tokens, stored as their SHA-256.
      CREATE TABLE console_sessions (
        id         TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id    TEXT NOT NULL REFERENCES console_users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        client_ip  TEXT,
        user_agent TEXT
      ) STRICT;
      CREATE INDEX console_sessions_user ON console_sessions(user_id);
      CREATE INDEX console_sessions_expires ON console_sessions(expires_at);

      -- user_id is not a foreign key: the trail of a deleted account stays.
      CREATE TABLE audit_events (
        id         TEXT PRIMARY KEY,
        time       INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        actor_type TEXT NOT NULL,
        actor_id   TEXT,
        user_id    TEXT,
        ip         TEXT,
        details    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_events_time ON audit_events(time, id);
      CREATE INDEX audit_events_user ON audit_events(user_id, time, id) WHERE user_id IS NOT NULL;
      CREATE INDEX audit_events_kind ON audit_events(kind, time, id);
      CREATE INDEX audit_events_actor ON audit_events(actor_type, actor_id, time, id);

      -- Per-minute counts (sign-ins, refreshes, errors ...) added up by every node.
      CREATE TABLE activity_counts (
        minute INTEGER NOT NULL,
        kind   TEXT NOT NULL,
        count  INTEGER NOT NULL,
        PRIMARY KEY (minute, kind)
      ) STRICT, WITHOUT ROWID;

      -- The console's newest-first account list. Prefix searches use the existing (binary) indexes.
      CREATE INDEX accounts_create_time ON accounts(create_time, id);
    `,
  },
  {
    version: 7,
    name: "identities",
    // Every way to sign in becomes one row of one table; the old per-kind columns and the device
    // table are moved over and then dropped, in this one transaction. Devices keep their link
    // order: they are copied in rowid order and seq (the rowid) numbers them in that order.
    sql: `
      CREATE TABLE identities (
        seq           INTEGER PRIMARY KEY,
        provider      TEXT NOT NULL,
        subject       TEXT NOT NULL,
        account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        create_time   INTEGER NOT NULL,
        last_use_time INTEGER NOT NULL,
        profile       TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE UNIQUE INDEX identities_provider_subject ON identities(provider, subject);
      CREATE INDEX identities_account ON identities(account_id, seq);

      INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile)
        SELECT 'email', lower(email), id, create_time, update_time, '{}' FROM accounts WHERE email IS NOT NULL ORDER BY create_time, id;
      INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile)
        SELECT 'custom', custom_id, id, create_time, update_time, '{}' FROM accounts WHERE custom_id IS NOT NULL ORDER BY create_time, id;
      INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile)
        SELECT 'steam', steam_id, id, create_time, update_time,
          json_object('owner_id', steam_owner_id, 'vac_banned', json(CASE steam_vac_banned WHEN 1 THEN 'true' ELSE 'false' END))
        FROM accounts WHERE steam_id IS NOT NULL ORDER BY create_time, id;
      INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile)
        SELECT 'device', d.id, d.account_id, a.create_time, a.update_time, '{}'
        FROM account_devices d JOIN accounts a ON a.id = d.account_id ORDER BY d.rowid;

      -- SQLite drops no indexed column: the indexes go first.
      DROP INDEX accounts_email;
      DROP INDEX accounts_custom_id;
      DROP INDEX accounts_steam_id;
      ALTER TABLE accounts DROP COLUMN email;
      ALTER TABLE accounts DROP COLUMN custom_id;
      ALTER TABLE accounts DROP COLUMN steam_id;
      ALTER TABLE accounts DROP COLUMN steam_owner_id;
      ALTER TABLE accounts DROP COLUMN steam_vac_banned;
      DROP TABLE account_devices;
    `,
  },
  {
    version: 8,
    name: "code links",
    // Code-Link sign-in codes (docs/code-link.md): a signed-out device's code, confirmed by a
    // signed-in player, used up by one sign-in. The hourly purge deletes rows once they expire.
    sql: `
      CREATE TABLE code_links (
        id                   TEXT PRIMARY KEY,
        code                 TEXT NOT NULL UNIQUE,
        challenge            TEXT NOT NULL,
        identifier           TEXT NOT NULL,
        create_time          INTEGER NOT NULL,
        expire_time          INTEGER NOT NULL,
        interval_sec         INTEGER NOT NULL,
        last_poll_time       INTEGER,
        confirmed_account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
        confirm_time         INTEGER,
        consumed_time        INTEGER
      ) STRICT;
      CREATE INDEX code_links_expire_time ON code_links(expire_time);
      -- An account's deletion finds its confirmed codes without a scan.
      CREATE INDEX code_links_confirmed_account ON code_links(confirmed_account_id) WHERE confirmed_account_id IS NOT NULL;
    `,
  },
];
