-- Schemas per release (docs/schema-id.md): a schema is a release's union of data
-- point attributes for one metric header through one scope (a stream, see
-- catalog.Stream). The rows of the previous model are folded into this one
-- by the Go step of this migration (fold.go), which needs the planner.

-- schema_streams: the streams (see catalog.Stream: a release's metric of
-- one header through one scope) that produce or produced each schema. A
-- stream has one current row, on the schema of its union; a row whose
-- superseded_by is set is a stream that moved on. Each row carries its
-- release, scope and the schema's union (attributes as
-- catalog.EncodeAttributes writes them), so that reading a stream, or a
-- schema's releases, is one indexed read without a join.
CREATE TABLE schema_streams (
    schema_id         VARCHAR   NOT NULL,
    stream_id         VARCHAR   NOT NULL,
    schema_key        VARCHAR   NOT NULL,
    service_namespace VARCHAR   NOT NULL,
    service_name      VARCHAR   NOT NULL,
    service_version   VARCHAR   NOT NULL,
    scope_name        VARCHAR   NOT NULL,
    scope_version     VARCHAR   NOT NULL,
    union_attributes  VARCHAR   NOT NULL,
    description       VARCHAR   NOT NULL,
    description_at    TIMESTAMP NOT NULL,
    first_seen        TIMESTAMP NOT NULL,
    last_seen         TIMESTAMP NOT NULL,
    data_point_count  UBIGINT   NOT NULL,
    superseded_by     VARCHAR   NOT NULL,
    PRIMARY KEY (schema_id, stream_id)
);
CREATE INDEX schema_streams_by_schema ON schema_streams (schema_id);

-- variants: each distinct data point attribute set a stream sent, on the
-- schemas it was on; attributes as catalog.EncodeAttributes writes them.
CREATE TABLE variants (
    schema_id        VARCHAR   NOT NULL,
    stream_id        VARCHAR   NOT NULL,
    variant_id       VARCHAR   NOT NULL,
    attributes       VARCHAR   NOT NULL,
    first_seen       TIMESTAMP NOT NULL,
    last_seen        TIMESTAMP NOT NULL,
    data_point_count UBIGINT   NOT NULL,
    PRIMARY KEY (schema_id, stream_id, variant_id)
);
CREATE INDEX variants_by_schema ON variants (schema_id);

-- An instance's entry on a schema names its release, so that a schema's
-- figures, which count the instances of its current releases, read one
-- table by its index rather than join every producer.
ALTER TABLE schema_producers ADD COLUMN service_namespace VARCHAR DEFAULT '';
ALTER TABLE schema_producers ADD COLUMN service_name VARCHAR DEFAULT '';
ALTER TABLE schema_producers ADD COLUMN service_version VARCHAR DEFAULT '';

-- current_streams counts the schema_streams rows not superseded, so that
-- "current schemas" is a column read, not a join.
ALTER TABLE schemas ADD COLUMN current_streams INTEGER DEFAULT 0;
ALTER TABLE schema_keys ADD COLUMN superseded_count BIGINT DEFAULT 0;

-- Events name a release (a move, a release joining a schema) without an
-- instance, which has no producers row: they carry the identity.
ALTER TABLE schema_events ADD COLUMN service_namespace VARCHAR DEFAULT '';
ALTER TABLE schema_events ADD COLUMN service_name VARCHAR DEFAULT '';
ALTER TABLE schema_events ADD COLUMN service_version VARCHAR DEFAULT '';
ALTER TABLE schema_events ADD COLUMN service_instance_id VARCHAR DEFAULT '';
ALTER TABLE schema_events ADD COLUMN target_schema_id VARCHAR DEFAULT '';
ALTER TABLE schema_events ADD COLUMN added VARCHAR DEFAULT '';
