-- The operations centre's counters, laid out so that a report reads a few rows whatever
-- the history (ADR 0008).
--
-- kpi_months: one row per agency and local month, one column per flow
-- (motcua_domain::kpi::counts::Metric). A unit's twelve-month trend reads twelve rows per
-- agency, where one row per metric made nineteen.
--
-- kpi_stocks: per agency, the counted dossiers open at each month's end, and those open
-- past their appointment, as Fenwick trees over month numbers
-- (motcua_domain::kpi::counts::Node): node n (1 = January 1990, 2048 = August 2160) holds
-- the sum of the stocks' monthly changes over the months n - lowbit(n) + 1 ..= n, so a
-- stock at any month's end is the sum of at most 11 rows. Open changes by received -
-- resolved, overdue by due - due_ended. Before this, a report for month m summed every
-- counter of every month up to m.
CREATE TABLE kpi_months (
    agency               TEXT    NOT NULL,
    month                TEXT    NOT NULL,
    received_online      INTEGER NOT NULL DEFAULT 0,
    received_desk        INTEGER NOT NULL DEFAULT 0,
    received_post        INTEGER NOT NULL DEFAULT 0,
    resolved_early       INTEGER NOT NULL DEFAULT 0,
    resolved_on_time     INTEGER NOT NULL DEFAULT 0,
    resolved_late        INTEGER NOT NULL DEFAULT 0,
    due                  INTEGER NOT NULL DEFAULT 0,
    due_ended            INTEGER NOT NULL DEFAULT 0,
    unclassified         INTEGER NOT NULL DEFAULT 0,
    document_result      INTEGER NOT NULL DEFAULT 0,
    electronic_result    INTEGER NOT NULL DEFAULT 0,
    digitized            INTEGER NOT NULL DEFAULT 0,
    reused               INTEGER NOT NULL DEFAULT 0,
    from_data_store      INTEGER NOT NULL DEFAULT 0,
    eid_verified         INTEGER NOT NULL DEFAULT 0,
    rated_satisfied      INTEGER NOT NULL DEFAULT 0,
    rated_acceptable     INTEGER NOT NULL DEFAULT 0,
    rated_dissatisfied   INTEGER NOT NULL DEFAULT 0,
    late_or_dissatisfied INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agency, month)
) WITHOUT ROWID;

CREATE TABLE kpi_stocks (
    agency        TEXT    NOT NULL,
    node          INTEGER NOT NULL,
    stock_open    INTEGER NOT NULL DEFAULT 0,
    stock_overdue INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agency, node)
) WITHOUT ROWID;

-- The counters kept so far, moved over: `due_ended:YYYY-MM` (counted in the appointment's
-- month, keyed by the month the dossier ended) becomes due_ended in the later of the two.
WITH old (agency, month, metric, value) AS (
    SELECT agency,
           CASE WHEN metric LIKE 'due_ended:%' AND substr(metric, 11) > month
                THEN substr(metric, 11) ELSE month END,
           CASE WHEN metric LIKE 'due_ended:%' THEN 'due_ended' ELSE metric END,
           value
      FROM kpi_counts
)
INSERT INTO kpi_months (
    agency, month, received_online, received_desk, received_post, resolved_early,
    resolved_on_time, resolved_late, due, due_ended, unclassified, document_result,
    electronic_result, digitized, reused, from_data_store, eid_verified, rated_satisfied,
    rated_acceptable, rated_dissatisfied, late_or_dissatisfied
)
SELECT agency, month,
       SUM(CASE WHEN metric = 'received_online' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'received_desk' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'received_post' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'resolved_early' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'resolved_on_time' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'resolved_late' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'due' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'due_ended' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'unclassified' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'document_result' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'electronic_result' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'digitized' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'reused' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'from_data_store' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'eid_verified' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'rated_satisfied' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'rated_acceptable' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'rated_dissatisfied' THEN value ELSE 0 END),
       SUM(CASE WHEN metric = 'late_or_dissatisfied' THEN value ELSE 0 END)
  FROM old
 GROUP BY agency, month;

-- Their trees: each month's change added to the nodes on its way up (n, n + lowbit(n), ...).
WITH RECURSIVE
numbered (agency, node, open_change, overdue_change) AS (
    SELECT agency,
           min(2048, max(1, (CAST(substr(month, 1, 4) AS INTEGER) - 1990) * 12 + CAST(substr(month, 6, 2) AS INTEGER))),
           SUM(received_online + received_desk + received_post - resolved_early - resolved_on_time - resolved_late),
           SUM(due - due_ended)
      FROM kpi_months
     GROUP BY 1, 2
),
path (agency, node, open_change, overdue_change) AS (
    SELECT agency, node, open_change, overdue_change
      FROM numbered
     WHERE open_change <> 0 OR overdue_change <> 0
    UNION ALL
    SELECT agency, node + (node & -node), open_change, overdue_change
      FROM path
     WHERE node + (node & -node) <= 2048
)
INSERT INTO kpi_stocks (agency, node, stock_open, stock_overdue)
SELECT agency, node, SUM(open_change), SUM(overdue_change)
  FROM path
 GROUP BY agency, node
HAVING SUM(open_change) <> 0 OR SUM(overdue_change) <> 0;

DROP TABLE kpi_counts;
