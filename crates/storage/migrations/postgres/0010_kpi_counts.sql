-- Counters of the operations centre (issue 5): per agency, local month and metric, what
-- the dossiers add (motcua_domain::kpi::counts::contributions), changed in the transaction
-- that records each dossier change. `motcua kpi rebuild` recomputes them from the log.
CREATE TABLE kpi_counts (
    agency TEXT   NOT NULL,
    month  TEXT   NOT NULL,
    metric TEXT   NOT NULL,
    value  BIGINT NOT NULL,
    PRIMARY KEY (month, agency, metric)
);

-- One agency's months (its trend); the primary key serves every agency of one month.
CREATE INDEX kpi_counts_by_agency ON kpi_counts (agency, month);

-- Whether the counters cover every recorded dossier: a database that had dossiers before
-- this migration needs one rebuild before its figures are shown.
CREATE TABLE kpi_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    complete BOOLEAN NOT NULL
);
INSERT INTO kpi_state (id, complete) SELECT 1, NOT EXISTS (SELECT 1 FROM dossiers);
