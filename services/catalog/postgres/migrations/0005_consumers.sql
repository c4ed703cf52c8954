-- Dashboards and alerting or recording rules, as syncs stored them (see
-- catalog.Consumer), as DuckDB's 0010_consumers.sql keeps them: one row
-- per consumer, its id catalog.ConsumerID of its origin, source and uid.
-- body is the JSON of catalog.ConsumerBody, kept as text as written (the
-- store decodes it; nothing queries inside it). digest is
-- catalog.Consumer.Digest, which the next sync of the origin compares to
-- tell an unchanged consumer from a changed one. A sync replaces one
-- origin's rows: the index finds them.
CREATE TABLE consumers (
    id        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    origin    TEXT COLLATE "C" NOT NULL,
    kind      TEXT COLLATE "C" NOT NULL,
    format    TEXT COLLATE "C" NOT NULL,
    source    TEXT COLLATE "C" NOT NULL,
    uid       TEXT COLLATE "C" NOT NULL,
    title     TEXT COLLATE "C" NOT NULL,
    folder    TEXT COLLATE "C" NOT NULL,
    body      TEXT NOT NULL,
    digest    TEXT COLLATE "C" NOT NULL,
    synced_at TIMESTAMP NOT NULL
);
CREATE INDEX consumers_by_origin ON consumers (origin);
