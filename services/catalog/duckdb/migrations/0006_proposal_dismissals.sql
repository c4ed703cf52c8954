-- Version proposals people dismissed: one row per schema and
-- proposed version, so that the proposal is no longer listed and
-- auto-versioning leaves it alone. A later, different proposed version of
-- the schema is a new proposal.
CREATE TABLE proposal_dismissals (
    schema_id        VARCHAR   NOT NULL,
    proposed_version VARCHAR   NOT NULL,
    schema_key       VARCHAR   NOT NULL,
    actor            VARCHAR   NOT NULL,
    reason           VARCHAR   NOT NULL,
    dismissed_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (schema_id, proposed_version)
);
CREATE INDEX proposal_dismissals_by_key ON proposal_dismissals (schema_key);
