-- The public portal: uploaded files, drafts of online submissions, files attached to a
-- dossier after its submission, and feedback and petitions (PAKN). See
-- crates/storage/src/{files,drafts,petitions}.rs.

-- The content-addressed store's index: one row per distinct content, whose bytes live on disk
-- under the SHA-256 (`files/ab/abcdef…`). A row is written only after its file is durable,
-- and neither ever changes; not event-sourced because content has no history.
CREATE TABLE files (
    sha256     TEXT    PRIMARY KEY,
    size       INTEGER NOT NULL CHECK (size >= 0),
    media_type TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

-- Drafts of online submissions: private scratch copies of a form, per account. Not
-- event-sourced — a draft is not a record of the administration, and deleting one must
-- really erase the personal data typed into it. `version` guards against lost updates.
CREATE TABLE drafts (
    id             TEXT    PRIMARY KEY,
    account_id     TEXT    NOT NULL REFERENCES accounts (id),
    procedure_code TEXT    NOT NULL,
    form           TEXT    NOT NULL,
    files          TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    version        INTEGER NOT NULL CHECK (version > 0)
);

CREATE INDEX drafts_by_account ON drafts (account_id, updated_at);

-- Projection of `dossier_attachment` events: files given after submission (a supplement),
-- one row per event of the stream (stream id = the dossier code).
CREATE TABLE dossier_attachments (
    code        TEXT    NOT NULL,
    version     INTEGER NOT NULL CHECK (version > 0),
    purpose     TEXT    NOT NULL,
    files       TEXT    NOT NULL,
    attached_at TEXT    NOT NULL,
    PRIMARY KEY (code, version)
);

-- Projection of `petition` events: the current state of each petition, with the columns
-- lists filter on; `state` holds the whole domain state as JSON.
CREATE TABLE petitions (
    code           TEXT    PRIMARY KEY,
    agency         TEXT    NOT NULL,
    account_id     TEXT,
    class          TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    procedure_code TEXT,
    received_at    TEXT    NOT NULL,
    answer_due     TEXT    NOT NULL,
    answered_at    TEXT,
    published_at   TEXT,
    version        INTEGER NOT NULL,
    state          TEXT    NOT NULL
);

CREATE INDEX petitions_by_agency ON petitions (agency, received_at);
CREATE INDEX petitions_by_account ON petitions (account_id, received_at);
CREATE INDEX petitions_published ON petitions (published_at) WHERE published_at IS NOT NULL;
