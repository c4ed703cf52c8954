-- schema_keys holds one summary row per schema key, kept up to date by every
-- write that touches the key, so that listing keys reads at most a page of
-- rows instead of aggregating every schema (ListSchemaKeys went from an
-- aggregation over 100k schemas to a read of 10k summaries).
CREATE TABLE schema_keys (
    schema_key     VARCHAR PRIMARY KEY,
    -- metric_type and unit are those of the schema seen last; the lists hold
    -- every one seen under the key.
    metric_type    TINYINT   NOT NULL,
    unit           VARCHAR   NOT NULL,
    metric_types   TINYINT[] NOT NULL,
    units          VARCHAR[] NOT NULL,
    schema_count   BIGINT    NOT NULL,
    producer_count BIGINT    NOT NULL,
    first_seen     TIMESTAMP NOT NULL,
    last_seen      TIMESTAMP NOT NULL,
    -- description is that of the schema described last, at description_at.
    description    VARCHAR   NOT NULL,
    description_at TIMESTAMP NOT NULL
);

INSERT INTO schema_keys
SELECT s.schema_key,
    arg_max(s.metric_type, s.last_seen), arg_max(s.unit, s.last_seen),
    list(DISTINCT s.metric_type), list(DISTINCT s.unit),
    count(*), coalesce(any_value(p.n), 0),
    min(s.first_seen), max(s.last_seen), arg_max(s.description, s.description_at), max(s.description_at)
FROM schemas s
LEFT JOIN (SELECT schema_key, count(DISTINCT producer_id) AS n FROM schema_producers GROUP BY schema_key) p USING (schema_key)
GROUP BY s.schema_key;

-- The field tables lose their composite primary keys: each row is a key of
-- up to five columns that every write had to look up in an index of its
-- own. Writes now add data point fields only with a new schema, and
-- resource and scope fields only for a (schema, producer) pair whose field
-- set changed (schema_producers.fields_hash), so nothing can repeat.
CREATE TABLE schema_fields_v3 (
    schema_id  VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    value_type TINYINT NOT NULL
);
INSERT INTO schema_fields_v3 SELECT schema_id, name, value_type FROM schema_fields;
DROP TABLE schema_fields;
ALTER TABLE schema_fields_v3 RENAME TO schema_fields;
CREATE INDEX schema_fields_by_schema ON schema_fields (schema_id);

CREATE TABLE producer_fields_v3 (
    schema_id   VARCHAR NOT NULL,
    producer_id VARCHAR NOT NULL,
    source      TINYINT NOT NULL,
    name        VARCHAR NOT NULL,
    value_type  TINYINT NOT NULL
);
INSERT INTO producer_fields_v3 SELECT schema_id, producer_id, source, name, value_type FROM producer_fields;
DROP TABLE producer_fields;
ALTER TABLE producer_fields_v3 RENAME TO producer_fields;
CREATE INDEX producer_fields_by_schema ON producer_fields (schema_id);

-- A hash of the resource and scope field set last written for the pair; 0
-- for pairs written before this migration, which makes their next write
-- compare against the stored rows once.
ALTER TABLE schema_producers ADD COLUMN fields_hash UBIGINT DEFAULT 0;

-- Nothing looks schema_producers up by producer alone.
DROP INDEX schema_producers_by_producer;
