-- Decision 766 indicators 3.2, 3.5, 3.5b and 4.5a count procedures with at least one dossier
-- of a kind in the period (motcua_domain::kpi::counts::ProcedureFlow), which per-agency
-- counts cannot give. kpi_procedure_uses holds those dossiers per scope (an agency, or a
-- unit it lies in on today's map), period (a month, its quarter, its year) and procedure,
-- moved in the transaction of each dossier change like kpi_months; the triggers keep, in
-- kpi_procedures_used, how many procedures of each scope and period have each flow above 0,
-- so a report reads one row per unit. Existing months cannot be derived here: with
-- dossiers on record, the counters are marked as not covering the log, and reports ask for
-- `motcua kpi rebuild`.
CREATE TABLE kpi_procedure_uses (
    scope           TEXT    NOT NULL,
    period          TEXT    NOT NULL,
    procedure_code  TEXT    NOT NULL,
    online          INTEGER NOT NULL DEFAULT 0,
    population_data INTEGER NOT NULL DEFAULT 0,
    fee_asked       INTEGER NOT NULL DEFAULT 0,
    paid_online     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period, procedure_code)
) WITHOUT ROWID;

CREATE TABLE kpi_procedures_used (
    scope           TEXT    NOT NULL,
    period          TEXT    NOT NULL,
    online          INTEGER NOT NULL DEFAULT 0,
    population_data INTEGER NOT NULL DEFAULT 0,
    fee_asked       INTEGER NOT NULL DEFAULT 0,
    paid_online     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period, scope)
) WITHOUT ROWID;

-- A procedure's flow going from 0 to above 0 adds one procedure used; back to 0, takes it
-- away. Additions only, as the other counters.
CREATE TRIGGER kpi_procedure_uses_insert AFTER INSERT ON kpi_procedure_uses
BEGIN
    INSERT INTO kpi_procedures_used
        (scope, period, online, population_data, fee_asked, paid_online)
    VALUES (NEW.scope, NEW.period, NEW.online > 0, NEW.population_data > 0,
            NEW.fee_asked > 0, NEW.paid_online > 0)
    ON CONFLICT (period, scope) DO UPDATE SET
        online = online + excluded.online,
        population_data = population_data + excluded.population_data,
        fee_asked = fee_asked + excluded.fee_asked,
        paid_online = paid_online + excluded.paid_online;
END;

CREATE TRIGGER kpi_procedure_uses_update AFTER UPDATE ON kpi_procedure_uses
WHEN (NEW.online > 0) <> (OLD.online > 0)
  OR (NEW.population_data > 0) <> (OLD.population_data > 0)
  OR (NEW.fee_asked > 0) <> (OLD.fee_asked > 0)
  OR (NEW.paid_online > 0) <> (OLD.paid_online > 0)
BEGIN
    INSERT INTO kpi_procedures_used
        (scope, period, online, population_data, fee_asked, paid_online)
    VALUES (NEW.scope, NEW.period,
            (NEW.online > 0) - (OLD.online > 0),
            (NEW.population_data > 0) - (OLD.population_data > 0),
            (NEW.fee_asked > 0) - (OLD.fee_asked > 0),
            (NEW.paid_online > 0) - (OLD.paid_online > 0))
    ON CONFLICT (period, scope) DO UPDATE SET
        online = online + excluded.online,
        population_data = population_data + excluded.population_data,
        fee_asked = fee_asked + excluded.fee_asked,
        paid_online = paid_online + excluded.paid_online;
END;

UPDATE kpi_state SET complete = FALSE WHERE EXISTS (SELECT 1 FROM dossiers);
