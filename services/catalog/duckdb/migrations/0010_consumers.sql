-- Dashboards and alerting or recording rules, as syncs stored them (see
-- catalog.Consumer): one row per consumer, its id catalog.ConsumerID of
-- its origin, source and uid. body is the JSON of catalog.ConsumerBody
-- (its queries as written, skipped counts, notes); what the queries read
-- is worked out when they are read against the catalog, never stored.
-- digest is catalog.Consumer.Digest, which the next sync of the origin
-- compares to tell an unchanged consumer from a changed one. A sync
-- replaces one origin's rows: the index finds them.
CREATE TABLE consumers (
    id        VARCHAR   NOT NULL PRIMARY KEY,
    origin    VARCHAR   NOT NULL,
    kind      VARCHAR   NOT NULL,
    format    VARCHAR   NOT NULL,
    source    VARCHAR   NOT NULL,
    uid       VARCHAR   NOT NULL,
    title     VARCHAR   NOT NULL,
    folder    VARCHAR   NOT NULL,
    body      VARCHAR   NOT NULL,
    digest    VARCHAR   NOT NULL,
    synced_at TIMESTAMP NOT NULL
);
CREATE INDEX consumers_by_origin ON consumers (origin);
