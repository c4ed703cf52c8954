-- Spans and logs are schemas on the metrics' model. A key belongs to one
-- signal, and the stored key says which (catalog.StoredKey): a metric's is
-- its name, as before, and a span's or a log's its name behind a prefix
-- that starts with U+001F. So the key columns keep their meaning, every
-- metric id, stream id and stored attribute set stays as it was, and the
-- columns below default to what a metric's row holds: every row written
-- before reads as a metric's.
--
-- A metric key that starts with U+001F would read as a span's or a log's;
-- no release could write one through the API, but one written in process
-- must stop the upgrade rather than change meaning.
SELECT error('the catalog holds the metric key ' || to_json(schema_key)::VARCHAR
        || ', which starts with U+001F as only span and log keys may now: rename or delete it with the release before')
    FROM schema_keys WHERE starts_with(schema_key, chr(31)) LIMIT 1;

-- A span schema's kind (OTLP's numbers), whether a span or log schema
-- groups its scope rather than one name, and, as a JSON array of strings
-- (catalog.EncodeNames), some of the span names a by-scope schema took in.
-- The signal itself is its key's. Each statement may run twice (the Go
-- step of migration 4 runs this file before it writes through the current
-- writer; see fold.go), hence IF NOT EXISTS and idempotent updates.
ALTER TABLE schemas ADD COLUMN IF NOT EXISTS span_kind TINYINT DEFAULT 0;
ALTER TABLE schemas ADD COLUMN IF NOT EXISTS by_scope BOOLEAN DEFAULT false;
ALTER TABLE schemas ADD COLUMN IF NOT EXISTS name_examples VARCHAR DEFAULT '[]';

-- Where a shape field was found: FieldSource numbers, the item's own
-- attributes being DATA_POINT (3) for every signal; event_name names a
-- span event's field's event.
ALTER TABLE schema_fields ADD COLUMN IF NOT EXISTS source TINYINT DEFAULT 3;
ALTER TABLE schema_fields ADD COLUMN IF NOT EXISTS event_name VARCHAR DEFAULT '';

-- A span stream's spans with status error, of its data_point_count: they
-- add up and move with the stream as its count does.
ALTER TABLE schema_streams ADD COLUMN IF NOT EXISTS error_count UBIGINT DEFAULT 0;

-- A key's signal (the API's Signal numbers: 1 metric, 2 span, 3 log) and
-- name, which lists filter, search and order by, and a span key's kinds.
ALTER TABLE schema_keys ADD COLUMN IF NOT EXISTS signal TINYINT DEFAULT 1;
ALTER TABLE schema_keys ADD COLUMN IF NOT EXISTS name VARCHAR DEFAULT '';
-- span_kinds has no DEFAULT: a list literal is a function call, and
-- DuckDB cannot replay from its write-ahead log an ADD COLUMN whose
-- default calls a function (a catalog killed before the next checkpoint
-- would not open again). Existing rows are filled instead, and every
-- write sets the column.
ALTER TABLE schema_keys ADD COLUMN IF NOT EXISTS span_kinds TINYINT[];
UPDATE schema_keys SET span_kinds = [] WHERE span_kinds IS NULL;
UPDATE schema_keys SET name = schema_key WHERE signal = 1 AND name <> schema_key;
