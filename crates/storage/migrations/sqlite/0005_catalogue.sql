-- Projection of `procedure` events: one row per procedure version, with the columns that lists
-- filter on. `body` holds the whole `motcua_domain::catalog::Procedure` as JSON; `name_folded`
-- is `motcua_domain::fold::fold(name)` for diacritic-insensitive search; `levels` is the list
-- of levels written `|province|commune|` so one LIKE finds a level. See crates/storage/src/catalog.rs.
CREATE TABLE procedures (
    code             TEXT    NOT NULL,
    version          INTEGER NOT NULL CHECK (version > 0),
    name             TEXT    NOT NULL,
    name_folded      TEXT    NOT NULL,
    sector           TEXT    NOT NULL,
    levels           TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    online_level     TEXT    NOT NULL,
    time_limit_value REAL,
    time_limit_unit  TEXT,
    state            TEXT    NOT NULL,
    valid_from       TEXT,
    valid_to         TEXT,
    body             TEXT    NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE INDEX procedures_by_sector ON procedures (sector);

-- Projection of `simplification_plan` events: the current state of each plan.
CREATE TABLE simplification_plans (
    id             TEXT    PRIMARY KEY,
    procedure_code TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    decision_no    TEXT,
    reason         TEXT,
    proposed_at    TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    body           TEXT    NOT NULL
);

CREATE INDEX simplification_plans_by_procedure ON simplification_plans (procedure_code);
