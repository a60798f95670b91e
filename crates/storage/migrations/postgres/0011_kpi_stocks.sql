-- Stocks of the operations centre (ADR 0008): per agency, the counted dossiers open at
-- each month's end, and those open past their appointment, each kept as a Fenwick tree
-- over month numbers (motcua_domain::kpi::counts::Node): node n (1 = January 1990, 2048 =
-- August 2160) holds the sum of the stock's monthly changes over the months
-- n - lowbit(n) + 1 ..= n. A stock at any month's end is the sum of at most 11 nodes, so a
-- report reads the same few rows whatever the history. They replace the `due` and
-- `due_ended:YYYY-MM` counters, from which the overdue split was summed over every month.
CREATE TABLE kpi_stocks (
    agency TEXT    NOT NULL,
    stock  TEXT    NOT NULL,
    node   INTEGER NOT NULL,
    value  BIGINT  NOT NULL,
    PRIMARY KEY (agency, node, stock)
);

-- The trees of the counters already kept. Open: +received, -resolved in each month.
-- Overdue: +1 in the month of the appointment, -1 in the later of that month and the month
-- the dossier ended (a dossier ended by its appointment's month cancels out). Each month's
-- change is added to the nodes on its way up the tree (n, n + lowbit(n), ...).
WITH RECURSIVE
changes (agency, stock, month, value) AS (
    SELECT agency, 'open', month,
           CASE WHEN metric IN ('received_online', 'received_desk', 'received_post')
                THEN value ELSE -value END
      FROM kpi_counts
     WHERE metric IN ('received_online', 'received_desk', 'received_post',
                      'resolved_early', 'resolved_on_time', 'resolved_late')
    UNION ALL
    SELECT agency, 'overdue', month, value FROM kpi_counts WHERE metric = 'due'
    UNION ALL
    SELECT agency, 'overdue',
           CASE WHEN substr(metric, 11) > month THEN substr(metric, 11) ELSE month END, -value
      FROM kpi_counts WHERE metric LIKE 'due\_ended:%'
),
numbered (agency, stock, node, value) AS (
    SELECT agency, stock,
           LEAST(2048, GREATEST(1, (CAST(substr(month, 1, 4) AS INTEGER) - 1990) * 12
                                   + CAST(substr(month, 6, 2) AS INTEGER))),
           SUM(value)::BIGINT
      FROM changes
     GROUP BY 1, 2, 3
),
path (agency, stock, node, value) AS (
    SELECT agency, stock, node, value FROM numbered WHERE value <> 0
    UNION ALL
    SELECT agency, stock, node + (node & -node), value
      FROM path
     WHERE node + (node & -node) <= 2048
)
INSERT INTO kpi_stocks (agency, stock, node, value)
SELECT agency, stock, node, SUM(value)::BIGINT
  FROM path
 GROUP BY agency, stock, node
HAVING SUM(value) <> 0;

DELETE FROM kpi_counts WHERE metric = 'due' OR metric LIKE 'due\_ended:%';
