-- The bytes of a log's records (the protobuf size of each LogRecord as the
-- ingest received it), summed in the count row of each bucket of a log's
-- stream, as its records are in data_points: what logs are priced by
-- (--price-per-gb-logs; see catalog.Prices). Every other row holds 0, and
-- so does every row written before, which read as a log that said nothing
-- of its bytes.
ALTER TABLE stream_costs ADD COLUMN log_bytes BIGINT NOT NULL DEFAULT 0;
