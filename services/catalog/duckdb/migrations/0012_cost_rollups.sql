-- Hourly rollups of cost rows (see sqlstore.FoldCosts and docs/COST.md):
-- per stream, per complete hour and per field, the hour's six ten-minute
-- rows of stream_costs merged as a window merges them (sketches merged,
-- data points and bytes summed, first and last seen kept, example values
-- merged under the same limit), dated at the hour. A read over the last
-- day takes the folded hours from here and its edges and last hour from
-- stream_costs, which keeps every ten-minute row for the chart.
--
-- cost_folds records each hour folded, its rows written in the same
-- transaction: a read takes an hour from the rollups only once it is
-- recorded, and the hour's record refuses a second fold of it. The
-- primary key of the rollups would only say the same again: the fold
-- writes an hour's rows once, so none is declared, and appending them
-- maintains no index but the one reads find a stream's rows by.
--
-- Both are pruned past cardinality.Retention by the fold.
CREATE TABLE stream_cost_hours (
    stream_id       VARCHAR   NOT NULL,
    bucket          TIMESTAMP NOT NULL,
    source          TINYINT   NOT NULL,
    name            VARCHAR   NOT NULL,
    value_type      TINYINT   NOT NULL,
    distinct_values BLOB      NOT NULL,
    data_points     UBIGINT   NOT NULL,
    example_values  VARCHAR   NOT NULL,
    values_state    TINYINT   NOT NULL,
    first_seen      TIMESTAMP NOT NULL,
    last_seen       TIMESTAMP NOT NULL,
    log_bytes       UBIGINT   NOT NULL
);
CREATE INDEX stream_cost_hours_by_stream ON stream_cost_hours (stream_id);

CREATE TABLE cost_folds (
    hour      TIMESTAMP NOT NULL PRIMARY KEY,
    folded_at TIMESTAMP NOT NULL
);
