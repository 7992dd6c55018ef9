-- One schema for SQLite and PostgreSQL: only types and syntax both accept
-- (TEXT, BIGINT, INTEGER, named constraints). Times are Unix seconds (UTC).
-- Never edit an applied migration: its checksum is recorded; add a new file.

-- One row per user. `username` is the Sinch user id. Passwords arrive here only
-- as PHC hash strings.
CREATE TABLE accounts (
    id                  TEXT   NOT NULL PRIMARY KEY,
    username            TEXT   NOT NULL,
    password_hash       TEXT   NOT NULL,
    created_at          BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    last_login_at       BIGINT,
    -- The database, not a check-then-insert, decides who wins a name.
    CONSTRAINT accounts_username_key UNIQUE (username),
    CONSTRAINT accounts_username_length CHECK (length(username) BETWEEN 1 AND 255)
);

-- Sessions are looked up by the SHA-256 of the token (lowercase hex); the token
-- itself is never stored.
CREATE TABLE sessions (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    account_id TEXT   NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    CONSTRAINT sessions_token_hash_is_sha256_hex CHECK (length(token_hash) = 64)
);
CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- The throw-away development application, generated once and shared by every
-- instance on this database. At most one row.
CREATE TABLE development_credentials (
    singleton          INTEGER NOT NULL PRIMARY KEY,
    application_key    TEXT    NOT NULL,
    application_secret TEXT    NOT NULL,
    created_at         BIGINT  NOT NULL,
    CONSTRAINT development_credentials_single_row CHECK (singleton = 1)
);
