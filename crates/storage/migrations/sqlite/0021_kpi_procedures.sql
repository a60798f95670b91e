-- Decision 766 indicators 3.2, 3.5, 3.5b and 4.5a count procedures with at least one dossier
-- of a kind in the period, which per-agency counts cannot give for a quarter or a year: per
-- agency, local month of receipt and procedure, the dossiers received online, with
-- population data (e-ID or the data store), asked to pay, and paid online
-- (motcua_domain::kpi::counts::ProcedureFlow), moved in the transaction of each dossier
-- change like kpi_months. Existing months cannot be derived here: with dossiers on record,
-- the counters are marked as not covering the log, and reports ask for `motcua kpi rebuild`.
CREATE TABLE kpi_procedures (
    agency          TEXT   NOT NULL,
    month           TEXT   NOT NULL,
    procedure_code  TEXT   NOT NULL,
    online          INTEGER NOT NULL DEFAULT 0,
    population_data INTEGER NOT NULL DEFAULT 0,
    fee_asked       INTEGER NOT NULL DEFAULT 0,
    paid_online     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, agency, procedure_code)
) WITHOUT ROWID;

UPDATE kpi_state SET complete = FALSE WHERE EXISTS (SELECT 1 FROM dossiers);
