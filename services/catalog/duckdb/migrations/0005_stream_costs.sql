-- Cost (docs/COST.md): per stream (see catalog.Stream), per ten-minute bucket
-- (cardinality.BucketWidth) and per field, what ingest replicas counted,
-- merged: so that a stream moving to a larger schema takes its cost along,
-- and a window (the last hour, the last day) merges a stream's buckets.
-- The series row of a bucket has source 0, name '' and value_type 0; a
-- field's row has the field's source, key and value type. Rows older than
-- cardinality.Retention (48 hours) are deleted as new buckets start.
CREATE TABLE stream_costs (
    stream_id       VARCHAR   NOT NULL,
    bucket          TIMESTAMP NOT NULL,
    source          TINYINT   NOT NULL,
    name            VARCHAR   NOT NULL,
    value_type      TINYINT   NOT NULL,
    -- distinct_values is a cardinality.Distinct (MarshalBinary): exact
    -- hashes while few, a HyperLogLog++ sketch after.
    distinct_values BLOB      NOT NULL,
    -- data_points is the series row's count of data points.
    data_points     UBIGINT   NOT NULL,
    -- example_values are a KEPT field's values, as catalog.EncodeValues
    -- writes them; '[]' otherwise.
    example_values  VARCHAR   NOT NULL,
    values_state    TINYINT   NOT NULL,
    PRIMARY KEY (stream_id, bucket, source, name, value_type)
);
-- Reads find a schema's or a metric's streams' rows by stream id (see
-- 0002_lookup_indexes.sql on why the primary key does not serve them).
CREATE INDEX stream_costs_by_stream ON stream_costs (stream_id);

-- A metric's cost reads the streams of its schemas by key.
CREATE INDEX schema_streams_by_key ON schema_streams (schema_key);
