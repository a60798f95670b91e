-- Reads at scale (issue 4 §7, measured with `motcua loadtest` on a million dossiers).
--
-- Worklists: an agency's dossiers in the open statuses. The partial index of 0003 covers
-- only dossiers whose processing has not ended, but a worklist also lists processed
-- dossiers awaiting return; without this index every worklist request read the agency's
-- whole history (or the whole table). Statuses follow the agency so the open ones of one
-- agency are a few index ranges.
CREATE INDEX dossiers_by_agency_status ON dossiers (agency, status, statistical_due_at);

-- Procedure search ranks names (code, version, folded name, name): a covering index lets
-- the name scan read these columns only, never the procedures' documents.
CREATE INDEX procedures_names ON procedures (code, version, name_folded, name);
