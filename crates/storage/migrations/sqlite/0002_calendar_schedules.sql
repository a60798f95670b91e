-- Projection of `calendar_schedule` events: the official schedule in force for each year.
CREATE TABLE calendar_schedules (
    year        INTEGER PRIMARY KEY,
    body        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    imported_at TEXT    NOT NULL
);
