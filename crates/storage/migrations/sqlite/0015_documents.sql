-- Issued documents and the keys that seal them (issue 6, ADR 0013). See
-- crates/storage/src/documents.rs.

-- Projection of `signing_key` events (stream id = the certificate's SHA-256): the
-- installation's root authority (owner '') and each agency's certificates. The private key is
-- kept only wrapped under the master key, which is never in the database; a trusted root
-- held elsewhere has none. The newest unretired key of an agency is the one it signs with.
CREATE TABLE signing_keys (
    fingerprint   TEXT    PRIMARY KEY,
    owner         TEXT    NOT NULL,
    certificate   TEXT    NOT NULL,
    wrapped_key   TEXT,
    master_key_id TEXT,
    subject       TEXT    NOT NULL,
    not_before    TEXT    NOT NULL,
    not_after     TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    retired_at    TEXT,
    version       INTEGER NOT NULL
);

CREATE INDEX signing_keys_by_owner ON signing_keys (owner, created_at);

-- Projection of `document` events (stream id = the verification code): results and certified
-- copies as issued, and their revocation; `state` holds the domain state as JSON.
CREATE TABLE documents (
    code         TEXT    PRIMARY KEY,
    kind         TEXT    NOT NULL,
    agency       TEXT    NOT NULL,
    dossier_code TEXT,
    sha256       TEXT    NOT NULL,
    issued_at    TEXT    NOT NULL,
    revoked_at   TEXT,
    version      INTEGER NOT NULL,
    state        TEXT    NOT NULL
);

CREATE INDEX documents_by_sha256 ON documents (sha256);
CREATE INDEX documents_by_dossier ON documents (dossier_code);
CREATE INDEX documents_by_agency ON documents (agency, issued_at);

-- Every verification of a document, for its owner to see who checked it: an append-only
-- log of its own (anonymous checks carry no account), not a document event, so a busy
-- public page never contends with the document's stream.
CREATE TABLE document_verifications (
    id          TEXT    PRIMARY KEY,
    code        TEXT    NOT NULL,
    verified_at TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    verdict     TEXT    NOT NULL,
    account_id  TEXT
);

CREATE INDEX document_verifications_by_code ON document_verifications (code, verified_at);
