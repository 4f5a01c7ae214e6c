/**
 * SQLite schema migrations, applied in order at start-up, each in its own transaction and recorded
 * in `schema_migrations`. Never edit a released migration: add the next one.
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
    version: 4,
    name: "revoked sessions index",
    // The cluster's database poll reads revocations since a cursor; most rows are never revoked.
    sql: `
      CREATE INDEX sessions_revoked_at ON sessions(revoked_at) WHERE revoked_at IS NOT NULL;
    `,
  },
];
