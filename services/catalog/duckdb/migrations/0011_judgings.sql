-- The last full judging of the catalog (see catalog.StoredJudging): one
-- row, replaced by each newer judging, so that a restarted catalog serves
-- what was found before it judges again. data is the conformance
-- package's encoding of the findings and the facts of each key; nothing
-- queries inside it. id is always 1: it holds the table to one row.
CREATE TABLE judgings (
    id        INTEGER   NOT NULL PRIMARY KEY CHECK (id = 1),
    judged_at TIMESTAMP NOT NULL,
    data      BLOB      NOT NULL
);
