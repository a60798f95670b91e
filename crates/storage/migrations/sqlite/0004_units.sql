-- Projections of `unit`, `merger` and `agency` events. See crates/storage/src/units.rs.

-- One row per validity revision of a unit code: codes are reused across eras (old province
-- 24 is Bắc Giang, new 24 is Bắc Ninh), so a code names a unit only together with a date.
CREATE TABLE units (
    code       TEXT    NOT NULL,
    revision   INTEGER NOT NULL CHECK (revision > 0),
    unit_type  TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    full_name  TEXT    NOT NULL,
    name_en    TEXT,
    parent     TEXT,
    valid_from TEXT,
    valid_to   TEXT,
    version    INTEGER NOT NULL,
    PRIMARY KEY (code, revision),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);

CREATE INDEX units_by_parent ON units (parent, code);
CREATE INDEX units_by_kind ON units (kind, code);

-- Reorganisations: predecessors (valid the day before `effective`) formed `successor`.
CREATE TABLE mergers (
    id          TEXT    PRIMARY KEY,
    successor   TEXT    NOT NULL,
    effective   TEXT    NOT NULL,
    legal_basis TEXT    NOT NULL,
    version     INTEGER NOT NULL
);

CREATE INDEX mergers_by_successor ON mergers (successor, effective);

CREATE TABLE merger_predecessors (
    merger_id   TEXT    NOT NULL REFERENCES mergers (id),
    position    INTEGER NOT NULL,
    predecessor TEXT    NOT NULL,
    share       TEXT    NOT NULL CHECK (share IN ('full', 'partial')),
    PRIMARY KEY (merger_id, position)
);

CREATE INDEX merger_predecessors_by_code ON merger_predecessors (predecessor);

-- Agencies and the identifier code their dossier codes start with (Circular 01/2018/TT-VPCP
-- art. 19). `hours` holds the agency's own office hours as JSON; NULL = the default.
CREATE TABLE agencies (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    valid_from TEXT,
    valid_to   TEXT,
    hours      TEXT,
    version    INTEGER NOT NULL
);

CREATE INDEX agencies_by_unit ON agencies (unit, code);
