-- The append-only event log shared by every aggregate. See crates/storage/src/events.rs.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    stream_type  TEXT    NOT NULL,
    stream_id    TEXT    NOT NULL,
    version      INTEGER NOT NULL CHECK (version > 0),
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    occurred_at  TEXT    NOT NULL,
    actor_id     TEXT    NOT NULL,
    actor_role   TEXT    NOT NULL,
    actor_agency TEXT,
    channel      TEXT    NOT NULL,
    request_id   TEXT,
    UNIQUE (stream_type, stream_id, version)
);

-- History is never rewritten: the database itself refuses it.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
