-- Accounts (projection of `account` events), their credentials and web sessions.
-- See crates/storage/src/accounts.rs.

-- One row per account, rebuilt from the `account` stream. `login` is the personal
-- identification number of a citizen, the tax code of a business or a staff login name;
-- the three shapes never collide. `role` and its scope (`agency` for staff, `unit` for
-- inspectors) are what authorization reads.
CREATE TABLE accounts (
    id         TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('citizen', 'business', 'staff')),
    login      TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    phone      TEXT,
    role       TEXT    NOT NULL,
    agency     TEXT,
    unit       TEXT,
    eid_level  INTEGER NOT NULL,
    disabled   BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    version    BIGINT  NOT NULL
);

CREATE UNIQUE INDEX accounts_by_login ON accounts (login);
CREATE INDEX accounts_by_agency ON accounts (agency, login);

-- Credentials are secrets, not history: they stay out of the append-only log, so a replaced
-- password hash is really gone. The log records only that a password was set, when, by whom.
CREATE TABLE account_credentials (
    account_id    TEXT PRIMARY KEY REFERENCES accounts (id),
    password_hash TEXT NOT NULL,
    changed_at    TIMESTAMPTZ NOT NULL
);

-- Web sessions: ephemeral, not event-sourced (sign-in and sign-out are events of the
-- account). The token itself is never stored, only its SHA-256; a session ends at the
-- first of `idle_expires_at` (moved forward while used) and `expires_at` (fixed).
CREATE TABLE sessions (
    token_hash      TEXT    PRIMARY KEY,
    account_id      TEXT    NOT NULL REFERENCES accounts (id),
    csrf_token      TEXT    NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    idle_seconds    BIGINT  NOT NULL,
    idle_expires_at TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
