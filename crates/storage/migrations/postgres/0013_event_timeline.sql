-- A dossier's public history (`Store::stream_timeline`: the kind and instant of each of its
-- events, for tracking by code) from the index alone. Through the unique index of 0001 it
-- read every event's row, payload and all, each on a page of its own since a dossier's
-- events are written days apart: about seven random page reads per tracked dossier at a
-- million dossiers (issue 4 §7, `motcua loadtest --scenario track`).
CREATE INDEX events_timeline ON events (stream_type, stream_id, version, kind, occurred_at);
