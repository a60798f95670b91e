-- Decision 766 indicator 3.6: dossiers received with a financial obligation, and those of
-- them paid online (`motcua_domain::kpi::counts::Metric::FinancialObligation`, `PaidOnline`);
-- and indicator 4.2 now also asks for a result file where the result is a document.
-- Existing months cannot be derived here: with dossiers on record, the counters are marked
-- as not covering the log, and reports ask for `motcua kpi rebuild`.
ALTER TABLE kpi_months ADD COLUMN financial_obligation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_months ADD COLUMN paid_online BIGINT NOT NULL DEFAULT 0;

UPDATE kpi_state SET complete = FALSE WHERE EXISTS (SELECT 1 FROM dossiers);
