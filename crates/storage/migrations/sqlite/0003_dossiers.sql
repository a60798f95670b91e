-- Projection of `dossier` events: the current state of each dossier, with the columns that
-- lists and statistics filter on. `state` holds the whole domain state as JSON.
CREATE TABLE dossiers (
    code                TEXT    PRIMARY KEY,
    agency              TEXT    NOT NULL,
    procedure_code      TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    channel             TEXT    NOT NULL,
    applicant_kind      TEXT    NOT NULL,
    applicant_number    TEXT    NOT NULL,
    applicant_phone     TEXT,
    submitted_at        TEXT    NOT NULL,
    received_at         TEXT,
    due_at              TEXT,
    statistical_due_at  TEXT,
    finished_at         TEXT,
    returned_at         TEXT,
    result_form         TEXT,
    waiting_reason      TEXT,
    waiting_since       TEXT,
    supplement_requests INTEGER NOT NULL,
    extended            BOOLEAN NOT NULL,
    rating              TEXT,
    step                TEXT,
    step_agency         TEXT,
    version             INTEGER NOT NULL,
    state               TEXT    NOT NULL
);

-- Secondary indexes come with the queries that need them: every index is paid for at
-- every intake (see `motcua bench`). Worklists: an agency's open dossiers by deadline, and
-- dossiers at a step of another agency; "my dossiers": by applicant.
CREATE INDEX dossiers_worklist ON dossiers (agency, statistical_due_at) WHERE finished_at IS NULL;
CREATE INDEX dossiers_by_step_agency ON dossiers (step_agency) WHERE step_agency IS NOT NULL;
CREATE INDEX dossiers_by_applicant ON dossiers (applicant_number);

-- Daily sequence of dossier codes per agency (Circular 01/2018/TT-VPCP art. 19), advanced in
-- the transaction that creates the dossier, so codes are unique and gap-free.
CREATE TABLE dossier_sequences (
    agency     TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (agency, day)
);
