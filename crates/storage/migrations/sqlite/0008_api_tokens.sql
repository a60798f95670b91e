-- API tokens for machine clients, and external e-ID identities linked to accounts.
-- See crates/storage/src/api_tokens.rs.

-- One row per API token, the projection of the `api_token` stream (`created`, `revoked`).
-- The secret itself is never stored, only its SHA-256 (`token_hash`). A token acts for one
-- agency in one staff role, limited to its `scopes` (space-separated, e.g.
-- `dossiers:read catalog:read`). `last_used_at` is written at most once a minute and is not
-- an event: every API request would otherwise append to the log.
CREATE TABLE api_tokens (
    id           TEXT    PRIMARY KEY,
    token_hash   TEXT    NOT NULL,
    agency       TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT,
    version      INTEGER NOT NULL
);

CREATE UNIQUE INDEX api_tokens_by_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_by_agency ON api_tokens (agency, created_at);

-- An identity at an external OpenID provider (the national e-ID, VNeID, or another),
-- by issuer and subject, linked to one account. Linking is an event of the account
-- (`eid_linked`); this table is what a sign-in looks up.
CREATE TABLE account_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    linked_at  TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

CREATE INDEX account_identities_by_account ON account_identities (account_id);
