-- Decision 766 indicators 3.2, 3.5, 3.5b and 4.5a count procedures with at least one dossier
-- of a kind in the period (motcua_domain::kpi::counts::ProcedureFlow), which per-agency
-- counts cannot give. kpi_procedure_uses holds those dossiers per scope (an agency, or a
-- unit it lies in on today's map), period (a month, its quarter, its year) and procedure,
-- moved in the transaction of each dossier change like kpi_months; the trigger keeps, in
-- kpi_procedures_used, how many procedures of each scope and period have each flow above 0,
-- so a report reads one row per unit. Existing months cannot be derived here: with
-- dossiers on record, the counters are marked as not covering the log, and reports ask for
-- `motcua kpi rebuild`.
CREATE TABLE kpi_procedure_uses (
    scope           TEXT   NOT NULL,
    period          TEXT   NOT NULL,
    procedure_code  TEXT   NOT NULL,
    online          BIGINT NOT NULL DEFAULT 0,
    population_data BIGINT NOT NULL DEFAULT 0,
    fee_asked       BIGINT NOT NULL DEFAULT 0,
    paid_online     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period, procedure_code)
);

CREATE TABLE kpi_procedures_used (
    scope           TEXT   NOT NULL,
    period          TEXT   NOT NULL,
    online          BIGINT NOT NULL DEFAULT 0,
    population_data BIGINT NOT NULL DEFAULT 0,
    fee_asked       BIGINT NOT NULL DEFAULT 0,
    paid_online     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (period, scope)
);

-- A procedure's flow going from 0 to above 0 adds one procedure used; back to 0, takes it
-- away. Additions only, as the other counters.
CREATE FUNCTION kpi_procedures_used_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o BIGINT := (NEW.online > 0)::int;
    p BIGINT := (NEW.population_data > 0)::int;
    f BIGINT := (NEW.fee_asked > 0)::int;
    q BIGINT := (NEW.paid_online > 0)::int;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        o := o - (OLD.online > 0)::int;
        p := p - (OLD.population_data > 0)::int;
        f := f - (OLD.fee_asked > 0)::int;
        q := q - (OLD.paid_online > 0)::int;
    END IF;
    IF o <> 0 OR p <> 0 OR f <> 0 OR q <> 0 THEN
        INSERT INTO kpi_procedures_used
            (scope, period, online, population_data, fee_asked, paid_online)
        VALUES (NEW.scope, NEW.period, o, p, f, q)
        ON CONFLICT (period, scope) DO UPDATE SET
            online = kpi_procedures_used.online + excluded.online,
            population_data = kpi_procedures_used.population_data + excluded.population_data,
            fee_asked = kpi_procedures_used.fee_asked + excluded.fee_asked,
            paid_online = kpi_procedures_used.paid_online + excluded.paid_online;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER kpi_procedure_uses_follow AFTER INSERT OR UPDATE ON kpi_procedure_uses
    FOR EACH ROW EXECUTE FUNCTION kpi_procedures_used_follow();

UPDATE kpi_state SET complete = FALSE WHERE EXISTS (SELECT 1 FROM dossiers);
