-- Projection of `calendar_schedule` events: the official schedule in force for each year.
CREATE TABLE calendar_schedules (
    year        INTEGER     PRIMARY KEY,
    body        TEXT        NOT NULL,
    version     BIGINT      NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL
);
