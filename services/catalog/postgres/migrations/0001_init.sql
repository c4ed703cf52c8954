-- The catalog's tables as DuckDB's migrations 0001 to 0005 leave them
-- (services/catalog/duckdb/migrations), with the same table and column
-- names, in PostgreSQL's types, plus proposal_dismissals. Enums are the
-- API's enum numbers (SMALLINT), which protobuf keeps stable; timestamps
-- are TIMESTAMP holding UTC; counts are BIGINT (DuckDB's UBIGINT has no
-- PostgreSQL type, and no count comes near 2^63). DuckDB's extra
-- single-column indexes on schema_id (0002_lookup_indexes.sql) and on
-- stream_costs' stream_id are left out: PostgreSQL serves a lookup by a
-- primary key's leading column from the primary key.
--
-- Every text column collates as "C" (byte order), whatever the database's
-- default: names sort and compare as in DuckDB and in Go, so lists come in
-- the same order on both stores and keyset paging ("the keys after x")
-- agrees with the catalog's own comparisons.

CREATE TABLE schemas (
    schema_id          TEXT COLLATE "C" PRIMARY KEY,
    schema_key         TEXT COLLATE "C" NOT NULL,
    metric_type        SMALLINT  NOT NULL,
    unit               TEXT COLLATE "C" NOT NULL,
    temporality        SMALLINT  NOT NULL,
    monotonic          BOOLEAN   NOT NULL,
    -- description is the latest one observed and description_at the time it
    -- was observed, so that an older batch arriving late does not win.
    description        TEXT COLLATE "C" NOT NULL,
    description_at     TIMESTAMP NOT NULL,
    first_seen         TIMESTAMP NOT NULL,
    last_seen          TIMESTAMP NOT NULL,
    data_point_count   BIGINT    NOT NULL,
    -- current_streams counts the schema_streams rows not superseded, so
    -- that "current schemas" is a column read, not a join.
    current_streams    INTEGER   NOT NULL DEFAULT 0
);
CREATE INDEX schemas_by_key ON schemas (schema_key);

-- Data point attributes: part of the schema id, so fixed per schema, and
-- written once with a new schema (hence no primary key).
CREATE TABLE schema_fields (
    schema_id  TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    value_type SMALLINT NOT NULL
);
CREATE INDEX schema_fields_by_schema ON schema_fields (schema_id);

CREATE TABLE producers (
    producer_id         TEXT COLLATE "C" PRIMARY KEY,
    service_name        TEXT COLLATE "C" NOT NULL,
    service_namespace   TEXT COLLATE "C" NOT NULL,
    service_version     TEXT COLLATE "C" NOT NULL,
    service_instance_id TEXT COLLATE "C" NOT NULL,
    first_seen          TIMESTAMP NOT NULL,
    last_seen           TIMESTAMP NOT NULL
);
CREATE INDEX producers_by_service ON producers (service_name);

-- An instance's entry on a schema. It names its release, so that a
-- schema's figures, which count the instances of its current releases,
-- read one table by its index. fields_hash is the hash of the resource and
-- scope field set last written for the pair: the uint64's bits as a
-- BIGINT.
CREATE TABLE schema_producers (
    schema_id         TEXT COLLATE "C" NOT NULL,
    producer_id       TEXT COLLATE "C" NOT NULL,
    schema_key        TEXT COLLATE "C" NOT NULL,
    description       TEXT COLLATE "C" NOT NULL,
    description_at    TIMESTAMP NOT NULL,
    first_seen        TIMESTAMP NOT NULL,
    last_seen         TIMESTAMP NOT NULL,
    data_point_count  BIGINT    NOT NULL,
    fields_hash       BIGINT    NOT NULL DEFAULT 0,
    service_namespace TEXT COLLATE "C" NOT NULL DEFAULT '',
    service_name      TEXT COLLATE "C" NOT NULL DEFAULT '',
    service_version   TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (schema_id, producer_id)
);
-- The primary key serves lookups by schema_id (its leading column) in
-- PostgreSQL; DuckDB's schema_producers_by_schema is not needed.
CREATE INDEX schema_producers_by_key ON schema_producers (schema_key);
-- The planner asks which producers of a batch already produce a key.
CREATE INDEX schema_producers_by_key_producer ON schema_producers (schema_key, producer_id);

-- Resource (1) and scope (2) attribute keys, per schema and producer: not
-- part of the id, since the same metric from two hosts is one shape.
-- Written only for a pair whose field set changed, never twice (hence no
-- primary key).
CREATE TABLE producer_fields (
    schema_id   TEXT COLLATE "C" NOT NULL,
    producer_id TEXT COLLATE "C" NOT NULL,
    source      SMALLINT NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    value_type  SMALLINT NOT NULL
);
CREATE INDEX producer_fields_by_schema ON producer_fields (schema_id, producer_id);

CREATE TABLE schema_scopes (
    schema_id     TEXT COLLATE "C" NOT NULL,
    scope_name    TEXT COLLATE "C" NOT NULL,
    scope_version TEXT COLLATE "C" NOT NULL,
    first_seen    TIMESTAMP NOT NULL,
    last_seen     TIMESTAMP NOT NULL,
    PRIMARY KEY (schema_id, scope_name, scope_version)
);

-- Version history: every assignment and status change is a row; the row
-- with the highest seq of a schema is its current version. Writers hold
-- the write lock, so seq order is commit order.
CREATE SEQUENCE schema_versions_seq;
CREATE TABLE schema_versions (
    seq         BIGINT PRIMARY KEY DEFAULT nextval('schema_versions_seq'),
    schema_id   TEXT COLLATE "C" NOT NULL,
    schema_key  TEXT COLLATE "C" NOT NULL,
    version     TEXT COLLATE "C" NOT NULL,
    status      SMALLINT  NOT NULL,
    reason      TEXT COLLATE "C" NOT NULL,
    actor       TEXT COLLATE "C" NOT NULL,
    assigned_at TIMESTAMP NOT NULL
);
ALTER SEQUENCE schema_versions_seq OWNED BY schema_versions.seq;
CREATE INDEX schema_versions_by_schema ON schema_versions (schema_id, seq);
CREATE INDEX schema_versions_by_key ON schema_versions (schema_key, version);

CREATE SEQUENCE schema_events_seq;
CREATE TABLE schema_events (
    seq                  BIGINT PRIMARY KEY DEFAULT nextval('schema_events_seq'),
    schema_key           TEXT COLLATE "C" NOT NULL,
    schema_id            TEXT COLLATE "C" NOT NULL,
    kind                 SMALLINT  NOT NULL,
    occurred_at          TIMESTAMP NOT NULL,
    actor                TEXT COLLATE "C" NOT NULL,
    producer_id          TEXT COLLATE "C" NOT NULL,
    version_seq          BIGINT,
    previous_description TEXT COLLATE "C" NOT NULL,
    description          TEXT COLLATE "C" NOT NULL,
    -- Events name a release (a move, a release joining a schema) without
    -- an instance, which has no producers row: they carry the identity.
    service_namespace    TEXT COLLATE "C" NOT NULL DEFAULT '',
    service_name         TEXT COLLATE "C" NOT NULL DEFAULT '',
    service_version      TEXT COLLATE "C" NOT NULL DEFAULT '',
    service_instance_id  TEXT COLLATE "C" NOT NULL DEFAULT '',
    target_schema_id     TEXT COLLATE "C" NOT NULL DEFAULT '',
    added                TEXT COLLATE "C" NOT NULL DEFAULT ''
);
ALTER SEQUENCE schema_events_seq OWNED BY schema_events.seq;
-- A key's timeline is read newest first.
CREATE INDEX schema_events_by_key ON schema_events (schema_key, seq);

-- Batches already applied, so that a retried RecordObservations is a no-op.
CREATE TABLE applied_batches (
    batch_id   TEXT COLLATE "C" PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL
);
CREATE INDEX applied_batches_by_time ON applied_batches (applied_at);

-- One summary row per schema key, kept up to date by every write that
-- touches the key, so that listing keys reads at most a page of rows
-- instead of aggregating every schema.
CREATE TABLE schema_keys (
    schema_key       TEXT COLLATE "C" PRIMARY KEY,
    -- metric_type and unit are those of the schema seen last; the lists
    -- hold every one seen under the key, sorted.
    metric_type      SMALLINT   NOT NULL,
    unit             TEXT COLLATE "C" NOT NULL,
    metric_types     SMALLINT[] NOT NULL,
    units            TEXT[] COLLATE "C" NOT NULL,
    schema_count     BIGINT     NOT NULL,
    producer_count   BIGINT     NOT NULL,
    first_seen       TIMESTAMP  NOT NULL,
    last_seen        TIMESTAMP  NOT NULL,
    -- description is that of the schema described last, at description_at.
    description      TEXT COLLATE "C" NOT NULL,
    description_at   TIMESTAMP  NOT NULL,
    superseded_count BIGINT     NOT NULL DEFAULT 0
);

-- schema_streams: the streams (see catalog.Stream: a release's metric of
-- one header through one scope) that produce or produced each schema. A
-- stream has one current row, on the schema of its union; a row whose
-- superseded_by is set is a stream that moved on. Each row carries its
-- release, scope and the schema's union (attributes as
-- catalog.EncodeAttributes writes them).
CREATE TABLE schema_streams (
    schema_id         TEXT COLLATE "C" NOT NULL,
    stream_id         TEXT COLLATE "C" NOT NULL,
    schema_key        TEXT COLLATE "C" NOT NULL,
    service_namespace TEXT COLLATE "C" NOT NULL,
    service_name      TEXT COLLATE "C" NOT NULL,
    service_version   TEXT COLLATE "C" NOT NULL,
    scope_name        TEXT COLLATE "C" NOT NULL,
    scope_version     TEXT COLLATE "C" NOT NULL,
    union_attributes  TEXT COLLATE "C" NOT NULL,
    description       TEXT COLLATE "C" NOT NULL,
    description_at    TIMESTAMP NOT NULL,
    first_seen        TIMESTAMP NOT NULL,
    last_seen         TIMESTAMP NOT NULL,
    data_point_count  BIGINT    NOT NULL,
    superseded_by     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (schema_id, stream_id)
);
CREATE INDEX schema_streams_by_key ON schema_streams (schema_key);
-- The planner looks a batch's streams up by stream id, current rows only.
CREATE INDEX schema_streams_current ON schema_streams (stream_id) WHERE superseded_by = '';
CREATE INDEX schema_streams_by_stream ON schema_streams (stream_id);

-- variants: each distinct data point attribute set a stream sent, on the
-- schemas it was on; attributes as catalog.EncodeAttributes writes them.
CREATE TABLE variants (
    schema_id        TEXT COLLATE "C" NOT NULL,
    stream_id        TEXT COLLATE "C" NOT NULL,
    variant_id       TEXT COLLATE "C" NOT NULL,
    attributes       TEXT COLLATE "C" NOT NULL,
    first_seen       TIMESTAMP NOT NULL,
    last_seen        TIMESTAMP NOT NULL,
    data_point_count BIGINT    NOT NULL,
    PRIMARY KEY (schema_id, stream_id, variant_id)
);

-- Cost (docs/COST.md): per stream, per ten-minute bucket
-- (cardinality.BucketWidth) and per field, what ingest replicas counted,
-- merged. The series row of a bucket has source 0, name '' and value_type
-- 0; a field's row has the field's source, key and value type. Rows older
-- than cardinality.Retention are deleted as new buckets start.
CREATE TABLE stream_costs (
    stream_id       TEXT COLLATE "C" NOT NULL,
    bucket          TIMESTAMP NOT NULL,
    source          SMALLINT  NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    value_type      SMALLINT  NOT NULL,
    -- distinct_values is a cardinality.Distinct (MarshalBinary).
    distinct_values BYTEA     NOT NULL,
    -- data_points is the series row's count of data points.
    data_points     BIGINT    NOT NULL,
    -- example_values are a KEPT field's values, as catalog.EncodeValues
    -- writes them; '[]' otherwise.
    example_values  TEXT COLLATE "C" NOT NULL,
    values_state    SMALLINT  NOT NULL,
    PRIMARY KEY (stream_id, bucket, source, name, value_type)
);
-- Windows read the rows since a bucket, and pruning deletes those before one.
CREATE INDEX stream_costs_by_bucket ON stream_costs (bucket, source);

-- Proposed versions people dismissed for a schema (catalog.Dismissal):
-- the first dismissal of a version of a schema is kept.
CREATE TABLE proposal_dismissals (
    schema_id        TEXT COLLATE "C" NOT NULL,
    proposed_version TEXT COLLATE "C" NOT NULL,
    schema_key       TEXT COLLATE "C" NOT NULL,
    actor            TEXT COLLATE "C" NOT NULL,
    reason           TEXT COLLATE "C" NOT NULL,
    dismissed_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (schema_id, proposed_version)
);
CREATE INDEX proposal_dismissals_by_key ON proposal_dismissals (schema_key);
