-- The append-only event log shared by every aggregate. See crates/storage/src/events.rs.
CREATE TABLE events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_type  TEXT        NOT NULL,
    stream_id    TEXT        NOT NULL,
    version      BIGINT      NOT NULL CHECK (version > 0),
    kind         TEXT        NOT NULL,
    payload      JSONB       NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    actor_id     TEXT        NOT NULL,
    actor_role   TEXT        NOT NULL,
    actor_agency TEXT,
    channel      TEXT        NOT NULL,
    request_id   TEXT,
    UNIQUE (stream_type, stream_id, version)
);

-- History is never rewritten: the database itself refuses it (TRUNCATE included).
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;

CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
