-- Decision 766 indicator 3.0: dossiers received for procedures offered as a full-process
-- online service, and those of them received online
-- (`motcua_domain::kpi::counts::Metric::FullProcessEligible`, `FullProcessOnline`).
-- Dossiers recorded before carry no such flag, so they add nothing: the counters still
-- cover the log.
ALTER TABLE kpi_months ADD COLUMN full_process_eligible BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_months ADD COLUMN full_process_online BIGINT NOT NULL DEFAULT 0;
