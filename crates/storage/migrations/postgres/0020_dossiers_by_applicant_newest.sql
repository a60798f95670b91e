-- An applicant's dossiers newest first (`DossierOrder::NewestFirst`: "my dossiers", the data
-- store) read from the index alone, however many dossiers the applicant has: the index on the
-- number alone made a business with thousands of dossiers sort them all on every page.
CREATE INDEX dossiers_by_applicant_newest ON dossiers (applicant_number, submitted_at DESC, code DESC);
DROP INDEX dossiers_by_applicant;
