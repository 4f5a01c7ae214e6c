/**
 * PostgreSQL schema migrations: the same tables as the SQLite store's, in PostgreSQL types. Applied
 * in order at start-up, each in its own transaction under an advisory lock (several nodes may start
 * at once), and recorded in `schema_migrations`. Never edit a released migration: add the next one.
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
    version: 4,
    name: "revoked sessions index",
    // The cluster's database poll reads revocations since a cursor; most rows are never revoked.
    sql: `
      CREATE INDEX sessions_revoked_at ON sessions(revoked_at) WHERE revoked_at IS NOT NULL;
    `,
  },
];
