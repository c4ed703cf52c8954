-- Spans and logs are schemas on the metrics' model, as DuckDB's migration
-- 0008_signals.sql makes them (services/catalog/duckdb/migrations), with
-- the same columns. A key belongs to one signal, and the stored key says
-- which (catalog.StoredKey): a metric's is its name, as before, and a
-- span's or a log's its name behind a prefix that starts with U+001F. So
-- the key columns keep their meaning, every metric id, stream id and
-- stored attribute set stays as it was, and the columns below default to
-- what a metric's row holds: every row written before reads as a metric's.
--
-- A metric key that starts with U+001F would read as a span's or a log's;
-- no release could write one through the API, but one written in process
-- must stop the upgrade rather than change meaning.
DO $$
DECLARE k TEXT;
BEGIN
    SELECT schema_key INTO k FROM schema_keys WHERE starts_with(schema_key, chr(31)) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the catalog holds the metric key %, which starts with U+001F as only span and log keys may now: rename or delete it with the release before', to_json(k);
    END IF;
END $$;

-- A span schema's kind (OTLP's numbers), whether a span or log schema
-- groups its scope rather than one name, and, as a JSON array of strings
-- (catalog.EncodeNames), some of the span names a by-scope schema took in.
-- The signal itself is its key's.
ALTER TABLE schemas ADD COLUMN span_kind SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN by_scope BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN name_examples TEXT COLLATE "C" NOT NULL DEFAULT '[]';

-- Where a shape field was found: FieldSource numbers, the item's own
-- attributes being DATA_POINT (3) for every signal; event_name names a
-- span event's field's event.
ALTER TABLE schema_fields ADD COLUMN source SMALLINT NOT NULL DEFAULT 3,
    ADD COLUMN event_name TEXT COLLATE "C" NOT NULL DEFAULT '';

-- A span stream's spans with status error, of its data_point_count: they
-- add up and move with the stream as its count does.
ALTER TABLE schema_streams ADD COLUMN error_count BIGINT NOT NULL DEFAULT 0;

-- A key's signal (the API's Signal numbers: 1 metric, 2 span, 3 log) and
-- name, which lists filter, search and order by, and a span key's kinds.
-- Lists keep one signal's keys in name order: the index serves them.
ALTER TABLE schema_keys ADD COLUMN signal SMALLINT NOT NULL DEFAULT 1,
    ADD COLUMN name TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN span_kinds SMALLINT[] NOT NULL DEFAULT '{}';
UPDATE schema_keys SET name = schema_key;
CREATE INDEX schema_keys_by_signal_name ON schema_keys (signal, name, schema_key);
