-- Decision 766 indicator 3.3: dossiers received online with an electronic result where the
-- procedure's result is a document (`motcua_domain::kpi::counts::Metric::OnlineWithResult`).
-- Existing months cannot be derived here: with dossiers on record, the counters are marked
-- as not covering the log, and reports ask for `motcua kpi rebuild`.
ALTER TABLE kpi_months ADD COLUMN online_with_result INTEGER NOT NULL DEFAULT 0;

UPDATE kpi_state SET complete = FALSE WHERE EXISTS (SELECT 1 FROM dossiers);
