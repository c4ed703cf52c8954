-- The last full judging of the catalog (see catalog.StoredJudging), as
-- DuckDB's 0011_judgings.sql keeps it: one row, replaced by each newer
-- judging. The replica that leads saves it; the others serve it, and the
-- next leader starts from it. data is the conformance package's encoding
-- of the findings and the facts of each key; nothing queries inside it.
-- id is always 1: it holds the table to one row.
CREATE TABLE judgings (
    id        INTEGER   NOT NULL PRIMARY KEY CHECK (id = 1),
    judged_at TIMESTAMP NOT NULL,
    data      BYTEA     NOT NULL
);
