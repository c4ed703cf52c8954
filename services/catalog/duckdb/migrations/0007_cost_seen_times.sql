-- When each cost row's data points were first and last seen (see
-- catalog.CostRow): a data point rate runs over that time, not from the
-- start of the bucket, so that a producer that started within a bucket is
-- not spread over all of it. Rows written before say only their bucket:
-- they are taken to have seen data from its start to its end, or to now
-- for the bucket in progress, so that a window's rate still runs from the
-- start of its first bucket with data, as it did. now() is read as UTC,
-- as buckets are kept, through its epoch, which no time zone setting
-- changes; a bucket ahead of the database's clock ends where it starts,
-- not before.
--
-- The columns stay nullable: DuckDB cannot add NOT NULL to a table with
-- an index. Every write sets them.
ALTER TABLE stream_costs ADD COLUMN first_seen TIMESTAMP;
ALTER TABLE stream_costs ADD COLUMN last_seen TIMESTAMP;
UPDATE stream_costs SET first_seen = bucket,
    last_seen = least(bucket + INTERVAL 10 MINUTE, greatest(bucket, make_timestamp(epoch_us(now()))));
