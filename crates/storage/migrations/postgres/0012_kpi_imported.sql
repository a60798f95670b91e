-- Figures imported from elsewhere (issue 5 §1: e-ID accounts, public investment, …), per
-- unit, month and key: the projection of the `kpi_import` streams (one per unit and
-- month), the latest import of a key winning. Shown beside the computed figures, marked.
CREATE TABLE kpi_imported (
    unit        TEXT   NOT NULL,
    month       TEXT   NOT NULL,
    key         TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    measure     TEXT   NOT NULL,
    source      TEXT   NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (unit, month, key)
);
