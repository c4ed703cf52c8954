-- Hourly rollups of cost rows, as DuckDB's 0012_cost_rollups.sql keeps
-- them (see sqlstore.FoldCosts and docs/COST.md): per stream, per
-- complete hour and per field, the hour's ten-minute rows of stream_costs
-- merged as a window merges them, dated at the hour. The leading replica
-- folds; a read over the last day takes the folded hours from here and
-- its edges and last hour from stream_costs.
--
-- cost_folds records each hour folded, its rows copied in the same
-- transaction: a read takes an hour from the rollups only once it is
-- recorded, and two replicas folding one hour at once (a lead that
-- changed hands) conflict on its record, so that one writes nothing.
--
-- Both are pruned past cardinality.Retention by the fold.
CREATE TABLE stream_cost_hours (
    stream_id       TEXT COLLATE "C" NOT NULL,
    bucket          TIMESTAMP NOT NULL,
    source          SMALLINT  NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    value_type      SMALLINT  NOT NULL,
    distinct_values BYTEA     NOT NULL,
    data_points     BIGINT    NOT NULL,
    example_values  TEXT COLLATE "C" NOT NULL,
    values_state    SMALLINT  NOT NULL,
    first_seen      TIMESTAMP NOT NULL,
    last_seen       TIMESTAMP NOT NULL,
    log_bytes       BIGINT    NOT NULL,
    PRIMARY KEY (stream_id, bucket, source, name, value_type)
);
-- Windows read the rows of a span of hours, and pruning deletes those
-- before one.
CREATE INDEX stream_cost_hours_by_bucket ON stream_cost_hours (bucket, source);

CREATE TABLE cost_folds (
    hour      TIMESTAMP NOT NULL PRIMARY KEY,
    folded_at TIMESTAMP NOT NULL
);
