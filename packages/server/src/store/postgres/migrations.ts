/**
 * PostgreSQL schema migrations (the statements only): the same tables as the SQLite store's, in
 * PostgreSQL types. `store/migrator.ts` applies the pending ones in order at start-up, in one
 * transaction under an advisory lock (several nodes may start at once), and records them in
 * `schema_migrations`. Never edit a released migration: add the next one.
 */
import type { Migration } from "../migration.js";

export type { Migration };

/**
 * Ids are text (UUIDs from the domain, device ids from clients), times BIGINT unix ms. `vars` and
 * `metadata` stay TEXT, not JSONB: JSONB reorders object keys, and a duplicate refresh must re-sign
 * byte-identical tokens from the stored claims. Constraint names are explicit because conflicts
 * are reported by constraint name (see `conflictField` in postgres-store.ts).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "accounts and sessions",
    sql: `
      CREATE TABLE accounts (
        id            TEXT NOT NULL,
        username      TEXT NOT NULL,
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
        create_time   BIGINT NOT NULL,
        update_time   BIGINT NOT NULL,
        verify_time   BIGINT,
        disable_time  BIGINT,
        CONSTRAINT accounts_pkey PRIMARY KEY (id),
        CONSTRAINT accounts_username_key UNIQUE (username),
        CONSTRAINT accounts_email_key UNIQUE (email),
        CONSTRAINT accounts_custom_id_key UNIQUE (custom_id),
        CONSTRAINT accounts_steam_id_key UNIQUE (steam_id)
      );

      -- seq keeps devices in link order (SQLite's rowid order).
      CREATE TABLE account_devices (
        id         TEXT NOT NULL,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        seq        BIGINT GENERATED ALWAYS AS IDENTITY,
        CONSTRAINT account_devices_pkey PRIMARY KEY (id)
      );
      CREATE INDEX account_devices_account_id ON account_devices(account_id, seq);

      CREATE TABLE sessions (
        id                     TEXT NOT NULL,
        account_id             TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at             BIGINT NOT NULL,
        last_refresh_at        BIGINT,
        generation             INTEGER NOT NULL,
        rotated_at             BIGINT NOT NULL,
        username               TEXT NOT NULL,
        vars                   TEXT NOT NULL,
        issued_at_sec          BIGINT NOT NULL,
        token_expires_at_sec   BIGINT NOT NULL,
        refresh_expires_at_sec BIGINT NOT NULL,
        client_ip              TEXT,
        user_agent             TEXT,
        revoked_at             BIGINT,
        revoked_reason         TEXT,
        CONSTRAINT sessions_pkey PRIMARY KEY (id)
      );
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
        created_at  BIGINT NOT NULL,
        retired_at  BIGINT,
        active      INTEGER,
        CONSTRAINT ticket_keys_active UNIQUE (active)
      );

      CREATE TABLE auth_tickets (
        id          TEXT PRIMARY KEY,
        account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        handle      BIGINT NOT NULL,
        session_id  TEXT NOT NULL,
        identity    TEXT NOT NULL,
        app_id      BIGINT NOT NULL,
        issued_at   BIGINT NOT NULL,
        expires_at  BIGINT NOT NULL,
        canceled_at BIGINT,
        used_at     BIGINT,
        used_by     TEXT
      );
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
        app_id               BIGINT NOT NULL,
        owner_id             TEXT,
        response             INTEGER,
        response_seq         INTEGER NOT NULL,
        created_at           BIGINT NOT NULL,
        ended_at             BIGINT
      );
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
        created_at           BIGINT NOT NULL
      );
      CREATE INDEX auth_session_events_validator ON auth_session_events(validator_session_id, created_at);
      CREATE INDEX auth_session_events_created ON auth_session_events(created_at);

      -- An own license has owner_id = account_id; a borrowed one names the lender.
      CREATE TABLE licenses (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        owner_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        granted_at BIGINT NOT NULL,
        expires_at BIGINT,
        PRIMARY KEY (account_id, owner_id)
      );
      CREATE INDEX licenses_owner ON licenses(owner_id);

      CREATE TABLE game_servers (
        identity    TEXT NOT NULL,
        id          TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at  BIGINT NOT NULL,
        CONSTRAINT game_servers_pkey PRIMARY KEY (identity),
        CONSTRAINT game_servers_id_key UNIQUE (id),
        CONSTRAINT game_servers_secret_key UNIQUE (secret_hash)
      );
    `,
  },
  {
    version: 3,
    name: "steam owner and VAC status",
    sql: `
      -- What Steam said at the last Steam sign-in or link (docs/steam.md): the game owner's Steam id
      -- when the game is borrowed (family sharing), and whether the player is VAC banned in this game.
      ALTER TABLE accounts ADD COLUMN steam_owner_id TEXT;
      ALTER TABLE accounts ADD COLUMN steam_vac_banned BOOLEAN NOT NULL DEFAULT FALSE;
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
        id              TEXT NOT NULL,
        username        TEXT NOT NULL,
        password_hash   TEXT NOT NULL,
        role            TEXT NOT NULL,
        created_at      BIGINT NOT NULL,
        updated_at      BIGINT NOT NULL,
        disabled_at     BIGINT,
        last_sign_in_at BIGINT,
        CONSTRAINT console_users_pkey PRIMARY KEY (id),
        CONSTRAINT console_users_username_key UNIQUE (username),
        CONSTRAINT console_users_role CHECK (role IN ('admin', 'viewer'))
      );

      -- Opaque console tokens, stored as their SHA-256.
      CREATE TABLE console_sessions (
        id         TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        user_id    TEXT NOT NULL REFERENCES console_users(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        client_ip  TEXT,
        user_agent TEXT,
        CONSTRAINT console_sessions_pkey PRIMARY KEY (id),
        CONSTRAINT console_sessions_token_key UNIQUE (token_hash)
      );
      CREATE INDEX console_sessions_user ON console_sessions(user_id);
      CREATE INDEX console_sessions_expires ON console_sessions(expires_at);

      -- user_id is not a foreign key: the trail of a deleted account stays.
      CREATE TABLE audit_events (
        id         TEXT NOT NULL,
        time       BIGINT NOT NULL,
        kind       TEXT NOT NULL,
        actor_type TEXT NOT NULL,
        actor_id   TEXT,
        user_id    TEXT,
        ip         TEXT,
        details    TEXT NOT NULL,
        CONSTRAINT audit_events_pkey PRIMARY KEY (id)
      );
      CREATE INDEX audit_events_time ON audit_events(time, id);
      CREATE INDEX audit_events_user ON audit_events(user_id, time, id) WHERE user_id IS NOT NULL;
      CREATE INDEX audit_events_kind ON audit_events(kind, time, id);
      CREATE INDEX audit_events_actor ON audit_events(actor_type, actor_id, time, id);

      -- Per-minute counts (sign-ins, refreshes, errors ...) added up by every node.
      CREATE TABLE activity_counts (
        minute BIGINT NOT NULL,
        kind   TEXT NOT NULL,
        count  BIGINT NOT NULL,
        CONSTRAINT activity_counts_pkey PRIMARY KEY (minute, kind)
      );

      -- The console's newest-first account list, and its prefix searches: byte order (COLLATE "C"),
      -- which the UNIQUE constraints' indexes (database collation) cannot serve.
      CREATE INDEX accounts_create_time ON accounts(create_time, id);
      CREATE INDEX accounts_username_bytes ON accounts(username COLLATE "C");
      CREATE INDEX accounts_email_bytes ON accounts(email COLLATE "C") WHERE email IS NOT NULL;
      CREATE INDEX accounts_custom_id_bytes ON accounts(custom_id COLLATE "C") WHERE custom_id IS NOT NULL;
      CREATE INDEX accounts_steam_id_bytes ON accounts(steam_id COLLATE "C") WHERE steam_id IS NOT NULL;
      CREATE INDEX account_devices_id_bytes ON account_devices(id COLLATE "C");
    `,
  },
  {
    version: 7,
    name: "identities",
    // Every way to sign in becomes one row of one table; the old per-kind columns and the device
    // table are moved over and then dropped, in this one transaction. Devices keep their link
    // order: they are copied in seq order and the new seq numbers them in that order.
    // identities_subject_bytes serves the console's bytewise prefix searches (as accounts_*_bytes did).
    sql: `
      CREATE TABLE identities (
        provider      TEXT NOT NULL,
        subject       TEXT NOT NULL,
        account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        create_time   BIGINT NOT NULL,
        last_use_time BIGINT NOT NULL,
        profile       TEXT NOT NULL DEFAULT '{}',
        seq           BIGINT GENERATED ALWAYS AS IDENTITY,
        CONSTRAINT identities_pkey PRIMARY KEY (provider, subject)
      );
      CREATE INDEX identities_account ON identities(account_id, seq);
      CREATE INDEX identities_subject_bytes ON identities(provider, subject COLLATE "C");

      INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile)
        SELECT 'email', lower(email), id, create_time, update_time, '{}' FROM accounts WHERE email IS NOT NULL ORDER BY create_time, id;
      INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile)
        SELECT 'custom', custom_id, id, create_time, update_time, '{}' FROM accounts WHERE custom_id IS NOT NULL ORDER BY create_time, id;
      INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile)
        SELECT 'steam', steam_id, id, create_time, update_time, jsonb_build_object('owner_id', steam_owner_id, 'vac_banned', steam_vac_banned)::text
        FROM accounts WHERE steam_id IS NOT NULL ORDER BY create_time, id;
      INSERT INTO identities (provider, subject, account_id, create_time, last_use_time, profile)
        SELECT 'device', d.id, d.account_id, a.create_time, a.update_time, '{}'
        FROM account_devices d JOIN accounts a ON a.id = d.account_id ORDER BY d.seq;

      -- Their unique constraints and indexes go with the columns.
      ALTER TABLE accounts DROP COLUMN email, DROP COLUMN custom_id, DROP COLUMN steam_id, DROP COLUMN steam_owner_id, DROP COLUMN steam_vac_banned;
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
        id                   TEXT NOT NULL,
        code                 TEXT NOT NULL,
        challenge            TEXT NOT NULL,
        identifier           TEXT NOT NULL,
        create_time          BIGINT NOT NULL,
        expire_time          BIGINT NOT NULL,
        interval_sec         BIGINT NOT NULL,
        last_poll_time       BIGINT,
        confirmed_account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
        confirm_time         BIGINT,
        consumed_time        BIGINT,
        CONSTRAINT code_links_pkey PRIMARY KEY (id),
        CONSTRAINT code_links_code UNIQUE (code)
      );
      CREATE INDEX code_links_expire_time ON code_links(expire_time);
      -- An account's deletion finds its confirmed codes without a scan.
      CREATE INDEX code_links_confirmed_account ON code_links(confirmed_account_id) WHERE confirmed_account_id IS NOT NULL;
    `,
  },
];
