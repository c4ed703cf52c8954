-- Every write of a row maintains each index of its table, and a batch of
-- 1,000 new shapes writes about 1,000 rows into each of these two tables:
-- two indexes served nothing another index of the table does not.
--
-- schema_producers_by_key (schema_key) is the leading column of
-- schema_producers_by_key_producer (schema_key, producer_id), which
-- serves the same lookups.
DROP INDEX IF EXISTS schema_producers_by_key;
-- schema_streams_current (stream_id, current rows only) answered the
-- planner's lookup of a batch's streams; schema_streams_by_stream
-- (stream_id) answers it too, reading a stream's few superseded rows
-- besides.
DROP INDEX IF EXISTS schema_streams_current;

-- Heartbeats and cost reports update rows that exist (spans widen, counts
-- add, sketches are replaced) without changing an indexed column. With
-- room left on the row's page PostgreSQL makes such an update heap-only
-- (HOT) and writes no index entry; on a full page it writes one into
-- every index of the table. Pages written from now on keep a fifth free
-- for that (pages already full stay so until rewritten).
ALTER TABLE schemas SET (fillfactor = 80);
ALTER TABLE schema_streams SET (fillfactor = 80);
ALTER TABLE variants SET (fillfactor = 80);
ALTER TABLE schema_producers SET (fillfactor = 80);
ALTER TABLE producers SET (fillfactor = 80);
ALTER TABLE schema_keys SET (fillfactor = 80);
ALTER TABLE stream_costs SET (fillfactor = 80);
