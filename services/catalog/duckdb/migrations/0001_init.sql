-- The catalog's first schema. Enums are stored as the API's enum numbers
-- (TINYINT), which protobuf keeps stable; timestamps as UTC.

CREATE TABLE schemas (
    schema_id          VARCHAR PRIMARY KEY,
    schema_key         VARCHAR   NOT NULL,
    metric_type        TINYINT   NOT NULL,
    unit               VARCHAR   NOT NULL,
    temporality        TINYINT   NOT NULL,
    monotonic          BOOLEAN   NOT NULL,
    -- description is the latest one observed and description_at the time it
    -- was observed, so that an older batch arriving late does not win.
    description        VARCHAR   NOT NULL,
    description_at     TIMESTAMP NOT NULL,
    first_seen         TIMESTAMP NOT NULL,
    last_seen          TIMESTAMP NOT NULL,
    data_point_count   UBIGINT   NOT NULL
);
CREATE INDEX schemas_by_key ON schemas (schema_key);

-- Data point attributes: part of the schema id, so fixed per schema.
CREATE TABLE schema_fields (
    schema_id  VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    value_type TINYINT NOT NULL,
    PRIMARY KEY (schema_id, name, value_type)
);

CREATE TABLE producers (
    producer_id         VARCHAR PRIMARY KEY,
    service_name        VARCHAR   NOT NULL,
    service_namespace   VARCHAR   NOT NULL,
    service_version     VARCHAR   NOT NULL,
    service_instance_id VARCHAR   NOT NULL,
    first_seen          TIMESTAMP NOT NULL,
    last_seen           TIMESTAMP NOT NULL
);
CREATE INDEX producers_by_service ON producers (service_name);

CREATE TABLE schema_producers (
    schema_id        VARCHAR   NOT NULL,
    producer_id      VARCHAR   NOT NULL,
    schema_key       VARCHAR   NOT NULL,
    description      VARCHAR   NOT NULL,
    description_at   TIMESTAMP NOT NULL,
    first_seen       TIMESTAMP NOT NULL,
    last_seen        TIMESTAMP NOT NULL,
    data_point_count UBIGINT   NOT NULL,
    PRIMARY KEY (schema_id, producer_id)
);
CREATE INDEX schema_producers_by_key ON schema_producers (schema_key);
CREATE INDEX schema_producers_by_producer ON schema_producers (producer_id);

-- Resource (1) and scope (2) attribute keys, per schema and producer: not
-- part of the id, since the same metric from two hosts is one shape.
CREATE TABLE producer_fields (
    schema_id   VARCHAR NOT NULL,
    producer_id VARCHAR NOT NULL,
    source      TINYINT NOT NULL,
    name        VARCHAR NOT NULL,
    value_type  TINYINT NOT NULL,
    PRIMARY KEY (schema_id, producer_id, source, name, value_type)
);

CREATE TABLE schema_scopes (
    schema_id     VARCHAR   NOT NULL,
    scope_name    VARCHAR   NOT NULL,
    scope_version VARCHAR   NOT NULL,
    first_seen    TIMESTAMP NOT NULL,
    last_seen     TIMESTAMP NOT NULL,
    PRIMARY KEY (schema_id, scope_name, scope_version)
);

-- Version history: every assignment and status change is a row; the row
-- with the highest seq of a schema is its current version.
CREATE SEQUENCE schema_versions_seq;
CREATE TABLE schema_versions (
    seq         BIGINT PRIMARY KEY,
    schema_id   VARCHAR   NOT NULL,
    schema_key  VARCHAR   NOT NULL,
    version     VARCHAR   NOT NULL,
    status      TINYINT   NOT NULL,
    reason      VARCHAR   NOT NULL,
    actor       VARCHAR   NOT NULL,
    assigned_at TIMESTAMP NOT NULL
);
CREATE INDEX schema_versions_by_schema ON schema_versions (schema_id);
CREATE INDEX schema_versions_by_key ON schema_versions (schema_key);

CREATE SEQUENCE schema_events_seq;
CREATE TABLE schema_events (
    seq                  BIGINT PRIMARY KEY,
    schema_key           VARCHAR   NOT NULL,
    schema_id            VARCHAR   NOT NULL,
    kind                 TINYINT   NOT NULL,
    occurred_at          TIMESTAMP NOT NULL,
    actor                VARCHAR   NOT NULL,
    producer_id          VARCHAR   NOT NULL,
    version_seq          BIGINT,
    previous_description VARCHAR   NOT NULL,
    description          VARCHAR   NOT NULL
);
CREATE INDEX schema_events_by_key ON schema_events (schema_key);

-- Batches already applied, so that a retried RecordObservations is a no-op.
CREATE TABLE applied_batches (
    batch_id   VARCHAR PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL
);
